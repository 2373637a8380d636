#!/usr/bin/env python3
"""Static rules for the Rust sources, checked by `make check` on the host.

* Every `unsafe` block and `unsafe impl` in rust/ is preceded by a `// SAFETY:` comment
  (within the comment lines and attributes directly above it).
* drivers/net/rbond/ and samples/rust/ contain no `unsafe` at all.
* No `static mut` anywhere.

Prints one TAP line per file ("ok - ..." / "not ok - ...").
"""

import os
import re
import sys

UNSAFE_USE = re.compile(r"\bunsafe\s*(\{|impl\b)")


def rust_files(repo, root):
    for dirpath, _, names in os.walk(os.path.join(repo, root)):
        for n in sorted(names):
            if n.endswith(".rs"):
                yield os.path.join(dirpath, n)


def missing_safety(lines):
    bad = []
    for i, line in enumerate(lines):
        code = line.split("//")[0]
        if not UNSAFE_USE.search(code):
            continue
        j = i - 1
        found = "SAFETY:" in line
        code_lines = 0
        # Walk up over comments and attributes, and over at most two lines of code that open
        # the statement the block sits in (`to_result(`, `let x =`, a match arm...).
        while not found and j >= 0:
            prev = lines[j].strip()
            if "SAFETY:" in prev:
                found = True
                break
            if not (prev.startswith("//") or prev.startswith("#[") or prev == ""):
                code_lines += 1
                if code_lines > 2:
                    break
            j -= 1
        if not found:
            bad.append(f"{i + 1}: {line.strip()}")
    return bad


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else "."
    failed = 0
    for path in rust_files(repo, "rust"):
        rel = os.path.relpath(path, repo)
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        bad = missing_safety(lines)
        bad += [f"{i + 1}: static mut" for i, l in enumerate(lines) if re.search(r"\bstatic\s+mut\b", l.split("//")[0])]
        if bad:
            failed = 1
            print(f"not ok - {rel}: every unsafe has a SAFETY comment, no static mut")
            for b in bad:
                print(f"#   {b}")
        else:
            print(f"ok - {rel}: every unsafe has a SAFETY comment, no static mut")
    for root in ("drivers/net/rbond", "samples/rust"):
        for path in rust_files(repo, root):
            rel = os.path.relpath(path, repo)
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
            bad = [f"{i + 1}: {l.strip()}" for i, l in enumerate(lines)
                   if re.search(r"\bunsafe\b|\bstatic\s+mut\b", l.split("//")[0])]
            if bad:
                failed = 1
                print(f"not ok - {rel}: no unsafe, no static mut")
                for b in bad:
                    print(f"#   {b}")
            else:
                print(f"ok - {rel}: no unsafe, no static mut")
    return failed


if __name__ == "__main__":
    sys.exit(main())
