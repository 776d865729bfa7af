"""Damaged and hostile partition tables, a truncated image and a zero-size disk, all
in one boot: each problem gets a message naming the disk and what is wrong, usable
partitions are still found (GPT backup header), and not one byte is written."""
import hashlib

import pytest

import diskimg
from thawvm import Disk, run_thaw


def flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x40]))


def put_mbr_record(path, sector, slot, ptype, start, count):
    with open(path, "r+b") as f:
        f.seek(sector * 512 + 446 + 16 * slot)
        f.write(bytes([0, 0, 0, 0, ptype, 0, 0, 0]) + start.to_bytes(4, "little") +
                count.to_bytes(4, "little"))
        f.seek(sector * 512 + 510)
        f.write(b"\x55\xaa")


def gpt_disk(path, size=16 << 20):
    diskimg.blank(path, size)
    diskimg.gpt(path, "-n", "1:2048:+2M", "-c", "1:one", "-n", "2:0:+4M", "-c", "2:two")
    return path


@pytest.fixture(scope="module")
def boot(tmp_path_factory):
    d = tmp_path_factory.mktemp("tables")
    imgs = []
    a = gpt_disk(d / "a.img")                      # vda: primary header damaged
    flip(a, 512 + 40)
    imgs.append(a)
    b = gpt_disk(d / "b.img")                      # vdb: both headers damaged
    flip(b, 512 + 0)
    flip(b, (16 << 20) - 512 + 16)
    imgs.append(b)
    c = gpt_disk(d / "c.img")                      # vdc: primary entry array damaged
    flip(c, 1024 + 128 + 40)
    imgs.append(c)
    e = diskimg.blank(d / "e.img", 8 << 20)        # vdd: MBR past the end, overlap
    put_mbr_record(e, 0, 0, 0x83, 2048, 4096)
    put_mbr_record(e, 0, 1, 0x82, 4096, 100000)   # overlaps 1, runs past the end
    put_mbr_record(e, 0, 2, 0x83, 70000, 10)      # starts past the end
    imgs.append(e)
    f = diskimg.blank(d / "f.img", 8 << 20)        # vde: EBR chain that loops
    diskimg.mbr(f, "label: dos\n,2M,83\n,,5\n,1M,82\n,1M,82\n")
    second_ebr = diskimg.part_start(f, 6) - 2048
    put_mbr_record(f, second_ebr, 1, 0x05, 0, 4096)   # link back to the first EBR
    imgs.append(f)
    g = gpt_disk(d / "g.img")                      # vdf: GPT image cut to half
    with open(g, "r+b") as fh:
        fh.truncate(8 << 20)
    imgs.append(g)
    z = diskimg.blank(d / "z.img", 0)              # vdg: zero-size disk
    imgs.append(z)
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in imgs]
    r = run_thaw("thaw.test=disks thaw.test_exit", disks=[Disk(p) for p in imgs],
                 timeout=120, name="tables")
    after = [hashlib.sha256(p.read_bytes()).hexdigest() for p in imgs]
    return r, before, after


def test_runs_to_the_end_and_writes_nothing(boot):
    r, before, after = boot
    r.assert_exit_ok()
    assert before == after
    r.expect_line(r"disks: locate=no hibernation image on any disk")


def test_gpt_backup_header_used(boot):
    r, _, _ = boot
    r.expect_line(r"disks: vda: GPT header CRC32 mismatch")
    r.expect_line(r"disks: vda: primary GPT damaged, using the backup GPT")
    r.expect_line(r'disks: vda2: partition of vda, .*partlabel "two"')


def test_gpt_entry_array_crc(boot):
    r, _, _ = boot
    r.expect_line(r"disks: vdc: GPT partition entry array CRC32 mismatch")
    r.expect_line(r"disks: vdc: primary GPT damaged, using the backup GPT")
    r.expect_line(r'disks: vdc2: partition of vdc, start 6144, 8192 sectors')


def test_gpt_unusable(boot):
    r, _, _ = boot
    r.expect_line(r"disks: vdb: partition table unusable \(protective MBR but no valid GPT")
    r.expect_no_line(r"disks: vdb1:")
    r.expect_line(r"disks: vdf: partition table unusable")
    r.expect_no_line(r"disks: vdf1:")


def test_mbr_entries_past_end(boot):
    r, _, _ = boot
    r.expect_line(r"disks: vdd: partition 2: partition lies past the end")
    r.expect_line(r"disks: vdd: partition 3: partition lies past the end")
    r.expect_line(r"disks: vdd: partition 2: partition overlaps another partition")
    # Linux clips an entry that runs past the end and drops one that starts past it.
    r.expect_line(r"disks: vdd2: partition of vdd, start 4096, 12288 sectors")
    r.expect_no_line(r"disks: vdd3:")


def test_ebr_loop(boot):
    r, _, _ = boot
    r.expect_line(r"disks: vde: partition 2: extended partition chain loops")
    r.expect_line(r"disks: vde5: partition of vde")
    r.expect_line(r"disks: vde6: partition of vde")
    r.expect_no_line(r"disks: vde7:")


def test_zero_size_disk(boot):
    r, _, _ = boot
    r.expect_line(r"disks: vdg: disk has zero size; nothing to read")
    r.expect_line(r"disks: vdg: disk, 0 sectors")
