#!/usr/bin/env python3
"""tun_owner.py TAP UID: what a student may do to a tap of theirs without
privilege: attach to it (TUNSETIFF on its name, allowed to its owner) and
hand it to another uid (TUNSETOWNER).  Prints the owner the kernel shows
afterwards."""
import fcntl
import os
import struct
import sys

TUNSETIFF = 0x400454CA
TUNSETOWNER = 0x400454CC
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000

tap, uid = sys.argv[1], int(sys.argv[2])
fd = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI))
fcntl.ioctl(fd, TUNSETOWNER, uid)
os.close(fd)
with open(f"/sys/class/net/{tap}/owner") as f:
    print(f.read().strip())
