#!/usr/bin/env python3
"""Check that every #include in thaw's sources points down the layer order of
docs/ARCHITECTURE.md, and that pure sources include only pure headers.

    check_layers.py PURE_SOURCE...

Layers, lowest first; a file may include its own folder and any folder below it:

    lib < image, crypto              (PURE: build for thaw, thawctl, tests, fuzzers)
    lib < kernel = mm < block = luks = lvm < drivers < resume < selftest

kernel/main.c (kmain) is the root and may include anything. kernel/ and mm/ are one
layer (the allocator prints and the page tables allocate). image/ and lib/ include
nothing from the kernel side; crypto/ likewise. Pure sources (the arguments, from the Makefile's
PURE_SRCS) and tools/ (thawctl, a host program) include only lib/, image/ and the
headers of pure sources. Exit status 1 lists every violation.
"""
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RANK = {"lib": 0, "kernel": 1, "mm": 1, "block": 2, "luks": 2, "lvm": 2, "drivers": 3,
        "resume": 4, "selftest": 5}
PURE_FOLDERS = {"lib", "image", "crypto"}
ROOT = "kernel/main.c"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def includes(path: Path):
    return INCLUDE.findall(path.read_text(errors="replace"))


def folder(rel: str) -> str:
    return rel.split("/", 1)[0] if "/" in rel else ""


def allowed_by_rank(src: str, inc: str) -> bool:
    a, b = folder(src), folder(inc)
    if b not in RANK and b not in PURE_FOLDERS:
        return True                    # generated headers, lib/include's <string.h>
    if a in PURE_FOLDERS:
        return b == "lib" or a == b
    if b in PURE_FOLDERS:
        return True
    return RANK[b] <= RANK[a]


def pure_header(inc: str, pure: set) -> bool:
    """lib/ and image/, a pure source's header, or a layout-only header (no .c of
    its own) that includes only pure headers."""
    if folder(inc) in PURE_FOLDERS:
        return True
    base = inc[:-2] if inc.endswith(".h") else inc
    if base + ".c" in pure:
        return True
    path = REPO / inc
    if (REPO / (base + ".c")).exists() or not path.exists():
        return False
    return all(pure_header(i, pure) for i in includes(path)
               if folder(i) in set(RANK) | PURE_FOLDERS)


def main(argv):
    pure = set(argv[1:])
    bad = []
    sources = [p for d in list(RANK) + sorted(PURE_FOLDERS) + ["tools"]
               for p in sorted((REPO / d).rglob("*.[ch]"))]
    for p in sources:
        src = str(p.relative_to(REPO))
        if src == ROOT:
            continue
        strict = src in pure or folder(src) == "tools" or \
            (src.endswith(".h") and src[:-2] + ".c" in pure)
        for inc in includes(p):
            if folder(src) in RANK or folder(src) in PURE_FOLDERS:
                if not allowed_by_rank(src, inc):
                    bad.append(f"{src}: includes {inc}, a higher layer")
                    continue
            if strict and not pure_header(inc, pure) and folder(inc) in \
                    set(RANK) | PURE_FOLDERS:
                bad.append(f"{src}: pure, but includes {inc}, which is not")
    for line in bad:
        print(f"layers: {line}")
    print(f"layers: {len(sources)} files checked, {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
