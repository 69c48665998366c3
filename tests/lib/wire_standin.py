#!/usr/bin/env python3
"""What VirtualBox or VMware do with a student's login link, without them:
a bridged adapter hooks the device in the kernel and sends the guest's
frames "to the wire", i.e. transmits them on that device.  This sends an
ICMP echo request from a made-up guest (SRC_MAC, SRC_IP) to DST_IP via
DST_MAC by transmitting it on DEV (AF_PACKET, as the hook does), then
waits for the echo reply to come back on DEV.  Exit 0 when it does.

DST_MAC "arp" first asks for DST_IP as a guest would (an ARP request,
broadcast, which also tells DST_IP where SRC_IP is), takes DST_MAC from
the reply that comes back on DEV and prints "DST_IP is-at MAC".

    wire_standin.py DEV SRC_MAC SRC_IP DST_MAC|arp DST_IP
"""
import socket
import struct
import sys
import time

ETH_P_ALL, ETH_P_IP, ETH_P_ARP = 0x0003, 0x0800, 0x0806


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def mac(text):
    return bytes.fromhex(text.replace(":", ""))


def exchange(s, frame, answer):
    """Sends frame up to 5 times (bounded: ~0.5 s each) until a frame
    received on the socket satisfies answer(frame), which returns a
    value; returns that value, or None."""
    for _ in range(5):
        s.send(frame)
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            try:
                got = s.recv(2048)
            except socket.timeout:
                continue
            value = answer(got)
            if value is not None:
                return value
    return None


def arp_resolve(s, src_mac, src_ip, dst_ip):
    arp = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 1) + src_mac + socket.inet_aton(src_ip) + \
        b"\0" * 6 + socket.inet_aton(dst_ip)
    frame = b"\xff" * 6 + src_mac + struct.pack("!H", ETH_P_ARP) + arp

    def is_reply(got):
        if (len(got) >= 42 and got[0:6] == src_mac and got[12:14] == struct.pack("!H", ETH_P_ARP)
                and struct.unpack("!H", got[20:22])[0] == 2 and got[28:32] == socket.inet_aton(dst_ip)):
            return got[22:28]
        return None
    return exchange(s, frame, is_reply)


def main():
    dev, src_mac, src_ip, dst_mac, dst_ip = sys.argv[1:6]
    src_mac = mac(src_mac)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((dev, 0))
    s.settimeout(0.1)
    if dst_mac == "arp":
        dst = arp_resolve(s, src_mac, src_ip, dst_ip)
        if dst is None:
            print(f"no ARP reply for {dst_ip} on {dev}")
            return 1
        print(f"{dst_ip} is-at {dst.hex(':')}")
    else:
        dst = mac(dst_mac)

    ident = 0x766E
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"vmnet wire stand-in"
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    frame = dst + src_mac + struct.pack("!H", ETH_P_IP) + ip + icmp

    def is_echo_reply(got):
        if (len(got) >= 42 and got[0:6] == src_mac and got[12:14] == struct.pack("!H", ETH_P_IP)
                and got[23] == 1 and got[26:30] == socket.inet_aton(dst_ip) and got[34] == 0
                and struct.unpack("!H", got[38:40])[0] == ident):
            return True
        return None
    if exchange(s, frame, is_echo_reply):
        print(f"echo reply from {dst_ip} came back on {dev}")
        return 0
    print(f"no echo reply from {dst_ip} on {dev}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
