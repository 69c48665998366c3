#!/usr/bin/env python3
"""What VMware's bridge driver (vmnet.ko's bridge.c) does with the Linux
device its bridged network is bound to, without VMware, for one guest: the
guest is whatever sits behind GUEST_DEV (the host end of a veth whose other
end is the guest's NIC in a namespace of its own).

VMware bound to BRIDGE (the lab bridge itself, not a port of it):
- hooks BRIDGE with an ETH_P_ALL packet handler and puts it in promiscuous
  mode, so it sees what the bridge passes up to the host (with promiscuity:
  every frame the bridge forwards or floods) and what the host transmits on
  BRIDGE; it hands the guest those for its MAC, broadcast and multicast;
- sends what the guest sends "down", i.e. transmits it on BRIDGE
  (dev_queue_xmit: the bridge forwards it to its ports), unless it is for
  BRIDGE's own MAC;
- and "up", i.e. receives it on BRIDGE as if it came in (netif_rx: the
  host's own stack gets it), when it is for BRIDGE's MAC, broadcast or
  multicast.
"Up" is done here by sending on UP_DEV, whose egress a tc filter redirects
into BRIDGE's ingress (the test sets that up); "down" and the hook are
AF_PACKET sockets on BRIDGE.  What the host sends has its TCP or UDP
checksum left to the hardware (the bridge offers offload); VMware's driver
completes it before its guest sees the frame, and so does this.

    vmware_bridge_standin.py BRIDGE UP_DEV GUEST_DEV GUEST_MAC SECONDS

Prints "ready" once hooked; relays until SECONDS have passed or it is ended.
"""
import select
import socket
import struct
import sys
import time

from wire_standin import checksum

ETH_P_ALL = 0x0003
SOL_PACKET, PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC = 263, 1, 1
PACKET_OUTGOING = 4
PACKET_AUXDATA, TP_STATUS_CSUMNOTREADY = 8, 8


def mac(text):
    return bytes.fromhex(text.replace(":", ""))


def hook(dev):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((dev, 0))
    return s


def send(s, frame):
    """A frame the device cannot take now is dropped, as a NIC drops it."""
    try:
        s.send(frame)
    except OSError:
        pass


def complete_checksum(frame):
    """An IPv4 TCP or UDP frame whose checksum the sender left to the NIC,
    with its checksum computed."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return frame
    ihl = (frame[14] & 0x0F) * 4
    proto, l4 = frame[23], 14 + ihl
    at = {6: 16, 17: 6}.get(proto)
    total = struct.unpack("!H", frame[16:18])[0]
    if at is None or len(frame) < l4 + at + 2 or total < ihl:
        return frame
    segment = bytearray(frame[l4:14 + total])
    segment[at:at + 2] = b"\0\0"
    pseudo = frame[26:34] + struct.pack("!BBH", 0, proto, len(segment))
    value = checksum(bytes(pseudo + segment)) or 0xFFFF
    return frame[:l4 + at] + struct.pack("!H", value) + frame[l4 + at + 2:]


def receive(s):
    """A frame, its packet type, and whether its checksum is still to do."""
    frame, ancillary, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(32))
    partial = any(level == SOL_PACKET and kind == PACKET_AUXDATA and
                  struct.unpack_from("I", data)[0] & TP_STATUS_CSUMNOTREADY
                  for level, kind, data in ancillary)
    return frame, addr[2], partial


def is_group(dst):
    return dst[0] & 1  # broadcast and multicast


def main():
    bridge, up_dev, guest_dev, guest_mac, secs = sys.argv[1:6]
    guest_mac, end = mac(guest_mac), time.monotonic() + float(secs)
    with open(f"/sys/class/net/{bridge}/address") as f:
        bridge_mac = mac(f.read().strip())
    br, up, guest = hook(bridge), hook(up_dev), hook(guest_dev)
    br.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    # promiscuous while hooked, as VMware's dev_set_promiscuity(dev, 1)
    ifindex = socket.if_nametoindex(bridge)
    br.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, struct.pack("iHH8s", ifindex, PACKET_MR_PROMISC, 0, b""))
    print("ready", flush=True)
    while time.monotonic() < end:
        ready, _, _ = select.select([br, guest], [], [], 0.2)
        for s in ready:
            frame, pkttype, partial = receive(s)
            if len(frame) < 14:
                continue
            dst, src = frame[0:6], frame[6:12]
            if s is guest:
                if pkttype == PACKET_OUTGOING or src != guest_mac:
                    continue  # what we gave the guest, or not from it
                if dst != bridge_mac:
                    send(br, frame)  # down: onto the lab through the bridge
                if dst == bridge_mac or is_group(dst):
                    send(up, frame)  # up: to the host, received on the bridge
            elif src != guest_mac and (dst == guest_mac or is_group(dst)):
                # from the lab or the host, for the guest
                send(guest, complete_checksum(frame) if partial else frame)
    return 0


if __name__ == "__main__":
    sys.exit(main())
