#!/usr/bin/env python3
"""What VirtualBox or VMware do with a student's login link, without them:
a bridged adapter hooks the device in the kernel and sends the guest's
frames "to the wire", i.e. transmits them on that device.  This sends an
ICMP echo request from a made-up guest (SRC_MAC, SRC_IP) to DST_IP via
DST_MAC by transmitting it on DEV (AF_PACKET, as the hook does), then
waits for the echo reply to come back on DEV.  Exit 0 when it does.

    wire_standin.py DEV SRC_MAC SRC_IP DST_MAC DST_IP
"""
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def mac(text):
    return bytes.fromhex(text.replace(":", ""))


def main():
    dev, src_mac, src_ip, dst_mac, dst_ip = sys.argv[1:6]
    ident = 0x766E
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"vmnet wire stand-in"
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    frame = mac(dst_mac) + mac(src_mac) + b"\x08\x00" + ip + icmp

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind((dev, 0))
    s.settimeout(0.1)
    for _ in range(5):                      # bounded: 5 tries, ~0.5 s each
        s.send(frame)
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            try:
                got = s.recv(2048)
            except socket.timeout:
                continue
            if (len(got) >= 42 and got[0:6] == mac(src_mac) and got[23] == 1
                    and got[34] == 0 and struct.unpack("!H", got[38:40])[0] == ident):
                print(f"echo reply from {dst_ip} came back on {dev}")
                return 0
    print(f"no echo reply from {dst_ip} on {dev}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
