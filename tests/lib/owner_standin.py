#!/usr/bin/env python3
"""Stands in for vmnetd's answer to OWNER, to see who asks: listens on a
SOCK_SEQPACKET socket at PATH; for each connection it records, from the
kernel's word on the peer (SO_PEERCRED) and its /proc/PID/status, the
caller's uid and capability sets as one line "uid=U eff=HEX prm=HEX
amb=HEX nnp=N" in RECORD, and answers an OWNER request with UID and USER
(the wire format of common/protocol.h).  Ends after COUNT connections or
30 s.

    owner_standin.py PATH RECORD UID USER COUNT
"""
import os
import socket
import struct
import sys
import time

VERSION, OWNER, REPLY = 1, 16, 0x80

path, record, uid, user, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].encode(), int(sys.argv[5])
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(path)
os.chmod(path, 0o666)
s.listen(8)
s.settimeout(1)
end = time.time() + 30
served = 0
while served < count and time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    pid, peer_uid, _ = struct.unpack("3i", c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    with open(record, "a") as out:
        out.write(f"uid={peer_uid} eff={fields['CapEff']} prm={fields['CapPrm']} "
                  f"amb={fields['CapAmb']} nnp={fields['NoNewPrivs']}\n")
    request = c.recv(4096)
    if len(request) == 10 and request[0] == VERSION and request[1] == OWNER:
        c.send(struct.pack("!BBHIB", VERSION, OWNER | REPLY, 0, uid, len(user)) + user)
    c.close()
    served += 1
