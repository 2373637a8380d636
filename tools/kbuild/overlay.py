#!/usr/bin/env python3
"""Lay the project's additions over a Debian linux-source-6.12 tree.

Two kinds of change go into the tree:

* new files: everything under the overlay roots (rust/kernel, rust/macros, rust/helpers,
  drivers/net/rbond, samples/rust) that is not a patch, copied to the same path;
* patches: kernel/patches/*.patch, applied in name order to pristine copies of the files
  they touch (bindings_helper.h, lib.rs, Kconfig and Makefile hooks, ...).

A file in the tree is rewritten only when its content changes, so make sees the true set
of changed files and rebuilds incrementally. Files the overlay put there earlier but no
longer provides are removed (new files) or restored to pristine (patched files).

Only sources are laid over: build outputs that an older out-of-tree build may have left in
the checkout (.o, .ko, .cmd, .mod, ...) are never copied.

With --module-sources the tree is instead the out-of-tree build's own copy of the module
sources (the top-level Kbuild and drivers/net/rbond), kept under build/ so that Kbuild's
outputs, which 6.12 writes beside the sources, stay out of the checkout.

If a patch no longer applies (Debian moved to a 6.12.y the patch does not fit), this
stops with the patch's name and patch(1)'s own report.
"""

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile

OVERLAY_ROOTS = ["rust/kernel", "rust/macros", "rust/helpers", "rust/bindings",
                 "drivers/net/rbond", "samples/rust"]
MODULE_SOURCE_ROOTS = ["Kbuild", "drivers/net/rbond"]
# Kbuild's outputs, as .gitignore lists them: never sources.
BUILD_OUTPUTS = ["*.o", "*.ko", "*.mod", "*.mod.c", "*.mod.o", ".*.cmd", "*.rmeta", "*.a",
                 "modules.order", "Module.symvers", "*.rbond-tmp"]
STATE = ".rbond-overlay.json"
PRISTINE = ".rbond-pristine"


def files_under(repo, root):
    base = os.path.join(repo, root)
    if os.path.isfile(base):
        yield root
        return
    for dirpath, _, names in os.walk(base):
        for name in sorted(names):
            if any(fnmatch.fnmatch(name, pat) for pat in BUILD_OUTPUTS):
                continue
            path = os.path.join(dirpath, name)
            yield os.path.relpath(path, repo)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def install(tree, rel, content, changed):
    dst = os.path.join(tree, rel)
    if read(dst) == content:
        return
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = dst + ".rbond-tmp"
    with open(tmp, "wb") as f:
        f.write(content)
    os.replace(tmp, dst)
    changed.append(rel)


def patched_paths(patch):
    paths = []
    with open(patch, encoding="utf-8") as f:
        for line in f:
            if line.startswith("+++ "):
                target = line[4:].split("\t")[0].strip()
                paths.append(target.split("/", 1)[1])
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", required=True, help="the rbond checkout")
    ap.add_argument("--tree", required=True, help="the extracted kernel source tree")
    ap.add_argument("--module-sources", action="store_true",
                    help="copy only the out-of-tree module's sources, no patches")
    args = ap.parse_args()
    repo, tree = os.path.abspath(args.repo), os.path.abspath(args.tree)
    roots = MODULE_SOURCE_ROOTS if args.module_sources else OVERLAY_ROOTS
    os.makedirs(tree, exist_ok=True)

    state_path = os.path.join(tree, STATE)
    old = json.loads(read(state_path) or b'{"new": [], "patched": []}')
    changed = []

    # New files.
    new_files = []
    for root in roots:
        for rel in files_under(repo, root):
            new_files.append(rel)
            with open(os.path.join(repo, rel), "rb") as f:
                install(tree, rel, f.read(), changed)

    # Patched files: pristine copy + every patch, in order, in a scratch tree.
    patch_dir = os.path.join(repo, "kernel", "patches")
    patches = sorted(p for p in os.listdir(patch_dir) if p.endswith(".patch")) \
        if os.path.isdir(patch_dir) and not args.module_sources else []
    pristine = os.path.join(tree, PRISTINE)
    patched = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in patches:
            for rel in patched_paths(os.path.join(patch_dir, name)):
                if rel in patched:
                    continue
                if rel in new_files:
                    sys.exit(f"overlay: {name} patches {rel}, which the overlay itself adds")
                saved = os.path.join(pristine, rel)
                if not os.path.exists(saved):
                    os.makedirs(os.path.dirname(saved), exist_ok=True)
                    shutil.copy2(os.path.join(tree, rel), saved)
                os.makedirs(os.path.dirname(os.path.join(scratch, rel)), exist_ok=True)
                shutil.copy2(saved, os.path.join(scratch, rel))
                patched.append(rel)
            res = subprocess.run(["patch", "-p1", "--forward", "--no-backup-if-mismatch",
                                  "-r", "-", "-d", scratch, "-i",
                                  os.path.join(patch_dir, name)],
                                 capture_output=True, text=True)
            if res.returncode != 0:
                version = read(os.path.join(tree, "Makefile")).decode().split("\n")[1:4]
                sys.exit(f"overlay: kernel/patches/{name} no longer applies to this "
                         f"linux-source tree ({' '.join(v.strip() for v in version)}):\n"
                         f"{res.stdout}{res.stderr}"
                         "Refresh the patch against the new tree and try again.")
        for rel in patched:
            install(tree, rel, read(os.path.join(scratch, rel)), changed)

    # What the overlay provided before but provides no longer.
    for rel in old["new"]:
        if rel not in new_files and os.path.exists(os.path.join(tree, rel)):
            os.remove(os.path.join(tree, rel))
            changed.append(rel + " (removed)")
    for rel in old["patched"]:
        if rel not in patched:
            install(tree, rel, read(os.path.join(pristine, rel)), changed)

    with open(state_path, "w") as f:
        json.dump({"new": new_files, "patched": patched}, f, indent=1)
    for rel in changed:
        print(f"  OVERLAY {rel}")


if __name__ == "__main__":
    main()
