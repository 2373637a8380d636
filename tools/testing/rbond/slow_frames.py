#!/usr/bin/env python3
"""Sends bad and random Slow Protocols frames (and some others) out of a device, from a raw
socket, and prints how many of each kind went out, as the 802.3ad receive path counts them:

  illegal         to the LACP address, EtherType 0x8809, shorter than a PDU (110 bytes)
  unknown         to the LACP address, 0x8809, at least 110 bytes, a subtype not LACP or Marker
  marker_unknown  a Marker (subtype 2) whose TLV type is neither Information nor Response
  marker_info     a Marker Information, which the bond must answer
  lacpdu          a LACPDU (subtype 1) of random content
  other           0x8809 to another address, or another EtherType to the LACP address:
                  not 802.3ad's to count

Lengths run from 0 to the device's MTU (oversized PDUs included). The same seed gives the
same frames. Usage: slow_frames.py DEV COUNT [SEED]
"""

import random
import socket
import sys

SLOW_MCAST = bytes.fromhex("0180c2000002")
ETH_P_SLOW = b"\x88\x09"
PDU_LEN = 110

# Kind, weight: mostly what must be counted and dropped; a few LACPDUs and Marker
# Information frames, which the state machines and the responder act on.
KINDS = [("illegal", 40), ("unknown", 30), ("marker_unknown", 15), ("other", 12),
         ("marker_info", 2), ("lacpdu", 1)]


def frame(rng, kind, src, mtu):
    dst, ethertype = SLOW_MCAST, ETH_P_SLOW
    if kind == "illegal":
        body = rng.randbytes(rng.randrange(0, PDU_LEN))
    else:
        body = bytearray(rng.randbytes(rng.randrange(PDU_LEN, mtu + 1)))
        if kind == "unknown":
            body[0] = rng.choice([0, 3, 4, 10, 0x7f, 0xff])
        elif kind == "marker_unknown":
            body[0], body[2] = 2, rng.choice([0, 3, 9, 0xff])
        elif kind == "marker_info":
            body[0], body[2] = 2, 1
        elif kind == "lacpdu":
            body[0] = 1
        elif kind == "other":
            if rng.random() < 0.5:
                dst = bytes([0x01, 0x80, 0xc2, 0, 0, rng.choice([0, 1, 3, 0x0e])])
            else:
                ethertype = rng.choice([b"\x08\x00", b"\x88\xcc", b"\x88\x08", b"\x12\x34"])
        body = bytes(body)
    return dst + src + ethertype + body


def main():
    dev, count = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 8023)
    with open(f"/sys/class/net/{dev}/mtu") as f:
        mtu = int(f.read())
    with open(f"/sys/class/net/{dev}/address") as f:
        src = bytes.fromhex(f.read().strip().replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    names = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    sent = {k: 0 for k in names}
    for _ in range(count):
        kind = rng.choices(names, weights)[0]
        s.send(frame(rng, kind, src, mtu))
        sent[kind] += 1
    print(" ".join(f"{k}={v}" for k, v in sent.items()))


if __name__ == "__main__":
    main()
