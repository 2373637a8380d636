#!/usr/bin/env python3
"""`make selftests`: the kernel's own bonding selftests, unmodified, against rbond or bonding.ko.

The scripts are tools/testing/selftests/drivers/net/bonding of the extracted linux-source tree
(the ones its Makefile lists in TEST_PROGS, in its order), with their libraries beside them.
Each runs in a fresh VM (tools/testing/kselftest_guest.sh) with the time limit of its
`settings` file; the modules it would autoload are loaded first. kselftest's exit codes: 0
pass, 4 skip, anything else (and a timeout) fail.

Prints a table of script, result and seconds, then "N passed, N failed" (skips count as
neither and are listed); exits non-zero on a failure. SELFTESTS_IN_CHECK are the scripts that
pass against rbond today: `make check` runs them too, so they stay passing.
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# Passing against rbond today; each later mode or monitor issue moves more scripts here.
SELFTESTS_IN_CHECK = [
    "bond-arp-interval-causes-panic.sh",
    "bond-break-lacpdu-tx.sh",
    "bond-eth-type-change.sh",
    "bond-lladdr-target.sh",
    "bond_macvlan_ipvlan.sh",
    "dev_addr_lists.sh",
    "mode-1-recovery-updelay.sh",
    "mode-2-recovery-updelay.sh",
]
BONDING_DIR = "drivers/net/bonding"
RESULT = re.compile(r"^KSELFTEST-RESULT (\d+) (\d+)$", re.M)


def selftest_root(args):
    return os.path.join(args.build, "linux-source-6.12", "tools", "testing", "selftests")


def listed_scripts(root):
    """TEST_PROGS of the bonding selftests' Makefile, in order."""
    with open(os.path.join(root, BONDING_DIR, "Makefile")) as f:
        text = f.read().replace("\\\n", " ")
    m = re.search(r"^TEST_PROGS\s*:?=(.*)$", text, re.M)
    return m.group(1).split()


def time_limit(root):
    with open(os.path.join(root, BONDING_DIR, "settings")) as f:
        m = re.search(r"^timeout=(\d+)", f.read(), re.M)
    return int(m.group(1)) if m else 45


def run_one(args, run_vm, driver, script):
    """Runs one script in its own VM. Returns (result, seconds, console log)."""
    root = selftest_root(args)
    limit = int(time_limit(root) * args.slow)
    log_name = f"selftest-{driver}-{script[:-3]}"
    rc, out, console, secs = run_vm(args, "tools/testing/kselftest_guest.sh", log_name,
                                    timeout=limit / args.slow + 120,
                                    script_args=[driver, script, str(limit)],
                                    shares=[f"selftests={root}"], kmemleak=False)
    m = RESULT.search(out)
    if not m:
        return f"fail (no result; VM status {rc})", secs, console
    code = int(m.group(1))
    result = {0: "pass", 4: "skip", 124: "fail (timeout)"}.get(code, f"fail (exit {code})")
    return result, int(m.group(2)), console


def main():
    import run_tests
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--modules", required=True)
    ap.add_argument("--driver", choices=["rbond", "bonding"], default="rbond")
    ap.add_argument("--only", default="", help="space-separated script names to run")
    ap.add_argument("--slow", type=float, default=1.0)
    ap.add_argument("--profile", choices=["normal", "debug"], default="normal")
    args = ap.parse_args()
    args.build = os.path.dirname(os.path.abspath(args.kernel))
    root = selftest_root(args)
    scripts = listed_scripts(root)
    if args.only:
        wanted = args.only.split()
        unknown = [s for s in wanted if s not in scripts]
        if unknown:
            sys.exit(f"selftests: not in {BONDING_DIR}/Makefile: {' '.join(unknown)}")
        scripts = [s for s in scripts if s in wanted]

    rows, passed, failed, skipped = [], 0, 0, 0
    for script in scripts:
        print(f"== {BONDING_DIR}/{script} ({args.driver})", flush=True)
        result, secs, console = run_one(args, run_tests.run_vm, args.driver, script)
        reports = run_tests.console_reports(console)
        if reports and result == "pass":
            result = "fail (kernel reports)"
        for line in reports[:10]:
            print(f"    {line}")
        print(f"  {result} in {secs} s (console: {console})", flush=True)
        rows.append((script, result, secs))
        if result == "pass":
            passed += 1
        elif result == "skip":
            skipped += 1
        else:
            failed += 1

    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"\n{'script':<{width}}  {'result':<24} seconds   ({args.driver})")
    for script, result, secs in rows:
        print(f"{script:<{width}}  {result:<24} {secs:>7}")
    return run_tests.finish(passed, failed, skipped)


if __name__ == "__main__":
    sys.exit(main())
