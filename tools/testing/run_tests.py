#!/usr/bin/env python3
"""Run every rbond test and end with one line: "N passed, N failed".

1. KUnit: one VM boots with KUnit on; the kernel crate's doctests (and `#[kunit_tests]` suites)
   run at boot, rbond's suites when rbond.ko is loaded. The KTAP on the console is parsed and
   every leaf test counts.
2. Integration: each tools/testing/rbond/*.sh (but lib.sh) runs in a fresh VM; each TAP line
   "ok - ..." / "not ok - ..." it prints counts. A script that dies without saying why counts as
   one failure. Each tools/testing/rbond/pair/*.sh runs in two VMs joined by virtual cables
   (tools/testing/vm/run_pair.py), rbond in one and bonding.ko in the other.

3. The kernel's own bonding selftests that pass against rbond today (tools/testing/kselftests.py,
   SELFTESTS_IN_CHECK there), each in a fresh VM.

Every VM's kernel console is checked for reports (REPORTS: WARN, BUG, oops, KASAN, lockdep,
RCU, sleeping in atomic, UBSAN, kmemleak, ref_tracker, debugobjects, list corruption): one more
check per VM, which fails on any such line.

With --profile debug (make check-debug) the same suites run on the debug kernel
(kernel/debug.config): VM time limits are multiplied by --slow, the guest boots with acpi=off,
and a positive control runs first: a module with a deliberate use-after-free and a deliberate
leak, which KASAN and kmemleak must both report, or the net is empty and the run fails.
KASAN, lockdep and the other checkers are on in every VM. kmemleak, which doubles a debug
guest's time, is on only in the VMs that need it (KMEMLEAK_MARK in a script, the positive
control and KUnit); the others boot with kmemleak=off.
--scale PCT is passed to the guests as RBOND_SCALE (lib.sh's `scaled`: loops that repeat only
to make a race likely run PCT% as many times), and --jobs N runs N VMs at once; each VM's
report is printed whole, in order.

Exit status: 0 when nothing failed, 1 otherwise. Logs land in <build>/test-logs (or
test-logs-debug).
"""

import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
KTAP_RESULT = re.compile(r"^(\s*)(ok|not ok) \d+ (?:- )?([^#]*?)\s*(?:#\s*(.*))?$")
KTAP_SUBTEST = re.compile(r"^(\s*)# Subtest: (.*)$")
TAP_RESULT = re.compile(r"^(ok|not ok) - (.*)$")
# Suites that must have run: a build that silently lost them must not pass.
REQUIRED_SUITES = ["rust_doctests_kernel", "rust_kernel_kunit_tests", "rbond_options", "rbond_params",
                   "rbond_hash", "rbond_lacp_pdu", "rbond_lacp_port", "rbond_lacp", "rbond_tlb", "rbond_rlb",
                   "rbond_ns"]
# Kernel console lines that are reports of a bug, whichever debug option printed them.
REPORTS = re.compile("|".join([
    r"BUG: ", r"WARNING: ", r"Oops", r"general protection fault", r"Kernel panic",
    r"UBSAN: ", r"kmemleak: .*suspected memory leak", r"unreferenced object 0x",
    r"ref_tracker: .*(has|leaked)", r"INFO: lockdep is turned off", r"inconsistent lock state",
    r"suspicious RCU usage", r"Invalid wait context", r"ODEBUG: ", r"list_(add|del) corruption",
    r"refcount_t: ", r"Call Trace:", r"RCU Stall|rcu_sched self-detected stall",
    r"unregister_netdevice: waiting for",
]))


def parse_ktap(lines):
    """Leaf results of KTAP output: (name, passed, skipped), plus the names of all results."""
    results, names, prev_indent, suites = [], [], None, {}
    for raw in lines:
        line = TIMESTAMP.sub("", raw.rstrip("\n"))
        sub = KTAP_SUBTEST.match(line)
        if sub:
            # The results that follow at this indentation belong to this suite.
            suites[len(sub.group(1))] = sub.group(2).strip()
            continue
        m = KTAP_RESULT.match(line)
        if not m:
            continue
        indent, status, name, directive = len(m.group(1)), m.group(2), m.group(3), m.group(4) or ""
        names.append(name)
        is_parent = prev_indent is not None and prev_indent > indent
        prev_indent = indent
        if is_parent:
            continue
        skipped = directive.upper().startswith("SKIP")
        full = f"{suites.get(indent, '?')}.{name}" if indent else name
        results.append((full, status == "ok", skipped))
    return results, names


# A script that carries this line runs with kmemleak on in the debug profile: the suites whose
# subject is object lifetimes (load and unload, teardown under allocation failure, churn,
# error paths, skb clones).
KMEMLEAK_MARK = "# check-debug: kmemleak"


def wants_kmemleak(script):
    with open(script) as f:
        return any(line.strip() == KMEMLEAK_MARK for line in f)


# A script that carries this line runs with QEMU's -icount (guest time counted in executed
# instructions, idle time skipped): its waits on the guest's clock do not stretch, nor its
# timers jump, when the host is loaded (the ARP monitor tests, whose margins are one interval).
ICOUNT_MARK = "# run_tests: icount"


def wants_icount(script):
    with open(script) as f:
        return any(line.strip() == ICOUNT_MARK for line in f)


def run_vm(args, script, log_name, kunit=False, timeout=600, script_args=(), shares=(),
           kmemleak=True, icount=False):
    log_dir = os.path.join(args.build, "test-logs" + ("-debug" if args.profile == "debug" else ""))
    os.makedirs(log_dir, exist_ok=True)
    console = os.path.join(log_dir, f"{log_name}.console.log")
    cmd = [sys.executable, os.path.join(HERE, "vm", "run_vm.py"), "--kernel", args.kernel,
           "--modules", args.modules, "--timeout", str(timeout * args.slow),
           "--console-log", console]
    if kunit:
        cmd.append("--kunit")
    if args.profile == "debug":
        cmd += ["--append", "acpi=off" + ("" if kmemleak else " kmemleak=off")]
    scale = getattr(args, "scale", 100)  # kselftests.py's runs have none
    if scale != 100:
        cmd += ["--env", f"RBOND_SCALE={scale}"]
    if args.slow != 1:
        cmd += ["--env", f"RBOND_SLOW={args.slow:g}"]
    if getattr(args, "cpus", None):
        cmd += ["--cpus", str(args.cpus)]
    for assignment in getattr(args, "env", None) or []:
        cmd += ["--env", assignment]
    for share in shares:
        cmd += ["--share", share]
    if icount:
        cmd += ["--qemu-arg=-icount", "--qemu-arg=shift=0,align=off,sleep=off"]
    cmd.append(script)
    cmd += list(script_args)
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    with open(os.path.join(log_dir, f"{log_name}.out.log"), "w") as f:
        f.write(proc.stdout + proc.stderr)
    return proc.returncode, proc.stdout + proc.stderr, console, time.monotonic() - start


def console_reports(console):
    """The report lines of a VM's kernel console (see REPORTS)."""
    try:
        with open(console, errors="replace") as f:
            return [TIMESTAMP.sub("", l.rstrip("\n")) for l in f if REPORTS.search(l)]
    except FileNotFoundError:
        return ["(no console log)"]


def check_console(console, name, say=print):
    """One check: the VM's kernel console has no report. Returns (passed, failed)."""
    bad = console_reports(console)
    if not bad:
        return 1, 0
    say(f"  FAIL {name}: kernel console has {len(bad)} report line(s) ({console}):")
    for line in bad[:20]:
        say(f"    {line}")
    return 0, 1


def count_tap(output, name, say=print):
    """Counts a script's "ok - "/"not ok - " lines; prints failures with their "#" notes.

    Returns (lines counted, passed, failed)."""
    counted = passed = failed = 0
    for line in output.splitlines():
        m = TAP_RESULT.match(line)
        if m:
            counted += 1
            if m.group(1) == "ok":
                passed += 1
            else:
                failed += 1
                say(f"  FAIL {name}: {m.group(2)}")
        elif line.startswith("#") and counted:
            say(f"    {line}")
    return counted, passed, failed


def positive_control(args, say):
    """Debug profile only: the deliberate use-after-free and leak must both be reported."""
    rc, out, console, secs = run_vm(args, "tools/testing/debug/positive_control.sh",
                                    "positive_control", timeout=300)
    with open(console, errors="replace") as f:
        text = f.read()
    results = [
        ("positive control: KASAN reports the deliberate use-after-free",
         re.search(r"BUG: KASAN: slab-use-after-free in .*rbond_debug_control", text)),
        ("positive control: kmemleak reports the deliberate leak",
         # The module is gone by the scan, so the backtrace has bare addresses: the
         # objects are known by their size, their allocator and the control's 0x5a fill.
         re.search(r"kmemleak: \d+ new suspected memory leak", text)
         and re.search(r'unreferenced object 0x[0-9a-f]+ \(size 128\):\n\s+comm "insmod"'
                       r'.*\n.*hex dump.*\n\s+5a 5a 5a 5a', text)),
        ("positive control: the module loaded and the VM finished", rc == 0),
    ]
    passed = failed = 0
    for what, ok in results:
        if ok:
            passed += 1
        else:
            failed += 1
            say(f"  FAIL {what} (console: {console})\n{out[-2000:]}")
    say(f"  {len(results)} checks in {secs:.0f} s")
    return passed, failed, 0


def kunit(args, say):
    rc, out, console, secs = run_vm(args, "tools/testing/kunit.sh", "kunit", kunit=True)
    passed = failed = skipped = 0
    with open(console, errors="replace") as f:
        results, names = parse_ktap(f)
    for name, ok, skip in results:
        if skip:
            skipped += 1
        elif ok:
            passed += 1
        else:
            failed += 1
            say(f"  FAIL kunit {name}")
    for suite in REQUIRED_SUITES:
        if suite not in names:
            failed += 1
            say(f"  FAIL kunit suite {suite} did not run")
    if rc != 0:
        failed += 1
        say(f"  FAIL kunit VM exited {rc}:\n{out}")
    ok, bad = check_console(console, "kunit", say)
    say(f"  {len(results)} KUnit results in {secs:.0f} s (console: {console})")
    return passed + ok, failed + bad, skipped


def static_checks(args, say):
    res = subprocess.run([sys.executable, os.path.join(args.repo, "tools/testing/check_unsafe.py"),
                          args.repo], capture_output=True, text=True)
    counted, ok, bad = count_tap(res.stdout, "static", say)
    say(f"  {counted} files checked")
    return ok, bad, 0


def integration(args, say, script):
    name = os.path.basename(script)[:-3]
    rc, out, console, secs = run_vm(args, os.path.relpath(script, args.repo), name,
                                    kmemleak=wants_kmemleak(script), icount=wants_icount(script))
    counted, passed, failed = count_tap(out, name, say)
    if rc != 0 and not any(l.startswith("not ok") for l in out.splitlines()):
        failed += 1
        say(f"  FAIL {name}: exited {rc} without a failing check; output:\n{out[-3000:]}")
    ok, bad = check_console(console, name, say)
    say(f"  {counted} checks in {secs:.0f} s")
    return passed + ok, failed + bad, 0


def pair(args, say, script):
    """A two-VM test (tools/testing/vm/run_pair.py): rbond on side a, bonding.ko on side b,
    joined by virtual cables; both sides' checks count, and both consoles are checked."""
    name = "pair-" + os.path.basename(script)[:-3]
    log_dir = os.path.join(args.build, "test-logs" + ("-debug" if args.profile == "debug" else ""))
    os.makedirs(log_dir, exist_ok=True)
    prefix = os.path.join(log_dir, name)
    cmd = [sys.executable, os.path.join(HERE, "vm", "run_pair.py"), "--kernel", args.kernel,
           "--modules", args.modules, "--timeout", str(600 * args.slow),
           "--console-prefix", prefix]
    if args.slow != 1:
        cmd += ["--env", f"RBOND_SLOW={args.slow:g}"]
    if args.profile == "debug":
        # As run_vm() boots the debug kernel: without ACPI, whose _PRT walks timed out on a
        # loaded host (30 s for each PCI device at boot), and without kmemleak's scans.
        cmd += ["--append", "acpi=off" + ("" if wants_kmemleak(script) else " kmemleak=off")]
    cmd.append(os.path.relpath(script, args.repo))
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.monotonic() - start
    out = proc.stdout + proc.stderr
    with open(prefix + ".out.log", "w") as f:
        f.write(out)
    counted, passed, failed = count_tap(out, name, say)
    if proc.returncode != 0 and not any(l.startswith("not ok") for l in out.splitlines()):
        failed += 1
        say(f"  FAIL {name}: exited {proc.returncode} without a failing check; output:\n{out[-3000:]}")
    for side in "ab":
        ok, bad = check_console(f"{prefix}-{side}.console.log", f"{name} side {side}", say)
        passed, failed = passed + ok, failed + bad
    say(f"  {counted} checks in {secs:.0f} s")
    return passed, failed, 0


def selftest(args, say, script):
    import kselftests
    result, secs, console = kselftests.run_one(args, run_vm, "rbond", script)
    passed, failed, skipped = (1, 0, 0) if result == "pass" else (0, 1, 0)
    if failed and args.profile == "debug":
        # The selftests wait on the wall clock (bond-break-lacpdu-tx.sh gives LACP 15 s),
        # which the debug kernel may not meet with either driver. There the test is the
        # comparison: rbond fails only where bonding.ko, on the same kernel, passes.
        c_result, c_secs, c_console = kselftests.run_one(args, run_vm, "bonding", script)
        if c_result != "pass":
            say(f"  bonding.ko fails it on this kernel too ({c_result} in {c_secs:.0f} s, "
                f"logs: {c_console}): skipped, not counted")
            passed, failed, skipped = 0, 0, 1
    if failed:
        say(f"  FAIL selftest {script}: {result} (logs: {console})")
    ok, bad = check_console(console, f"selftest {script}", say)
    say(f"  {result} in {secs:.0f} s")
    return passed + ok, failed + bad, skipped


def units(args):
    """Every unit of the run, in order: (title, function(args, say) -> (passed, failed, skipped))."""
    import kselftests
    todo = []
    if args.profile == "debug" and not args.only:
        todo.append(("debug profile: positive control (KASAN use-after-free, kmemleak leak)",
                     positive_control))
    if not args.only or args.only == "kunit":
        todo.append(("KUnit (QEMU TCG)", kunit))
    if not args.only or args.only == "static":
        todo.append(("static: unsafe and SAFETY comments (tools/testing/check_unsafe.py)",
                     static_checks))
    scripts = sorted(s for s in glob.glob(os.path.join(args.repo, "tools/testing/rbond/*.sh"))
                     if os.path.basename(s) != "lib.sh")
    for script in scripts:
        name = os.path.basename(script)[:-3]
        if not args.only or args.only in name:
            todo.append((f"integration: {name}", lambda a, say, s=script: integration(a, say, s)))
    for script in sorted(glob.glob(os.path.join(args.repo, "tools/testing/rbond/pair/*.sh"))):
        name = "pair-" + os.path.basename(script)[:-3]
        if not args.only or args.only in name:
            todo.append((f"two VMs: {name} (rbond against bonding.ko)",
                         lambda a, say, s=script: pair(a, say, s)))
    for script in kselftests.SELFTESTS_IN_CHECK:
        if not args.only or args.only in script:
            todo.append((f"kernel selftest: drivers/net/bonding/{script} (rbond)",
                         lambda a, say, s=script: selftest(a, say, s)))
    return todo


def run_unit(args, title, fn):
    """Runs one unit, collecting what it says; returns (lines, passed, failed, skipped)."""
    lines = [f"== {title}"]
    try:
        passed, failed, skipped = fn(args, lines.append)
    except Exception as e:  # a harness bug counts as a failure, not a lost run
        lines.append(f"  FAIL {title}: the runner raised {e!r}")
        passed, failed, skipped = 0, 1, 0
    return lines, passed, failed, skipped


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--modules", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--only", help="run only the integration scripts, two-VM tests and selftests "
                    "whose name contains this; `kunit` and `static` run those units alone")
    ap.add_argument("--profile", choices=["normal", "debug"], default="normal")
    ap.add_argument("--slow", type=float, default=1.0,
                    help="multiply every VM's time limit (the debug kernel is slower)")
    ap.add_argument("--scale", type=int, default=100,
                    help="percent of the repetitions of race loops (RBOND_SCALE in the guest)")
    ap.add_argument("--jobs", type=int, default=1, help="VMs run at once")
    ap.add_argument("--cpus", type=int, help="vCPUs per VM (run_vm.py's default: 2)")
    ap.add_argument("--env", action="append", metavar="NAME=VALUE",
                    help="environment variable for the integration scripts (bond_arp.sh: "
                         "ARP_SECOND_DRIVER=bonding)")
    args = ap.parse_args()
    args.build = os.path.dirname(os.path.abspath(args.kernel))
    passed = failed = skipped = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_unit, args, title, fn) for title, fn in units(args)]
        for future in futures:
            lines, ok, bad, skip = future.result()
            print("\n".join(lines), flush=True)
            passed, failed, skipped = passed + ok, failed + bad, skipped + skip
    return finish(passed, failed, skipped)


def finish(passed, failed, skipped):
    """Prints the closing line, "N passed, N failed[, N skipped]"; the exit status."""
    summary = f"{passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
