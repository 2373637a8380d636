#!/usr/bin/env python3
"""`make bench`: rbond against bonding.ko, side by side, in the same VM.

Boots the test kernel under QEMU (tools/testing/vm/run_vm.py) and runs tools/bench/guest.sh
there, which measures each scenario with bonding.ko and rbond.ko in alternation (one driver
loaded at a time). iperf3 gets a VM of its own with one vCPU: its client and server share CPU 0
anyway, and a second vCPU's interleaving under TCG moved a run's TCP rate by up to 10%, where
one vCPU keeps runs within about 0.3% of each other. Here, on the host: the median and the spread
(min-max) of each driver's numbers, the ratio rbond / bonding.ko, the modules' sizes, and the
failover timeline. Writes into --out (default build/bench):

  results.md     the table (also printed at the end)
  results.json   the same, every run's numbers, the settings, the failover timeline
  failover.png   frames received per millisecond around the link cut, both drivers
  guest.log, console*.log, raw/  what the VMs printed, their kernel logs, the raw failover
                                 captures

The PNG needs matplotlib: it is installed, pinned by tools/bench/requirements.txt, into a venv
(--venv, default build/bench-venv) made on first use and remade when that file changes.
Standard library only otherwise. The benchmark never fails on a number: it fails (exit 1)
when a measurement could not be made.
"""

import argparse
import datetime
import glob
import hashlib
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DRIVERS = ("bonding", "rbond")

# Guest settings (tools/bench/guest.sh KEY=VALUE) for a full run and for BENCH_QUICK.
FULL = {"PKTGEN_COUNT": 300000, "IPERF_SECS": 2, "IPERF_STREAMS": "1 4",
        "FAILOVER_INTERVAL_US": 1000, "FAILOVER_PRE_MS": 500, "FAILOVER_POST_MS": 1000,
        "FOOTPRINT_BONDS": 100}
QUICK = {"PKTGEN_COUNT": 50000, "IPERF_SECS": 1, "IPERF_STREAMS": "1 4",
         "FAILOVER_INTERVAL_US": 1000, "FAILOVER_PRE_MS": 300, "FAILOVER_POST_MS": 500,
         "FOOTPRINT_BONDS": 20}

# What the table shows: (scenario, metric, label, unit, scale, better, extra filter).
METRICS = [
    ("pktgen", "pps", "pktgen transmit, 3 dummy slaves, 64-byte frames", "kpps", 1e-3, "higher", {}),
    ("iperf", "bps", "iperf3 TCP over 3 veth slaves, 1 stream", "Gbit/s", 1e-9, "higher", {"streams": 1}),
    ("iperf", "bps", "iperf3 TCP over 3 veth slaves, 4 streams", "Gbit/s", 1e-9, "higher", {"streams": 4}),
    ("failover", "gap_ms", "failover gap (miimon 100, active slave's link cut)", "ms", 1, "lower", {}),
    ("failover", "lost", "failover: frames lost (1 per ms)", "frames", 1, "lower", {}),
    ("failover", "baseline_gap_ms", "longest gap before the cut (jitter of the VM)", "ms", 1, "lower", {}),
    ("footprint", "kernel_kb", "memory per bond with 3 slaves (Slab+KernelStack+Percpu)", "KiB", None, "lower", {}),
    ("footprint", "used_kb", "memory per bond, MemTotal-MemFree (noisier)", "KiB", None, "lower", {}),
    ("footprint", "create_ms", "create {bonds} bonds of 3 slaves (ip -batch)", "ms", 1, "lower", {}),
    ("footprint", "delete_ms", "delete them (ip link del group)", "ms", 1, "lower", {}),
]


def ensure_venv(venv, requirements):
    """Python of a venv with the pinned requirements; (re)made when the file's hash changes."""
    with open(requirements, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    stamp = os.path.join(venv, ".requirements.sha256")
    python = os.path.join(venv, "bin", "python")
    try:
        with open(stamp) as f:
            if f.read().strip() == digest and os.path.exists(python):
                return python
    except OSError:
        pass
    print(f"bench: making {venv} from {os.path.relpath(requirements, REPO)}", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    pip_args = ["install", "--disable-pip-version-check", "--quiet", "--only-binary=:all:",
                "-r", requirements]
    if subprocess.run([sys.executable, "-m", "venv", venv]).returncode == 0:
        ok = subprocess.run([python, "-m", "pip"] + pip_args).returncode == 0
    else:
        # No ensurepip (Debian without python3-venv): a bare venv, filled by this Python's pip.
        shutil.rmtree(venv, ignore_errors=True)
        ok = (subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv]).returncode == 0
              and subprocess.run([sys.executable, "-m", "pip", "--python", python] + pip_args)
              .returncode == 0)
    if not ok:
        raise RuntimeError(f"could not make the venv {venv} (is python3-venv or pip installed?)")
    with open(stamp, "w") as f:
        f.write(digest + "\n")
    return python


def elf_sizes(path):
    """Berkeley `size` of an ELF64 little-endian object: text (incl. rodata), data, bss."""
    with open(path, "rb") as f:
        elf = f.read()
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    text = data = bss = 0
    for i in range(shnum):
        _, sh_type, flags, _, _, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        if not flags & 0x2:  # SHF_ALLOC
            continue
        if sh_type == 8:  # SHT_NOBITS
            bss += size
        elif flags & 0x1:  # SHF_WRITE
            data += size
        else:
            text += size
    return {"file_bytes": os.path.getsize(path), "text": text, "data": data, "bss": bss}


def find_bonding_ko(kernel):
    found = glob.glob(os.path.join(kernel, "mod-staging", "lib", "modules", "*", "kernel",
                                   "drivers", "net", "bonding", "bonding.ko"))
    return found[0] if found else None


def run_guest(args, settings, log_path, cpus=None, console="console.log"):
    """Runs guest.sh in a VM (`cpus` vCPUs, else run_vm.py's default); returns (BENCH
    records, exit status). Streams progress, appending what the VM prints to `log_path`."""
    cmd = [sys.executable, os.path.join(REPO, "tools", "testing", "vm", "run_vm.py"),
           "--kernel", args.kernel, "--modules", args.modules, "--timeout", str(args.timeout),
           "--out-dir", os.path.join(args.out, "raw"),
           "--console-log", os.path.join(args.out, console)]
    if cpus:
        cmd += ["--cpus", str(cpus)]
    if args.icount:
        cmd += ["--qemu-arg=-icount", "--qemu-arg=shift=0,align=off,sleep=off"]
    cmd += ["tools/bench/guest.sh"]
    cmd += [f"{k}={v}" for k, v in settings.items()]
    records = []
    with open(log_path, "a") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        for line in proc.stdout:
            log.write(line)
            log.flush()
            if line.startswith("BENCH {"):
                rec = json.loads(line[6:])
                records.append(rec)
                print("  " + describe(rec), flush=True)
            elif not line.startswith("BENCH-DONE"):
                print(line.rstrip(), flush=True)
        rc = proc.wait()
    return records, rc


def describe(rec):
    """One short progress line for a BENCH record."""
    if rec["scenario"] == "config":
        return f"guest: kernel {rec.get('kernel')}, {rec.get('cpus')} CPUs, {rec.get('mem_kb')} kB"
    head = f"{rec['scenario']:9} {rec['mode']:13} rep {rec['rep']:2} {rec['driver']:7}"
    if "error" in rec:
        return f"{head} ERROR: {rec['error']}"
    keys = {"pktgen": ["pps", "sent", "slave_tx"], "iperf": ["streams", "bps", "retransmits"],
            "failover": ["gap_ms", "lost", "baseline_gap_ms"],
            "footprint": ["kernel_kb", "used_kb", "create_ms", "delete_ms"]}[rec["scenario"]]
    return head + " " + " ".join(f"{k}={rec.get(k)}" for k in keys)


def summarize(records, modes):
    """Rows of the table: one per metric and mode, with both drivers' values."""
    rows = []
    for scenario, metric, label, unit, scale, better, extra in METRICS:
        for mode in modes:
            values = {}
            for drv in DRIVERS:
                vals = []
                for r in records:
                    if (r["scenario"] == scenario and r["driver"] == drv and r["mode"] == mode
                            and "error" not in r and metric in r
                            and all(r.get(k) == v for k, v in extra.items())):
                        v = r[metric]
                        if scale is None:  # per bond
                            v = v / max(r.get("bonds", 1), 1)
                        else:
                            v = v * scale
                        vals.append(v)
                values[drv] = vals
            if not any(values.values()):
                continue
            bonds = next((r.get("bonds") for r in records if r["scenario"] == scenario), "")
            row = {"scenario": scenario, "metric": metric, "label": label.format(bonds=bonds), "mode": mode,
                   "unit": unit, "better": better}
            row.update({k: v for k, v in extra.items()})
            for drv in DRIVERS:
                vals = values[drv]
                row[drv] = {"values": [round(v, 4) for v in vals], "n": len(vals),
                            "median": statistics.median(vals) if vals else None,
                            "min": min(vals) if vals else None, "max": max(vals) if vals else None}
            b, r = row["bonding"]["median"], row["rbond"]["median"]
            row["ratio"] = (r / b) if b and r is not None else None
            rows.append(row)
    return rows


def fmt(x):
    if x is None:
        return "-"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(stats):
    if not stats["n"]:
        return "-"
    return f"{fmt(stats['median'])} ({fmt(stats['min'])}–{fmt(stats['max'])})"


def markdown(rows, modules, meta):
    out = []
    out.append(f"rbond against bonding.ko, {meta['date']}: Linux {meta['kernel']} under QEMU TCG, "
               f"{meta['cpus']} vCPUs, {meta['mem_mb']} MiB; {meta['reps']} runs per driver "
               f"({meta['failover_reps']} for failover), the two drivers alternating. "
               "Median (min–max); ratio = rbond median / bonding.ko median.")
    out.append("")
    out.append("| Scenario | Mode | Unit | bonding.ko | rbond | rbond / bonding.ko | Better |")
    out.append("|---|---|---|---|---|---|---|")
    for row in rows:
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
        out.append(f"| {row['label']} | {row['mode']} | {row['unit']} | {cell(row['bonding'])} "
                   f"| {cell(row['rbond'])} | {ratio} | {row['better']} |")
    b, r = modules.get("bonding", {}), modules.get("rbond", {})
    for key, label in [("file_bytes", ".ko file"), ("text", ".ko text+rodata (size)"),
                       ("data", ".ko data"), ("coresize", "loaded (/sys/module/*/coresize)")]:
        if key in b and key in r:
            ratio = f"{r[key] / b[key]:.2f}" if b[key] else "-"
            out.append(f"| module size: {label} | - | KiB | {b[key] / 1024:.0f} | {r[key] / 1024:.0f} "
                       f"| {ratio} | lower |")
    out.append("")
    out.append(f"Settings: {meta['settings_text']}. Wall time {meta['wall']:.0f} s.")
    return "\n".join(out) + "\n"


def failover_timeline(raw_dir, records, before_ms, after_ms):
    """Per driver: frames received in each ms around the cut, as the mean over its runs."""
    out = {"from_ms": -before_ms, "to_ms": after_ms}
    for drv in DRIVERS:
        runs = []
        for r in records:
            if r["scenario"] != "failover" or r["driver"] != drv or "error" in r:
                continue
            counts = [0] * (before_ms + after_ms)
            try:
                with open(os.path.join(raw_dir, r["raw"])) as f:
                    for line in f:
                        i = int(float(line.split()[0]) // 1) + before_ms
                        if 0 <= i < len(counts):
                            counts[i] += 1
            except OSError:
                continue
            runs.append(counts)
        if runs:
            out[drv] = {"runs": len(runs),
                        "mean": [round(sum(c) / len(runs), 3) for c in zip(*runs)],
                        "each": runs}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True, help="kernel build directory (bzImage, mod-staging)")
    ap.add_argument("--modules", required=True, help="directory holding rbond.ko")
    ap.add_argument("--out", default=os.path.join(REPO, "build", "bench"))
    ap.add_argument("--venv", default=os.path.join(REPO, "build", "bench-venv"))
    ap.add_argument("--reps", type=int, help="runs per driver and scenario (BENCH_REPS; default 5, "
                    "2 with --quick)")
    ap.add_argument("--icount", action="store_true",
                    help="run the guest on QEMU's instruction counter (-icount shift=0): its clock "
                         "advances by the instructions it executes, not by host time, so rates "
                         "measure work per frame whatever else the host is doing")
    ap.add_argument("--failover-reps", type=int, help="runs per driver of the failover (default 2x reps)")
    ap.add_argument("--quick", action="store_true", help="small counts, for a look (BENCH_QUICK)")
    ap.add_argument("--modes", help="the modes to measure, as guest.sh's BENCH_MODES "
                    "(default: every mode rbond implements)")
    ap.add_argument("--scenarios", default="pktgen iperf failover footprint")
    ap.add_argument("--timeout", type=float, help="seconds for the VM (default: from --reps)")
    ap.add_argument("--no-plot", action="store_true", help="skip the PNG (no venv needed)")
    args = ap.parse_args()
    args.out = os.path.abspath(args.out)
    args.kernel = os.path.abspath(args.kernel)
    args.modules = os.path.abspath(args.modules)
    if args.reps is None:
        args.reps = 2 if args.quick else 5

    settings = dict(QUICK if args.quick else FULL)
    settings["BENCH_REPS"] = args.reps
    settings["FAILOVER_REPS"] = args.failover_reps or 2 * args.reps
    settings["BENCH_SCENARIOS"] = args.scenarios
    if args.modes:
        settings["BENCH_MODES"] = args.modes
    if args.timeout is None:
        args.timeout = 300 + (60 if args.quick else 280) * (args.reps + settings["FAILOVER_REPS"] / 4)

    os.makedirs(args.out, exist_ok=True)
    shutil.rmtree(os.path.join(args.out, "raw"), ignore_errors=True)
    os.makedirs(os.path.join(args.out, "raw"))
    python = None
    if not args.no_plot:  # before the VM: a broken venv should not cost a whole run
        python = ensure_venv(args.venv, os.path.join(HERE, "requirements.txt"))

    start = time.monotonic()
    print(f"bench: {args.reps} runs per driver and scenario"
          f"{' (quick)' if args.quick else ''}; expect "
          f"{'a few minutes' if args.quick else 'about 15-20 minutes on 2 cores'}", flush=True)
    log_path = os.path.join(args.out, "guest.log")
    open(log_path, "w").close()
    scenarios = args.scenarios.split()
    records, rc = [], 0
    main_scenarios = [x for x in scenarios if x != "iperf"]
    if main_scenarios:
        records, rc = run_guest(args, dict(settings, BENCH_SCENARIOS=" ".join(main_scenarios)),
                                log_path)
    if "iperf" in scenarios:
        recs, irc = run_guest(args, dict(settings, BENCH_SCENARIOS="iperf"), log_path, cpus=1,
                              console="console-iperf.log")
        records += [r for r in recs if r["scenario"] != "config" or not records]
        rc = rc or irc
    wall = time.monotonic() - start

    config = next((r for r in records if r["scenario"] == "config"), {})
    modes = (config.get("modes") or "").split()
    runs = [r for r in records if r["scenario"] != "config"]
    errors = [r for r in runs if "error" in r]

    modules = {}
    bonding_ko = find_bonding_ko(args.kernel)
    if bonding_ko:
        modules["bonding"] = elf_sizes(bonding_ko)
    modules["rbond"] = elf_sizes(os.path.join(args.modules, "rbond.ko"))
    for drv in DRIVERS:
        cores = [r["coresize"] for r in runs if r["driver"] == drv and "coresize" in r]
        if cores and drv in modules:
            modules[drv]["coresize"] = cores[0]

    rows = summarize(runs, modes)
    meta = {"date": datetime.date.today().isoformat(), "kernel": config.get("kernel", "?"),
            "cpus": config.get("cpus", "?"), "mem_mb": int(config.get("mem_kb", 0)) // 1024,
            "reps": args.reps, "failover_reps": settings["FAILOVER_REPS"], "wall": wall,
            "settings_text": (
                f"pktgen {settings['PKTGEN_COUNT']} frames (clone_skb 0, burst 1); "
                f"iperf3 {settings['IPERF_SECS']} s per run, in a VM of its own with 1 vCPU, after one "
                f"unmeasured run; "
                f"failover: pktgen 1 frame every {settings['FAILOVER_INTERVAL_US']} us, cut after "
                f"{settings['FAILOVER_PRE_MS']} ms, {settings['FAILOVER_POST_MS']} ms more, "
                f"tcpdump timestamps; footprint {settings['FOOTPRINT_BONDS']} bonds of 3 dummy slaves")}
    table = markdown(rows, modules, meta)
    timeline = failover_timeline(os.path.join(args.out, "raw"), runs, 100, 300)

    result = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
              "settings": settings, "guest": config, "wall_seconds": round(wall, 1),
              "modules": modules, "summary": rows, "runs": runs, "errors": errors,
              "failover_timeline": timeline, "vm_exit_status": rc}
    json_path = os.path.join(args.out, "results.json")
    with open(json_path, "w") as f:
        json.dump(result, f, indent=1)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(table)

    status = 0
    if python:
        png = os.path.join(args.out, "failover.png")
        plot = subprocess.run([python, os.path.join(HERE, "plot.py"), json_path, png])
        if plot.returncode != 0:
            print("bench: the plot failed", file=sys.stderr)
            status = 1
    print()
    print(table)
    print(f"bench: {args.out}/results.md, results.json"
          f"{', failover.png' if python else ''}; {len(runs)} measurements in {wall:.0f} s")
    if rc != 0 or errors or not runs:
        print(f"bench: {len(errors)} measurements failed; VM exit status {rc}"
              f" (see {os.path.join(args.out, 'guest.log')})", file=sys.stderr)
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
