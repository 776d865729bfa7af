"""virtio-scsi disks: known data read at many offsets and sizes (sync and batched
async) and streamed over whole LUNs, every checksum recomputed here from the image;
transitional and modern-only adapters, two LUNs (and a second target), BIOS and
UEFI; a write + flush the host sees; names after the SATA disks; CHECK CONDITION
from blkdebug decoded; a stalled adapter times out."""
import re

import pytest

import diskimg
from thawvm import run_thaw
from test_ahci import READ_RE, check_reads, hba_args, sata


def scsi_hba(kind="transitional", hba="scsi0"):
    opts = {"transitional": "", "modern-only": ",disable-legacy=on",
            "legacy-only": ",disable-modern=on"}[kind]
    return ["-device", f"virtio-scsi-pci,id={hba}{opts}"]


def scsi_lun(image, drive_id, target, lun, *, hba="scsi0", opts="", file_prefix=""):
    return ["-drive", f"file={file_prefix}{image},format=raw,if=none,id={drive_id}{opts}",
            "-device", f"scsi-hd,drive={drive_id},bus={hba}.0,channel=0,scsi-id={target},"
                       f"lun={lun}"]


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = tmp_path_factory.mktemp("vscsi")
    return {"sda": diskimg.random_disk(d / "a.img", 36 * 1024 * 1024 + 5 * 512, seed=21),
            "sdb": diskimg.random_disk(d / "b.img", 5 * 1024 * 1024 + 512, seed=22),
            "sdc": diskimg.random_disk(d / "c.img", 3 * 1024 * 1024, seed=23)}


SETUPS = [("bios", "pc", "legacy-only", "legacy"), ("bios", "q35", "modern-only", "modern"),
          ("uefi", "q35", "transitional", "modern"), ("uefi", "pc", "transitional", "modern")]


@pytest.mark.parametrize("firmware,machine,kind,iface", SETUPS,
                         ids=[f"{s[0]}-{s[1]}-{s[2]}" for s in SETUPS])
def test_read_pattern(images, firmware, machine, kind, iface):
    # Two LUNs on target 0 and one on target 2: names in (target, lun) order.
    extra = scsi_hba(kind) + scsi_lun(images["sdb"], "s1", 0, 1) + \
        scsi_lun(images["sda"], "s0", 0, 0) + scsi_lun(images["sdc"], "s2", 2, 0)
    r = run_thaw("thaw.test=disk-read thaw.test_exit", firmware=firmware, machine=machine,
                 extra_args=extra, timeout=300, name=f"vscsi-read-{kind}")
    r.assert_exit_ok()
    r.expect_line(rf"virtio-scsi: sda: target 0 lun 0 of .*, "
                  rf"{images['sda'].stat().st_size // 512} sectors .*{iface} interface")
    r.expect_line(rf"virtio-scsi: sdb: target 0 lun 1 of .*, "
                  rf"{images['sdb'].stat().st_size // 512} sectors")
    r.expect_line(rf"virtio-scsi: sdc: target 2 lun 0 of .*, "
                  rf"{images['sdc'].stat().st_size // 512} sectors")
    assert check_reads(r, images) == 3 * (48 + 1)
    r.expect_line(r"disktest: disk-read passed")
