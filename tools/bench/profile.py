#!/usr/bin/env python3
"""`make profile`: perf profiles of a bench scenario, bonding.ko and rbond side by side.

Boots the bench's VM with the kernel tree's perf shared in (tools/bench/profile.sh runs
there), demangles the Rust symbols with rustfilt, and writes build/bench/profile-<driver>.txt
(each report whole) and build/bench/profile.md: the top symbols of both drivers in one table,
for reading where the time of one goes that the other does not spend.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DRIVERS = ["bonding", "rbond"]


def top(path, n):
    """(header, [(percent, symbol)]) of a demangled report."""
    header, rows = "", []
    with open(path) as f:
        for line in f:
            if line.startswith("# ") and not header and "while sampled" in line:
                header = line[2:].strip()
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[0].endswith("%") and parts[1].startswith("["):
                # perf pads the symbol and ends the line with empty columns ("-").
                symbol = parts[2].strip()
                while symbol.endswith(" -"):
                    symbol = symbol[:-2].rstrip()
                rows.append((parts[0], symbol))
    return header, rows[:n]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--modules", required=True)
    ap.add_argument("--perf", required=True, help="directory holding the perf binary")
    ap.add_argument("--rustfilt", required=True)
    ap.add_argument("--out", default=os.path.join(REPO, "build", "bench"))
    ap.add_argument("--mode", default="balance-rr")
    ap.add_argument("--scenario", choices=["pktgen", "iperf"], default="pktgen")
    ap.add_argument("--count", type=int,
                    help="pktgen: frames (default 300000); iperf: seconds (default 4)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--icount", action="store_true",
                    help="guest on QEMU's instruction counter, as bench.py --icount: samples "
                         "then fall by instructions executed, not by host time")
    a = ap.parse_args()
    if a.count is None:
        a.count = 300000 if a.scenario == "pktgen" else 4
    raw = os.path.join(a.out, "profile-raw")
    os.makedirs(raw, exist_ok=True)
    rc = subprocess.call([sys.executable, os.path.join(REPO, "tools/testing/vm/run_vm.py"),
                          "--kernel", a.kernel, "--modules", a.modules, "--timeout", "900",
                          "--share", f"perf={a.perf}", "--out-dir", raw]
                         + (["--qemu-arg=-icount", "--qemu-arg=shift=0,align=off,sleep=off"] if a.icount else [])
                         + ["tools/bench/profile.sh", a.mode, str(a.count), a.scenario], cwd=REPO)
    tables = {}
    for drv in DRIVERS:
        src = os.path.join(raw, f"profile-{drv}.txt")
        if not os.path.exists(src):
            print(f"profile: no report from {drv}")
            return 1
        dst = os.path.join(a.out, f"profile-{drv}.txt")
        with open(src) as i, open(dst, "w") as o:
            subprocess.run([a.rustfilt], stdin=i, stdout=o, check=True)
        tables[drv] = top(dst, a.top)
    with open(os.path.join(a.out, "profile.md"), "w") as f:
        f.write(f"perf (cpu-clock, all CPUs, 1000 Hz) during the {a.scenario} scenario, {a.mode}\n\n")
        for drv in DRIVERS:
            f.write(f"- {drv}: {tables[drv][0]}\n")
        f.write(f"\n| # | bonding.ko | % | rbond | % |\n|---|---|---|---|---|\n")
        b, r = tables["bonding"][1], tables["rbond"][1]
        for i in range(max(len(b), len(r))):
            bs, bp = (b[i][1], b[i][0]) if i < len(b) else ("", "")
            rs, rp = (r[i][1], r[i][0]) if i < len(r) else ("", "")
            f.write(f"| {i + 1} | `{bs}` | {bp} | `{rs}` | {rp} |\n")
    print(f"profile: {os.path.join(a.out, 'profile.md')}, profile-bonding.txt, profile-rbond.txt")
    return rc


if __name__ == "__main__":
    sys.exit(main())
