#!/usr/bin/env python3
"""Boot the test kernel under QEMU (TCG), run one script in the guest, return its status.

The guest is a small initramfs (busybox and an /init) that mounts, read-only over 9p, the host's
/usr and /etc, so the guest runs the host's bash, iproute2, ping, jq and so on; the kernel's
modules (mod-staging) at /mnt/kmods; the rbond modules at /mnt/rbond-modules; and this repository
at /mnt/rbond. /mnt/out is a writable share for files a test wants to hand back.

The script's output comes back on a second serial port (ttyS1), apart from the kernel console
(ttyS0), which is saved to a file and shown on request. The run is bounded by --timeout; on a
timeout the last console lines are printed and the status is 124.

Extra QEMU arguments (more NICs, a socket netdev joining a second VM) go through --qemu-arg;
extra host directories are shared read-only with --share TAG=PATH (mounted at /mnt/TAG), and
--env NAME=VALUE sets a variable for the script.

On a kernel with kmemleak (the debug profile), the init clears the boot's reports before the
script and, after it, unloads rbond and bonding, waits out kmemleak's minimum object age
(5 s) and scans twice (kmemleak reports an object from its second scan on): a leak shows on
the console as "kmemleak: N new suspected memory leaks", followed by the report itself.

Once the script's exit status has arrived the guest powers off; a guest that cannot (acpi=off
halts instead) is stopped by the runner a few seconds later.
"""

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
EXIT_MARK = "RBOND-VM-EXIT "
POWEROFF_GRACE = 10  # seconds from the exit status to QEMU's exit before the runner ends it

INIT = r"""#!/busybox sh
/busybox mkdir -p /proc /sys /dev /tmp /run /usr /etc /var /mnt/kmods /mnt/rbond /mnt/rbond-modules /mnt/out /root
/busybox mount -t proc proc /proc
/busybox mount -t sysfs sysfs /sys
/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/busybox mount -t tmpfs tmpfs /tmp
/busybox mount -t tmpfs tmpfs /run
/busybox mount -t tmpfs tmpfs /var
/busybox ln -s /run /var/run
/busybox ln -s /tmp /var/tmp
p9="-t 9p -o trans=virtio,version=9p2000.L,msize=262144"
# The read-only shares do not change while the guest runs: let the guest cache them
# (cache=loose), so that each exec does not fetch its binary and libraries over 9p again.
p9ro="$p9,ro,cache=loose"
/busybox mount $p9ro hostusr /usr
/busybox mount $p9ro hostetc /etc
/busybox mount $p9ro kmods /mnt/kmods
/busybox mount $p9ro rbondmods /mnt/rbond-modules
/busybox mount $p9ro repo /mnt/rbond
/busybox mount $p9 out /mnt/out
/busybox mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
export PATH=/usr/sbin:/usr/bin HOME=/root TERM=dumb
export KMODS=/mnt/kmods RBOND_MODULES=/mnt/rbond-modules RBOND_REPO=/mnt/rbond RBOND_OUT=/mnt/out
ip link set lo up
cd /mnt/rbond
. /run-args
kmemleak=/sys/kernel/debug/kmemleak
# (kmemleak=off on the command line leaves the file there, refusing every write.)
/busybox grep -qw kmemleak=off /proc/cmdline && kmemleak=/nonexistent
# kmemleak reports an object only from its second scan on (the first records its checksum):
# two scans, then clear, so that the boot's own leaks are not the test's.
[ -w $kmemleak ] && { echo scan > $kmemleak; echo scan > $kmemleak; echo clear > $kmemleak; }
/usr/bin/bash "$@" > /dev/ttyS1 2>&1 < /dev/null
rc=$?
if [ -w $kmemleak ]; then
	ip -all netns delete 2>/dev/null
	for m in rbond bonding; do [ -d /sys/module/$m ] && rmmod $m; done
	/busybox sleep 6
	echo scan > $kmemleak
	echo scan > $kmemleak
	/busybox cat $kmemleak > /dev/ttyS0
fi
echo "%s$rc" > /dev/ttyS1
/busybox sync
/busybox poweroff -f
""" % EXIT_MARK


def build_initramfs(workdir):
    root = os.path.join(workdir, "initramfs")
    os.makedirs(root)
    shutil.copy("/bin/busybox", os.path.join(root, "busybox"))
    for link, target in [("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"),
                         ("lib64", "usr/lib64")]:
        os.symlink(target, os.path.join(root, link))
    with open(os.path.join(root, "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    return root


def pack(root, args_line, shares, env, out):
    with open(os.path.join(root, "run-args"), "w") as f:
        for assignment in env:
            name, value = assignment.split("=", 1)
            f.write(f"export {name}={shlex.quote(value)}\n")
        for tag in shares:
            f.write(f"/busybox mkdir -p /mnt/{tag}; /busybox mount $p9ro {tag} /mnt/{tag}\n")
        f.write("set -- " + args_line + "\n")
    files = subprocess.run(["find", "."], cwd=root, capture_output=True, text=True,
                           check=True).stdout
    with open(out, "wb") as f:
        subprocess.run(["cpio", "--quiet", "-o", "-H", "newc"], cwd=root, input=files.encode(),
                       stdout=f, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True, help="kernel build directory (O=)")
    ap.add_argument("--modules", required=True, help="directory of rbond's .ko files")
    ap.add_argument("--timeout", type=float, default=300, help="seconds before the VM is killed")
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--memory", default="1G")
    ap.add_argument("--kunit", action="store_true", help="let KUnit run (off otherwise)")
    ap.add_argument("--append", default="", help="extra kernel command line")
    ap.add_argument("--qemu-arg", action="append", default=[], help="extra QEMU argument")
    ap.add_argument("--share", action="append", default=[], metavar="TAG=PATH",
                    help="host directory shared read-only, mounted at /mnt/TAG")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                    help="environment variable for the guest script")
    ap.add_argument("--console-log", help="where to save the kernel console")
    ap.add_argument("--out-dir", help="host directory shared writable as /mnt/out")
    ap.add_argument("--show-console", action="store_true", help="print the console at the end")
    ap.add_argument("script", help="script to run in the guest, relative to the repository")
    ap.add_argument("args", nargs="*", help="its arguments")
    a = ap.parse_args()

    bzimage = os.path.join(a.kernel, "arch", "x86", "boot", "bzImage")
    kmods = os.path.join(a.kernel, "mod-staging")
    for path in (bzimage, kmods, a.modules):
        if not os.path.exists(path):
            sys.exit(f"run_vm: {path} is missing: build first (make kernel modules)")

    work = tempfile.mkdtemp(prefix="rbond-vm-")
    try:
        out_dir = a.out_dir or os.path.join(work, "out")
        os.makedirs(out_dir, exist_ok=True)
        console = a.console_log or os.path.join(work, "console.log")
        root = build_initramfs(work)
        initrd = os.path.join(work, "initrd.cpio")
        shares = dict(s.split("=", 1) for s in a.share)
        pack(root, " ".join(shlex.quote(x) for x in [a.script] + a.args), shares, a.env, initrd)

        cmdline = ("console=ttyS0 rdinit=/init panic=-1 printk.devkmsg=on "
                   + ("" if a.kunit else "kunit.enable=0 ") + a.append)
        qemu = ["qemu-system-x86_64", "-accel", "tcg", "-nodefaults", "-display", "none",
                "-no-reboot", "-m", a.memory, "-smp", str(a.cpus),
                "-kernel", bzimage, "-initrd", initrd, "-append", cmdline,
                "-chardev", f"file,id=console,path={console}", "-serial", "chardev:console",
                "-chardev", "stdio,id=out,signal=off", "-serial", "chardev:out"]
        mounts = [("hostusr", "/usr", True), ("hostetc", "/etc", True),
                  ("kmods", kmods, True), ("rbondmods", a.modules, True),
                  ("repo", REPO, True), ("out", out_dir, False)]
        mounts += [(tag, path, True) for tag, path in shares.items()]
        for tag, path, ro in mounts:
            qemu += ["-virtfs", f"local,path={path},mount_tag={tag},security_model=none,"
                               f"multidevs=remap{',readonly=on' if ro else ''}"]
        qemu += a.qemu_arg

        proc = subprocess.Popen(qemu, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        status = [None]
        reported = [None]

        def pump():
            for raw in proc.stdout:
                line = raw.decode(errors="replace").replace("\r", "")
                if line.startswith(EXIT_MARK):
                    status[0] = int(line[len(EXIT_MARK):].strip() or 1)
                    reported[0] = time.monotonic()
                    continue
                sys.stdout.write(line)
                sys.stdout.flush()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        deadline = time.monotonic() + a.timeout
        while proc.poll() is None and time.monotonic() < deadline:
            if reported[0] is not None and time.monotonic() > reported[0] + POWEROFF_GRACE:
                break  # the script is done and the guest halted rather than powered off
            time.sleep(0.2)
        timed_out = proc.poll() is None and status[0] is None
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        reader.join(timeout=5)

        if a.show_console or timed_out or status[0] is None:
            with open(console, errors="replace") as f:
                lines = f.read().splitlines()
            shown = lines if a.show_console else lines[-40:]
            print("---- kernel console" + ("" if a.show_console else " (last lines)") + " ----")
            print("\n".join(shown))
        if timed_out:
            print(f"run_vm: timed out after {a.timeout:.0f} s", file=sys.stderr)
            return 124
        if status[0] is None:
            print("run_vm: the guest stopped without reporting a status (panic?)", file=sys.stderr)
            return 125
        return status[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
