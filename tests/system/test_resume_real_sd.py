"""thaw resumes real Debian 12 guests that Linux itself hibernated to swap on a SATA
disk (AHCI: `-device ahci` on pc, q35's own controller under UEFI) and on a virtio-scsi
LUN (tests/fixtures: the variant's controller), with the workload intact. The UEFI
pair builds two more fixtures and runs behind THAW_SLOW_TESTS=1."""
import os

import pytest

from test_resume_real import boot, assert_resumed
from fixtures.realimage import hibernated_disk  # noqa: E402

SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1",
                          reason="UEFI SATA/SCSI fixtures: set THAW_SLOW_TESTS=1")
VARIANTS = ["lzo-bios-smp1-sata", "lzo-bios-smp1-scsi",
            pytest.param("lzo-uefi-smp1-sata", marks=SLOW),
            pytest.param("none-uefi-smp1-scsi", marks=SLOW)]


@pytest.mark.parametrize("variant", VARIANTS)
def test_real_resume_sd(variant, tmp_path):
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    run = boot(fx, disk, tmp_path)
    assert_resumed(run, fx, disk)
    # thaw read the image through its own driver, from the disk Linux named sda.
    driver = "ahci" if variant.endswith("sata") else "virtio-scsi"
    assert f"{driver}: sda: " in run.text, run.text[-3000:]
    assert "image on sda" in run.text, run.text[-3000:]
    if driver == "ahci":         # nothing left running when the image kernel takes over
        assert "every port stopped for the hand-off" in run.text, run.text[-3000:]
