#!/usr/bin/env python3
"""flood.py MODE SOCKET UID ...: hostile clients of vmnetd, as uid UID.
  connect SOCKET UID SECONDS   non-blocking connect() + close() as fast as
                               possible for SECONDS (bounded count too);
                               prints "started", then the count at the end
  idle SOCKET UID N SECONDS    opens N connections and keeps them idle;
                               prints "ready" once they are all connected
  malformed SOCKET UID N       N connections in turn, each sending one
                               malformed request; prints the count sent"""
import os
import socket
import sys
import time

mode, path, uid = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.setgroups([])
os.setgid(uid)
os.setuid(uid)

if mode == "connect":
    seconds = float(sys.argv[4])
    print("started", flush=True)
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end and n < 5_000_000:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET | socket.SOCK_NONBLOCK)
        try:
            s.connect(path)
        except OSError:
            pass
        s.close()
        n += 1
    print(n, flush=True)
elif mode == "idle":
    count, seconds = int(sys.argv[4]), float(sys.argv[5])
    socks = []
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(path)
        socks.append(s)
    print("ready", flush=True)
    time.sleep(seconds)
elif mode == "malformed":
    count, sent = int(sys.argv[4]), 0
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(2)
        try:
            s.connect(path)
            s.send(bytes([1, 1, 0, 0, 5]))  # OPEN with a user that is not there
            s.recv(64)
            sent += 1
        except OSError:
            pass
        s.close()
    print(sent, flush=True)
