#!/usr/bin/env python3
"""Sends a fixed, deterministic set of flows as raw Ethernet frames on one interface.

    flows.py DEV [CATEGORY...]

One frame per flow, written with an AF_PACKET socket (the stack hands it to DEV with
skb->protocol set to the frame's EtherType and the network header after the Ethernet header,
as for any packet). CATEGORY is any of the names in CATEGORIES (default: all); each makes
64 flows that differ in addresses, ports or identifiers, so that every xmit_hash_policy spreads
them over the slaves. Prints "sent N" at the end.

Checksums are not filled in: the frames are counted on the slaves, not received.
"""

import socket
import struct
import sys

FLOWS = 64
SRC_MAC = bytes.fromhex("020000000a00")
DST_MAC = bytes.fromhex("020000000b00")


def eth(ethertype, i=0, vary_mac=True):
    """An Ethernet header; with vary_mac the last address bytes follow the flow number."""
    dst = DST_MAC[:5] + bytes([i & 0xff]) if vary_mac else DST_MAC
    src = SRC_MAC[:3] + bytes([0, (i >> 8) & 0xff, (i * 7) & 0xff]) if vary_mac else SRC_MAC
    return dst + src + struct.pack("!H", ethertype)


def ipv4(proto, src, dst, payload, frag=0, ihl=5):
    total = ihl * 4 + len(payload)
    return struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 0x1234, frag, 64, proto, 0,
                       socket.inet_aton(src), socket.inet_aton(dst)) + b"\0" * (ihl * 4 - 20) + payload


def ipv6(nexthdr, src, dst, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nexthdr, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def udp(sport, dport, data=b"rbond"):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def tcp(sport, dport):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 8192, 0, 0)


def v4(i):
    return f"10.{1 + i % 3}.{i // 3}.{i % 251 + 1}", f"10.200.{i % 7}.{(i * 13) % 250 + 1}"


def v6(i):
    return f"2001:db8::{i + 1:x}", f"2001:db8:1::{(i * 29) % 4096 + 1:x}"


def cat_udp4(i):
    s, d = v4(i)
    return eth(0x0800, i) + ipv4(17, s, d, udp(1024 + i * 37, 53 + i % 5))


def cat_tcp4(i):
    s, d = v4(i)
    return eth(0x0800, i) + ipv4(6, s, d, tcp(30000 + i * 11, 80 + (i % 3) * 363))


def cat_udp6(i):
    s, d = v6(i)
    return eth(0x86dd, i) + ipv6(17, s, d, udp(2000 + i * 3, 4000 + i))


def cat_tcp6(i):
    s, d = v6(i)
    return eth(0x86dd, i) + ipv6(6, s, d, tcp(40000 + i, 443))


def cat_frag4(i):
    s, d = v4(i)
    # First fragments (more fragments set) and later ones (an offset): no ports either way.
    frag = 0x2000 if i % 2 == 0 else i + 1
    return eth(0x0800, i) + ipv4(17, s, d, udp(5000 + i, 6000 + i), frag=frag)


def cat_icmp_err4(i):
    # Port unreachable from the destination about a UDP datagram of the flow.
    s, d = v4(i)
    inner = ipv4(17, s, d, udp(7000 + i * 5, 9000 + i))[:28]
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + inner
    return eth(0x0800, i) + ipv4(1, d, s, icmp)


def cat_icmp_err6(i):
    s, d = v6(i)
    inner = ipv6(17, s, d, udp(7100 + i, 9100 + i * 3))[:48]
    icmp = struct.pack("!BBHI", 1, 4, 0, 0) + inner
    return eth(0x86dd, i) + ipv6(58, d, s, icmp)


def cat_echo4(i):
    s, d = v4(i)
    return eth(0x0800, i) + ipv4(1, s, d, struct.pack("!BBHHH", 8, 0, 0, 0x100 + i * 3, i))


def cat_arp(i):
    s, d = v4(i)
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, SRC_MAC, socket.inet_aton(s),
                       b"\0" * 6, socket.inet_aton(d))
    return eth(0x0806, i) + body


def cat_raw(i):
    return eth(0x88b5, i) + bytes([i]) * 46


def cat_gre4(i):
    # IPv4 in GRE in IPv4: the encap policies hash the inner addresses and ports.
    s, d = v4(i)
    inner = ipv4(17, f"192.168.{i}.1", f"192.168.{255 - i}.2", udp(8000 + i, 8100 + i))
    gre = struct.pack("!HH", 0, 0x0800) + inner
    return eth(0x0800, i, vary_mac=False) + ipv4(47, "10.0.0.1", "10.0.0.2", gre)


def cat_vxlan4(i):
    # VXLAN over UDP 4789, the inner frame varying: the dissector does not enter it.
    inner = eth(0x0800, i) + ipv4(17, f"172.16.{i}.1", "172.16.0.2", udp(100 + i, 200))
    vx = struct.pack("!II", 0x08000000, (i + 1) << 8) + inner
    return eth(0x0800, i, vary_mac=False) + ipv4(17, "10.0.0.1", "10.0.0.2", udp(49152 + i, 4789, vx))


CATEGORIES = {
    "udp4": cat_udp4, "tcp4": cat_tcp4, "udp6": cat_udp6, "tcp6": cat_tcp6,
    "frag4": cat_frag4, "icmp-err4": cat_icmp_err4, "icmp-err6": cat_icmp_err6,
    "echo4": cat_echo4, "arp": cat_arp, "raw": cat_raw, "gre4": cat_gre4, "vxlan4": cat_vxlan4,
}


def main():
    dev = sys.argv[1]
    cats = sys.argv[2:] or list(CATEGORIES)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    sent = 0
    for name in cats:
        for i in range(FLOWS):
            frame = CATEGORIES[name](i)
            ethertype = struct.unpack("!H", frame[12:14])[0]
            # The protocol the skb gets (sll_protocol), as a sender of this EtherType would.
            s.sendto(frame, (dev, ethertype))
            sent += 1
    print(f"sent {sent}")


if __name__ == "__main__":
    main()
