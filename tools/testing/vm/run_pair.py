#!/usr/bin/env python3
"""Boot two test VMs joined by virtual cables, run a script in each, cut and mend cables.

Each VM is a run_vm.py guest with CABLES extra virtio-net NICs (eth0, eth1...), given a speed
and duplex (10 Gb/s full) so that 802.3ad has keys. Cable i joins VM A's eth<i> to VM B's
eth<i> through two QEMU UDP socket netdevs on the host's loopback. Both guests run the same
script, with "a" or "b" and the driver of that side as arguments; both mount the same writable
host directory at /mnt/out, where they can leave files for each other.

A guest asks for a cable to be cut or mended by printing "PAIR-CUT i" or "PAIR-MEND i": the
runner then sets the link of cable i down (or up) at both ends, through each QEMU's monitor
(`set_link`), as pulling the cable would; the guests see their carrier go. Every other line of
both guests is printed as it comes, so the TAP lines of both count. The exit status is 0 only
if both guests' scripts exited 0.

Usage: run_pair.py --kernel K --modules M [--driver-a rbond] [--driver-b bonding] SCRIPT
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CABLES = 2


def free_udp_ports(n):
    """n UDP ports on 127.0.0.1 that nothing holds now."""
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Monitor:
    """A QEMU human monitor on a unix socket, connected on first use."""

    def __init__(self, path):
        self.path = path
        self.sock = None

    def command(self, line):
        if self.sock is None:
            deadline = time.monotonic() + 30
            while True:
                try:
                    self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    self.sock.connect(self.path)
                    break
                except OSError:
                    self.sock.close()
                    self.sock = None
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            self._read_prompt()
        self.sock.sendall(line.encode() + b"\n")
        return self._read_prompt()

    def _read_prompt(self):
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.decode(errors="replace")


def vm_command(a, side, driver, ports, monitor, out_dir):
    """The run_vm.py command line of one side. ports[i] = (local, remote) of cable i."""
    cmd = [sys.executable, os.path.join(HERE, "run_vm.py"), "--kernel", a.kernel,
           "--modules", a.modules, "--timeout", str(a.timeout), "--out-dir", out_dir,
           "--cpus", "1",
           "--console-log", f"{a.console_prefix}-{side}.console.log"]
    for i, (local, remote) in enumerate(ports):
        mac = f"52:54:00:00:{0xa0 if side == 'a' else 0xb0:02x}:{i:02x}"
        # (--qemu-arg=VALUE: a value that starts with "-" would be taken for an option.)
        cmd += ["--qemu-arg=-netdev",
                f"--qemu-arg=socket,id=cable{i},udp=127.0.0.1:{remote},localaddr=127.0.0.1:{local}",
                "--qemu-arg=-device",
                f"--qemu-arg=virtio-net-pci,netdev=cable{i},mac={mac},speed=10000,duplex=full"]
    cmd += ["--qemu-arg=-monitor", f"--qemu-arg=unix:{monitor},server=on,wait=off"]
    for env in a.env:
        cmd += ["--env", env]
    if a.append:
        cmd += ["--append", a.append]
    cmd += [a.script, side, driver]
    return cmd


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--modules", required=True)
    ap.add_argument("--driver-a", default="rbond")
    ap.add_argument("--driver-b", default="bonding")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--console-prefix", default="/tmp/rbond-pair")
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--append", help="extra kernel command line for both sides")
    ap.add_argument("script")
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="rbond-pair-")
    try:
        out_dir = os.path.join(work, "out")
        os.makedirs(out_dir)
        p = free_udp_ports(2 * CABLES)
        ports_a = [(p[2 * i], p[2 * i + 1]) for i in range(CABLES)]
        ports_b = [(remote, local) for local, remote in ports_a]
        monitors = {s: Monitor(os.path.join(work, f"monitor-{s}")) for s in "ab"}
        procs = {
            "a": subprocess.Popen(vm_command(a, "a", a.driver_a, ports_a, monitors["a"].path, out_dir),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
            "b": subprocess.Popen(vm_command(a, "b", a.driver_b, ports_b, monitors["b"].path, out_dir),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
        }
        lock = threading.Lock()

        def set_cable(i, up):
            for side in "ab":
                monitors[side].command(f"set_link cable{i} {'on' if up else 'off'}")

        def pump(side):
            for line in procs[side].stdout:
                words = line.split()
                with lock:
                    if len(words) == 2 and words[0] in ("PAIR-CUT", "PAIR-MEND"):
                        set_cable(int(words[1]), words[0] == "PAIR-MEND")
                        print(f"# {side}: cable {words[1]} {'mended' if words[0] == 'PAIR-MEND' else 'cut'}",
                              flush=True)
                    else:
                        sys.stdout.write(line)
                        sys.stdout.flush()

        threads = [threading.Thread(target=pump, args=(s,), daemon=True) for s in "ab"]
        for t in threads:
            t.start()
        codes = {s: procs[s].wait() for s in "ab"}
        for t in threads:
            t.join(timeout=5)
        for side, code in codes.items():
            if code != 0:
                print(f"# run_pair: side {side} exited {code}")
        return 0 if all(c == 0 for c in codes.values()) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
