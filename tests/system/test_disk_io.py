"""virtio-blk reads and writes: known data read at many offsets and sizes (sync and
batched async) and streamed over whole disks, every checksum recomputed here from
the image; legacy-only, modern-only and transitional devices; BIOS and UEFI;
several disks; a write + flush the host sees; EIO from QEMU's blkdebug."""
import re

import pytest

import diskimg
from thawvm import Disk, run_thaw

READ_RE = re.compile(r"disk-read: (vd\w+) (sync|async) sector=(\d+) count=(\d+) "
                     r"crc=([0-9a-f]{8}) status=(.*)")
WHOLE_RE = re.compile(r"disk-read: (vd\w+) whole sectors=(\d+) crc=([0-9a-f]{8}) status=(\S+)")

# (firmware, machine, how the first disk is attached, interface thaw must pick)
SETUPS = [
    ("bios", "pc", "legacy-only", "legacy"),
    ("bios", "pc", "transitional", "modern"),
    ("uefi", "q35", "modern-only", "modern"),
    ("uefi", "pc", "transitional", "modern"),
]


def attach(kind, image, drive_id):
    opts = {"legacy-only": ",disable-modern=on", "modern-only": ",disable-legacy=on",
            "transitional": ""}[kind]
    return ["-drive", f"file={image},format=raw,if=none,id={drive_id}",
            "-device", f"virtio-blk-pci,drive={drive_id}{opts}"]


def check_reads(r, images):
    """Every read line's checksum equals the host's; returns how many were checked."""
    return diskimg.check_reads(r.lines, images, READ_RE, WHOLE_RE)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = tmp_path_factory.mktemp("diskio")
    # Odd sizes on purpose: the last request of a stream is short.
    return {"vda": diskimg.random_disk(d / "a.img", 48 * 1024 * 1024 + 7 * 512, seed=1),
            "vdb": diskimg.random_disk(d / "b.img", 5 * 1024 * 1024 + 512, seed=2)}


@pytest.mark.parametrize("firmware,machine,kind,iface", SETUPS,
                         ids=[f"{s[0]}-{s[1]}-{s[2]}" for s in SETUPS])
def test_read_pattern(images, firmware, machine, kind, iface):
    extra = attach(kind, images["vda"], "da") + attach("transitional", images["vdb"], "db")
    r = run_thaw("thaw.test=disk-read thaw.test_exit", firmware=firmware, machine=machine,
                 extra_args=extra, timeout=240, name=f"diskread-{kind}")
    r.assert_exit_ok()
    r.expect_line(rf"virtio-blk: vda: {images['vda'].stat().st_size // 512} sectors .*"
                  rf"{iface} interface")
    r.expect_line(r"virtio-blk: vdb: .* modern interface")
    # 48 single reads and one whole-disk stream per disk.
    assert check_reads(r, images) == 2 * (48 + 1)
    r.expect_line(r"disktest: disk-read passed")


def test_write_flush_host_sees_it(tmp_path):
    a = diskimg.random_disk(tmp_path / "a.img", 8 << 20, seed=3)
    w = diskimg.random_disk(tmp_path / "w.img", 4 << 20, seed=4)
    before = {p: p.read_bytes() for p in (a, w)}
    r = run_thaw("thaw.test=disk-write thaw.test_exit", disks=[Disk(a), Disk(w)],
                 timeout=120, name="diskwrite")
    r.assert_exit_ok()
    diskimg.check_write(r, "vdb", w, before)


def test_read_eio_from_blkdebug(tmp_path):
    img = diskimg.random_disk(tmp_path / "e.img", 8 << 20, seed=5)
    extra = diskimg.blkdebug_eio(tmp_path, img, "eio", sector=4096)
    r = run_thaw("thaw.test=disk-read thaw.test_exit", extra_args=extra, timeout=120,
                 name="diskeio")
    r.assert_exit_fail()           # a clean failure, not a hang and not a crash
    r.expect_line(r"virtio-blk: vda: read at sector \d+ failed: I/O error reported by the device")
    r.expect_line(r"disk-read: vda whole sectors=\d+ crc=00000000 status=I/O error")
    # Reads that do not touch the bad sector still return the right data.
    diskimg.check_reads_around(r.lines, {"vda": img}, READ_RE, WHOLE_RE, 4096)
    r.expect_line(r"disktest: disk-read FAILED")


def test_stalled_device_times_out(tmp_path):
    # QEMU's I/O throttling (64 KiB/s) makes the device stall on a big request: thaw
    # must give up after its timeout, reset the device and fail every later request
    # at once, instead of hanging.
    img = diskimg.random_disk(tmp_path / "s.img", 8 << 20, seed=6)
    extra = ["-drive", f"file={img},format=raw,if=none,id=slow,throttling.bps-read=65536",
             "-device", "virtio-blk-pci,drive=slow"]
    r = run_thaw("thaw.test=disk-read thaw.test_exit", extra_args=extra, timeout=120,
                 name="diskstall")
    r.assert_exit_fail()
    r.expect_line(r"virtio-blk: vda: no completion for 5000 ms, device reset; 1 request\(s\) failed")
    r.expect_line(r"disk-read: vda whole sectors=\d+ crc=00000000 status=device did not answer in time")
    assert r.elapsed < 90, r.elapsed


def test_read_only_disk_refuses_writes(tmp_path):
    w = diskimg.random_disk(tmp_path / "ro.img", 4 << 20, seed=7)
    before = w.read_bytes()
    r = run_thaw("thaw.test=disk-write thaw.test_exit", disks=[Disk(w, readonly=True)],
                 timeout=120, name="diskro")
    r.assert_exit_fail()
    r.expect_line(r"virtio-blk: vda: .*, read-only")
    r.expect_line(r"virtio-blk: vda: device is read-only, write refused")
    r.expect_line(r"disk-write: vda sector=\d+ count=\d+ crc=[0-9a-f]{8} "
                  r"status=request type not supported by the device readback=different")
    assert w.read_bytes() == before
