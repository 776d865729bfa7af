"""The corruption matrix: every field of the swap header, swsusp_info, the x86_64 restore
record, the swap map, the PFN pages and the compressed blocks' headers; truncations; bit
flips in compressed data (LZO and LZ4); hostile PFN lists. Each case damages a fresh copy
of a synthetic image (tests/tools/mkimage.c) and boots thaw on it (tests/rig/imagekernel.py).

Expected outcomes (tests/rig/reliability.py): "refused" — exit 35 before any write, a
message naming the problem, no jump, no CPU exception, the disk byte-for-byte unchanged;
"resumed" for fields Linux itself never reads back (thaw must not be stricter than the
format); "nothing" where the damage removes the hibernation signature itself.

`make test` runs SAMPLE; `make reliability` (THAW_RELIABILITY=1) runs every case."""
import os
import random
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

import imagekernel as ik
import reliability
from fixtures import linux_memmap

PAGE = ik.PAGE
SAMPLE = {"hdr-image-past-end", "info-pages", "rec-magic", "map-loop", "pfn-unsorted",
          "blk-len-zero", "flip-lzo-1", "trunc-50"}


@dataclass
class Case:
    name: str
    codec: str                      # lzo, lz4, none: the image it damages
    damage: Callable                # damage(disk_path, layout_dict)
    expect: str                     # refused / resumed / nothing
    words: tuple = ()               # in thaw's message, when refused


def u64(v): return struct.pack("<Q", v & (1 << 64) - 1)
def u32(v): return struct.pack("<I", v & 0xffffffff)


def poke(disk, pos, data):
    with open(disk, "r+b") as f:
        f.seek(pos)
        f.write(data)


def peek(disk, pos, n):
    with open(disk, "rb") as f:
        f.seek(pos)
        return f.read(n)


def layout_of(disk) -> dict:
    """Where things are: the first map block, its entries, the info page, the stream."""
    image = struct.unpack("<Q", peek(disk, 4064, 8))[0]
    entries = struct.unpack("<512Q", peek(disk, image * PAGE, PAGE))
    used = [e for e in entries[:511] if e]
    return dict(image=image, entries=entries, info=used[0] * PAGE, stream=used[1:],
                next_map=entries[511], blocks=os.path.getsize(disk) // PAGE)


def at(field_pos, data):
    """Damage: write data at a position computed from the layout."""
    return lambda disk, lay: poke(disk, field_pos(lay), data)


def flip(pos_fn, mask=0x10):
    def damage(disk, lay):
        p = pos_fn(lay)
        poke(disk, p, bytes([peek(disk, p, 1)[0] ^ mask]))
    return damage


def truncate(share):
    def damage(disk, lay):
        last = max(lay["stream"])
        with open(disk, "r+b") as f:
            f.truncate(int((lay["stream"][0] + (last - lay["stream"][0]) * share)) * PAGE)
    return damage


def pfn_edit(edit):
    """Rewrite the first PFN page of a raw image (stream block 0) with edit(list)."""
    def damage(disk, lay):
        pos = lay["stream"][0] * PAGE
        pfns = list(struct.unpack("<512Q", peek(disk, pos, PAGE)))
        poke(disk, pos, struct.pack("<512Q", *[p & (1 << 64) - 1 for p in edit(pfns)]))
    return damage


def blocks(disk, lay):
    """The compressed blocks in stream order: [(bytes of its pages joined, [page blocks])].
    Each block starts on a page with its compressed length (kernel/power/swap.c)."""
    out, pages = [], lay["stream"]
    i = 0
    while i < len(pages):
        length = struct.unpack("<Q", peek(disk, pages[i] * PAGE, 8))[0]
        n = (8 + length + PAGE - 1) // PAGE
        if length == 0 or i + n > len(pages):
            break
        out.append((length, pages[i:i + n]))
        i += n
    return out


def last_pfn_beyond_ram(disk, lay):
    """The list's last PFN (the last entry of the last PFN page that is neither the unused
    0 nor the ~0 terminator) moved to 4 TiB: still ascending, but no frame of this
    machine."""
    info = lay["info"]
    pages = struct.unpack("<Q", peek(disk, info + 424, 8))[0]
    image_pages = struct.unpack("<Q", peek(disk, info + 416, 8))[0]
    meta = pages - image_pages - 1          # struct swsusp_info: pages = data + meta + 1
    pos = lay["stream"][meta - 1] * PAGE
    pfns = list(struct.unpack("<512Q", peek(disk, pos, PAGE)))
    last = max(i for i, p in enumerate(pfns) if p not in (0, (1 << 64) - 1))
    pfns[last] |= 1 << 30
    poke(disk, pos, struct.pack("<512Q", *pfns))


def random_flips(seed, count=3):
    """count bit flips inside the compressed payload of blocks in the first half of the
    stream — never in a block's length or in the unused tail of its last page, which
    no reader looks at."""
    def damage(disk, lay):
        rng = random.Random(seed)
        blks = blocks(disk, lay)
        for _ in range(count):
            length, pages = rng.choice(blks[:max(1, len(blks) // 2)])
            off = 8 + rng.randrange(length)
            p = pages[off // PAGE] * PAGE + off % PAGE
            poke(disk, p, bytes([peek(disk, p, 1)[0] ^ (1 << rng.randrange(8))]))
    return damage


def _swap(i, j):
    def edit(p):
        p[i], p[j] = p[j], p[i]
        return p
    return edit


def _set(i, v):
    def edit(p):
        p[i] = v
        return p
    return edit


REFUSED, RESUMED, NOTHING = "refused", "resumed", "nothing"
INFO = lambda off: (lambda lay: lay["info"] + off)          # noqa: E731
HDR = lambda off: (lambda lay: off)                          # noqa: E731

CASES = [
    # The swap header (kernel/power/swap.c struct swsusp_header).
    Case("hdr-sig", "lzo", at(HDR(4086), b"S1SUSPEN\xff\0"), NOTHING),
    Case("hdr-orig-sig", "lzo", at(HDR(4076), b"GARBAGE!!!"), REFUSED, ("signature",)),
    Case("hdr-image-zero", "lzo", at(HDR(4064), u64(0)), REFUSED),
    Case("hdr-image-past-end", "lzo", at(HDR(4064), u64(1 << 40)), REFUSED),
    Case("hdr-flags-unknown", "lzo", at(HDR(4072), u32(1 << 30)), REFUSED, ("flag",)),
    Case("hdr-flags-contradict", "lzo", at(HDR(4072), u32(0x2 | 0x4)), REFUSED),
    Case("hdr-crc", "lzo", flip(HDR(4060), 0x01), REFUSED, ("CRC32",)),
    Case("hdr-hw-sig-unflagged", "lzo", at(HDR(4056), u32(0x12345678)), RESUMED),
    Case("hdr-label", "lzo", at(HDR(1052), b"other-name\0"), RESUMED),
    # struct swsusp_info (kernel/power/power.h) and the x86_64 restore record at its start.
    Case("rec-jump", "lzo", at(INFO(0), u64(0)), REFUSED),
    Case("rec-jump-phys", "lzo", at(INFO(8), u64(1 << 45)), REFUSED),
    Case("rec-cr3", "lzo", at(INFO(16), u64(0x7fff000)), REFUSED),
    Case("rec-magic", "lzo", flip(INFO(24), 0x01), REFUSED),
    Case("rec-e820", "lzo", flip(INFO(32), 0x01), REFUSED, ("memory map differs",)),
    Case("info-uts-tail", "lzo", at(INFO(200), b"not a release"), RESUMED),
    Case("info-cpus", "lzo", at(INFO(408), u32(7)), RESUMED),
    Case("info-image-pages", "lzo", at(INFO(416), u64(1 << 62)), REFUSED),
    Case("info-pages", "lzo", flip(INFO(424), 0x01), REFUSED),
    Case("info-pages-overflow", "lzo", at(INFO(424), u64(-1)), REFUSED),
    Case("info-size", "lzo", flip(INFO(432), 0x10), REFUSED),
    # The swap map (struct swap_map_page).
    Case("map-entry-past-end", "lzo", at(lambda l: l["image"] * PAGE + 8 * 5, u64(1 << 40)),
         REFUSED),
    Case("map-entry-self", "lzo",
         lambda d, l: poke(d, l["image"] * PAGE + 8 * 5, u64(l["image"])), REFUSED),
    Case("map-hole", "lzo", at(lambda l: l["image"] * PAGE + 8 * 3, u64(0)), REFUSED),
    Case("map-loop", "none",
         lambda d, l: poke(d, l["image"] * PAGE + 4088, u64(l["image"])), REFUSED),
    Case("map-next-past-end", "none",
         lambda d, l: poke(d, l["image"] * PAGE + 4088, u64(1 << 40)), REFUSED),
    # PFN pages of a raw image (kernel/power/snapshot.c, the metadata pages).
    Case("pfn-outside-ram", "none", last_pfn_beyond_ram, REFUSED, ("not RAM",)),
    Case("pfn-beyond-52-bit", "none", pfn_edit(_set(5, 1 << 53)), REFUSED),
    Case("pfn-duplicate", "none", pfn_edit(lambda p: p[:6] + [p[5]] + p[7:]), REFUSED),
    Case("pfn-unsorted", "none", pfn_edit(_swap(10, 11)), REFUSED),
    Case("pfn-zero", "none", pfn_edit(_set(0, 0)), REFUSED),
    # Compressed blocks: each starts with its compressed length (a size_t).
    Case("blk-len-zero", "lzo", lambda d, l: poke(d, l["stream"][0] * PAGE, u64(0)), REFUSED),
    Case("blk-len-huge", "lzo", lambda d, l: poke(d, l["stream"][0] * PAGE, u64(1 << 33)),
         REFUSED),
    Case("blk-len-short", "lz4",
         lambda d, l: poke(d, l["stream"][0] * PAGE,
                           u64(struct.unpack("<Q", peek(d, l["stream"][0] * PAGE, 8))[0] - 1)),
         REFUSED),
    # Truncation of the device part-way through the image.
    *[Case(f"trunc-{int(s * 100)}", "lzo", truncate(s), REFUSED) for s in (0.0, 0.25, 0.5, 0.99)],
    # Bit flips in compressed data: the decoder or the stream CRC must catch every one.
    *[Case(f"flip-lzo-{i}", "lzo", random_flips(100 + i), REFUSED) for i in range(6)],
    *[Case(f"flip-lz4-{i}", "lz4", random_flips(200 + i), REFUSED) for i in range(6)],
]


def selected():
    if os.environ.get("THAW_RELIABILITY") == "1":
        return CASES
    return [c for c in CASES if c.name in SAMPLE]


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """One pristine image per codec, made once (the same layout the synthetic tests use)."""
    crc = linux_memmap.linux_e820_crc("bios", ik.MEM_MIB, ik.DEVICES)
    lay = ik.default_layout(ram=linux_memmap.ram_frames("bios", ik.MEM_MIB, ik.DEVICES))
    out = {}
    for codec in ("lzo", "lz4", "none"):
        work = tmp_path_factory.mktemp(f"pristine-{codec}")
        out[codec] = ik.make_image(lay, work, compress=codec, e820_crc=crc,
                                   extra=["--zero-flag"])
    return out


@pytest.mark.parametrize("case", selected(), ids=lambda c: c.name)
def test_corruption(case, images, tmp_path):
    disk = tmp_path / "disk.img"
    shutil.copyfile(images[case.codec], disk)
    case.damage(disk, layout_of(disk))
    before = ik.digest(disk)
    run = ik.run_thaw(disk, tmp_path)
    got = reliability.outcome(run, disk, before)
    reason = next((line for line in run.text.splitlines() if "left untouched" in line), "")
    reliability.record("corruption", case.name, case.expect, got, reason.strip())
    assert got == case.expect, f"{case.name}: expected {case.expect}, got {got}\n" \
                               f"{run.text[-3000:]}"
    for w in case.words:
        assert w in reason, f"{w!r} not in the refusal: {reason!r}"
    if case.expect == REFUSED:
        assert reason, run.text[-2000:]
