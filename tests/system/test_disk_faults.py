"""Disk faults injected by QEMU's blkdebug driver under a synthetic image: read errors in
the swap header, the swap map, the PFN pages, the middle and the end of the data, and
errors on the signature reset's write and flush. A read error stops the restore with a
message naming it and the image intact; a failed write leaves the image as it was; a failed
flush comes after the write reached the disk, and the message says the image may or may not
be offered again — never that it is intact.

`make test` injects a sample; `make reliability` (THAW_RELIABILITY=1) every fault."""
import os
import shutil
import struct

import pytest

import imagekernel as ik
import reliability
from fixtures import linux_memmap
from realboot import EXIT_FAIL

SECTORS_PER_PAGE = ik.PAGE // 512
SAMPLE = {"read-map", "read-data-middle", "flush"}


def map_layout(disk):
    with open(disk, "rb") as f:
        f.seek(4064)
        image = struct.unpack("<Q", f.read(8))[0]
        f.seek(image * ik.PAGE)
        entries = [e for e in struct.unpack("<511Q", f.read(511 * 8)) if e]
    return image, entries


# (name, codec, event, block chooser(image block, stream entries) or None, expected outcome,
#  words in thaw's output, what the swap signature must read afterwards)
FAULTS = [
    ("read-header", "lzo", "read_aio", lambda img, e: 0, "nothing",
     ("cannot read its first page",), b"S1SUSPEND\0"),
    ("read-map", "lzo", "read_aio", lambda img, e: img, "refused",
     ("I/O error",), b"S1SUSPEND\0"),
    ("read-info", "lzo", "read_aio", lambda img, e: e[0], "refused",
     ("I/O error",), b"S1SUSPEND\0"),
    ("read-pfn", "none", "read_aio", lambda img, e: e[1], "refused",
     ("I/O error",), b"S1SUSPEND\0"),
    ("read-data-middle", "lzo", "read_aio", lambda img, e: e[len(e) // 2], "refused",
     ("I/O error",), b"S1SUSPEND\0"),
    ("read-data-last", "lzo", "read_aio", lambda img, e: e[-1], "refused",
     ("I/O error",), b"S1SUSPEND\0"),
    ("write", "lzo", "write_aio", None, "failed",
     ("writing the swap header failed", "not resuming"), b"S1SUSPEND\0"),
    ("flush", "lzo", "flush_to_disk", None, "failed",
     ("flushing the disk failed", "not resuming", "may or may not be offered again"),
     b"SWAPSPACE2"),
]


def selected():
    if os.environ.get("THAW_RELIABILITY") == "1":
        return FAULTS
    return [f for f in FAULTS if f[0] in SAMPLE]


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    crc = linux_memmap.linux_e820_crc("bios", ik.MEM_MIB, ik.DEVICES)
    lay = ik.default_layout(ram=linux_memmap.ram_frames("bios", ik.MEM_MIB, ik.DEVICES))
    out = {}
    for codec in ("lzo", "none"):
        work = tmp_path_factory.mktemp(f"pristine-{codec}")
        out[codec] = ik.make_image(lay, work, compress=codec, e820_crc=crc,
                                   extra=["--zero-flag"])
    return out


@pytest.mark.parametrize("fault", selected(), ids=lambda f: f[0])
def test_disk_fault(fault, images, tmp_path):
    name, codec, event, block, expect, words, sig_after = fault
    disk = tmp_path / "disk.img"
    shutil.copyfile(images[codec], disk)
    rule = f'[inject-error]\nevent = "{event}"\nerrno = "5"\n'
    if block is not None:
        image, entries = map_layout(disk)
        rule += f'sector = "{block(image, entries) * SECTORS_PER_PAGE}"\n'
    cfg = tmp_path / "blkdebug.cfg"
    cfg.write_text(rule)
    drive = ["-drive", f"file=blkdebug:{cfg}:{disk},format=raw,if=none,id=d0",
             "-device", "virtio-blk-pci,drive=d0"]
    before = ik.digest(disk)
    run = ik.run_thaw(disk, tmp_path, drive=drive)
    if expect == "failed":
        got = "failed" if (run.rc == EXIT_FAIL and "IMAGEKERNEL" not in run.text
                           and not reliability.CRASH_RE.search(run.text)) else \
            reliability.outcome(run, disk, before)
    else:
        got = reliability.outcome(run, disk, before)
    reliability.record("disk-faults", name, expect, got)
    assert got == expect, f"{name}: expected {expect}, got {got}\n{run.text[-3000:]}"
    for w in words:
        assert w in run.text, f"{w!r} not in:\n{run.text[-3000:]}"
    assert ik.swap_sig(disk) == sig_after
    if expect == "failed":
        assert "left untouched" not in run.text, "a failed commit must not claim the image is intact"
