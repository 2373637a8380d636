#!/usr/bin/env python3
"""The failover timeline of `make bench` as a PNG: frames received per millisecond around
the cut of the active slave's link, bonding.ko and rbond on one chart.

Usage: plot.py results.json out.png (results.json from tools/bench/bench.py). Run with the
bench venv's Python (matplotlib pinned in tools/bench/requirements.txt).

Each driver's line is the mean over its runs of the frames received in each millisecond
(the stream sends one per millisecond), each run aligned on its own cut, drawn as a 10 ms
moving average (bold) over the raw per-millisecond mean (faint): under TCG frames arrive in
bursts of several per millisecond. The dip after the cut is the failover:
its depth and width come from where in the 100 ms MII period each cut fell.
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"bonding": "#1f77b4", "rbond": "#d62728"}
NAMES = {"bonding": "bonding.ko", "rbond": "rbond"}


def moving_average(values, width):
    half = width // 2
    out = []
    for i in range(len(values)):
        window = values[max(0, i - half):i + half + 1]
        out.append(sum(window) / len(window))
    return out


def main():
    src, png = sys.argv[1], sys.argv[2]
    with open(src) as f:
        result = json.load(f)
    tl = result["failover_timeline"]
    gaps = {row_drv: row[row_drv]["median"] for row in result["summary"]
            if row["metric"] == "gap_ms" for row_drv in NAMES}
    lost = {row_drv: row[row_drv]["median"] for row in result["summary"]
            if row["metric"] == "lost" for row_drv in NAMES}
    xs = list(range(tl["from_ms"], tl["to_ms"]))
    fig, ax = plt.subplots(figsize=(10, 4.8), dpi=110)
    for drv in NAMES:
        if drv not in tl:
            continue
        mean = tl[drv]["mean"]
        ax.step(xs, mean, where="post", color=COLORS[drv], alpha=0.2, linewidth=0.7)
        label = f"{NAMES[drv]} ({tl[drv]['runs']} runs"
        if gaps.get(drv) is not None:
            label += f"; median gap {gaps[drv]:.0f} ms, {lost[drv]:.0f} lost"
        ax.plot(xs, moving_average(mean, 10), color=COLORS[drv], linewidth=2, label=label + ")")
    ax.set_ylim(0, 3)
    ax.axvline(0, color="black", linestyle="--", linewidth=1)
    ax.text(2, 2.9, "link cut", va="top", fontsize=9)
    ax.set_xlim(tl["from_ms"], tl["to_ms"])
    ax.set_xlabel("ms after the active slave's link is cut")
    ax.set_ylabel("frames received per ms (mean over runs)")
    settings = result.get("settings", {})
    ax.set_title("Failover, active-backup, miimon 100: a UDP stream of 1 frame every "
                 f"{settings.get('FAILOVER_INTERVAL_US', 1000)} µs (pktgen), received in the peer",
                 fontsize=10)
    ax.legend(loc="upper right", fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
