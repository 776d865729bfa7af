"""thaw.iso exactly as `make iso` builds it (no thaw options at all) resumes a hibernated
Linux from the disk behind the CD-ROM: thaw scans the virtio disks and their partitions
for the one swap area holding an image.
"""
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import thawvm  # noqa: E402
from fixtures.guest_qemu import EXIT_OK, run_qemu  # noqa: E402
from fixtures.realimage import RESUMED_RE, SWAP_SIG, hibernated_disk, swap_header  # noqa: E402

ISO = thawvm.BUILD / "thaw.iso"
SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1", reason="set THAW_SLOW_TESTS=1")


@pytest.mark.parametrize("variant, where", [("lzo-bios-smp1-part", "vda1"),
                                            pytest.param("lzo-uefi-smp1", "vda", marks=SLOW)])
def test_plain_iso_scans_and_resumes(tmp_path, variant, where):
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    run = run_qemu(fx.qemu_args(cdrom=ISO, disk=disk, workdir=tmp_path),
                   tmp_path / "serial.log", timeout=600)
    log = f"log {tmp_path / 'serial.log'}"
    _, cmd = run.first(re.compile(r'boot: command line "(.*)"'))
    assert cmd is not None and cmd[1].strip() == "", f"the ISO must pass no options; {log}"
    assert run.first(re.compile(r"cmdline: resume=\(scan\) "))[1], log
    assert run.first(re.compile(rf"locate: hibernation image on {where}\b"))[1], log
    _, m = run.first(RESUMED_RE)
    assert m is not None, f"rc={run.rc} timed_out={run.timed_out}; {log}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == EXIT_OK, f"rc={run.rc}; {log}"
    assert swap_header(disk, fx.variant)["sig"] == SWAP_SIG
