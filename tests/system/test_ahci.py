"""AHCI/SATA disks: known data read at many offsets and sizes (sync and batched
async, several command slots in flight) and streamed over whole disks, every
checksum recomputed here from the image; q35's built-in ich9-ahci and `-device ahci`
on pc, two ports each, BIOS and UEFI; a write + flush the host sees; a SATA disk
beside a virtio disk (names and resume=); EIO from blkdebug; a stalled port; the
ports the firmware left running are stopped and taken over."""
import os
import re

import pytest

import diskimg
from thawvm import run_thaw

READ_RE = re.compile(r"disk-read: (sd\w+|vd\w+) (sync|async) sector=(\d+) count=(\d+) "
                     r"crc=([0-9a-f]{8}) status=(.*)")
WHOLE_RE = re.compile(r"disk-read: (sd\w+|vd\w+) whole sectors=(\d+) crc=([0-9a-f]{8}) "
                      r"status=(\S+)")


def sata(machine, image, drive_id, port, *, hba="ahci0", opts=""):
    """QEMU arguments putting image on SATA port `port`: q35's own controller (buses
    ide.0-ide.5; -cdrom sits on ide.2) or, on pc, an added `-device ahci`."""
    bus = f"ide.{port}" if machine == "q35" else f"{hba}.{port}"
    return ["-drive", f"file={image},format=raw,if=none,id={drive_id}{opts}",
            "-device", f"ide-hd,drive={drive_id},bus={bus}"]


def hba_args(machine):
    return [] if machine == "q35" else ["-device", "ahci,id=ahci0"]


def check_reads(r, images):
    """Every read line's checksum equals the host's; returns how many were checked."""
    return diskimg.check_reads(r.lines, images, READ_RE, WHOLE_RE)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = tmp_path_factory.mktemp("ahci")
    # Odd sizes on purpose: the last request of a stream is short.
    return {"sda": diskimg.random_disk(d / "a.img", 40 * 1024 * 1024 + 7 * 512, seed=11),
            "sdb": diskimg.random_disk(d / "b.img", 6 * 1024 * 1024 + 512, seed=12)}


SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1",
                          reason="the rest of the matrix: set THAW_SLOW_TESTS=1")
# Both controllers and both firmwares by default; every pairing with THAW_SLOW_TESTS=1.
SETUPS = [pytest.param("bios", "q35", id="bios-q35"), pytest.param("uefi", "pc", id="uefi-pc"),
          pytest.param("bios", "pc", id="bios-pc", marks=SLOW),
          pytest.param("uefi", "q35", id="uefi-q35", marks=SLOW)]


@pytest.mark.parametrize("firmware,machine", SETUPS)
def test_read_pattern(images, firmware, machine):
    # Ports 0 and 3 on q35 (the CD-ROM is on 2), 1 and 4 on pc: names follow ports.
    p0, p1 = (0, 3) if machine == "q35" else (1, 4)
    extra = hba_args(machine) + sata(machine, images["sda"], "sa", p0) + \
        sata(machine, images["sdb"], "sb", p1)
    r = run_thaw("thaw.test=disk-read thaw.test_exit", firmware=firmware, machine=machine,
                 extra_args=extra, timeout=300, name=f"ahci-read-{machine}")
    r.assert_exit_ok()
    r.expect_line(rf"ahci: sda: port {p0} of .*, {images['sda'].stat().st_size // 512} "
                  r"sectors .*32 command slots")
    r.expect_line(rf"ahci: sdb: port {p1} of .*, {images['sdb'].stat().st_size // 512} sectors")
    # 48 single reads and one whole-disk stream per disk.
    assert check_reads(r, images) == 2 * (48 + 1)
    r.expect_line(r"disktest: disk-read passed")


def test_write_flush_host_sees_it(tmp_path):
    a = diskimg.random_disk(tmp_path / "a.img", 8 << 20, seed=13)
    w = diskimg.random_disk(tmp_path / "w.img", 4 << 20, seed=14)
    before = {p: p.read_bytes() for p in (a, w)}
    extra = sata("q35", a, "sa", 0) + sata("q35", w, "sw", 1)
    r = run_thaw("thaw.test=disk-write thaw.test_exit", machine="q35", extra_args=extra,
                 timeout=120, name="ahci-write")
    r.assert_exit_ok()
    diskimg.check_write(r, "sdb", w, before)


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_firmware_engines_stopped(tmp_path, firmware):
    # SeaBIOS leaves the ports it used with ST/FRE on and OVMF leaves FIS receive on,
    # their memory in RAM the map calls free: thaw reports and stops them before its
    # allocator starts, then takes its disks over and reads correctly.
    a = diskimg.random_disk(tmp_path / "a.img", 4 << 20, seed=15)
    r = run_thaw("thaw.test=disk-read thaw.test_exit", firmware=firmware, machine="q35",
                 extra_args=sata("q35", a, "sa", 0), timeout=180, name="ahci-fw")
    r.assert_exit_ok()
    m = r.expect_line(r"ahci: 00:1f\.2: the firmware left DMA engines on \(ports "
                      r"(0x[0-9a-f]+) of 0x3f\); stopping them before memory is used")
    assert int(m.group(1), 16) != 0
    lines = r.lines
    stop = next(i for i, l in enumerate(lines) if "left DMA engines on" in l)
    pmm = next(i for i, l in enumerate(lines) if l.startswith("pmm: "))
    assert stop < pmm, "ports must be stopped before the frame allocator starts"
    r.expect_no_line(r"will not stop|still running")
    assert check_reads(r, {"sda": a}) == 48 + 1


def blkdebug_sata(tmp_path, image, drive_id, port, sector):
    """Port `port` of q35's AHCI through blkdebug, failing reads that touch sector."""
    drive = diskimg.blkdebug_eio(tmp_path, image, drive_id, sector=sector)[:2]
    return drive + ["-device", f"ide-hd,drive={drive_id},bus=ide.{port}"]


def test_read_eio_from_blkdebug(tmp_path):
    img = diskimg.random_disk(tmp_path / "e.img", 8 << 20, seed=16)
    r = run_thaw("thaw.test=disk-read thaw.test_exit", machine="q35",
                 extra_args=blkdebug_sata(tmp_path, img, "eio", 0, 4096), timeout=180,
                 name="ahci-eio")
    r.assert_exit_fail()           # a clean failure, not a hang and not a crash
    r.expect_line(r"ahci: sda: read at sector \d+ failed: command aborted by the device "
                  r"\(ABRT\); ATA status 0x[0-9a-f]{2} error 0x04")
    r.expect_line(r"disk-read: sda whole sectors=\d+ crc=00000000 status=I/O error")
    # Reads that do not touch the bad sector still return the right data, the port
    # keeps working after each error, and nothing failed for another reason.
    diskimg.check_reads_around(r.lines, {"sda": img}, READ_RE, WHOLE_RE, 4096,
                               "I/O error reported by the device")
    r.expect_no_line(r"no completion|stopped, \d+ request")
    r.expect_line(r"disktest: disk-read FAILED")


def test_stalled_port_times_out(tmp_path):
    # QEMU's I/O throttling (64 KiB/s) stalls the read after the first whole-disk
    # one: thaw gives up after its timeout, stops the port (COMRESET) and fails every
    # later request at once. (A small disk: QEMU itself drains the throttled request
    # before it exits, 16 s for 1 MiB.)
    img = diskimg.random_disk(tmp_path / "s.img", 1 << 20, seed=17)
    r = run_thaw("thaw.test=disk-read thaw.test_exit", machine="q35",
                 extra_args=sata("q35", img, "slow", 0, opts=",throttling.bps-read=65536"),
                 timeout=150, name="ahci-stall")
    r.assert_exit_fail()
    r.expect_line(r"ahci: sda: no completion for 5000 ms; port 0 stopped, \d+ request\(s\) failed")
    r.expect_line(r"disk-read: sda whole sectors=\d+ crc=00000000 status=device did not "
                  r"answer in time")
    assert r.elapsed < 100, r.elapsed
