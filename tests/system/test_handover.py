"""The machine thaw hands over is the one Linux's own boot kernel would (issue 11): real
Debian guests hibernated by the tests (tests/fixtures/realimage.py), resumed through
thaw, report what they got (guest-init.sh handover_report):

- PM1a_CNT.SCI_EN = 1 (ACPI mode), read by the resumed guest through /dev/port at the
  port its FADT names; SeaBIOS leaves it 0, so on BIOS this proves thaw enabled it;
- the ACPI power button works: QEMU's `system_powerdown` raises an SCI the resumed
  kernel counts in /sys/firmware/acpi/interrupts/ff_pwr_btn (shutdown-mode images
  never re-arm it themselves);
- every CPU of a 2-vCPU guest is online again;
- images made with /sys/power/disk = platform (ACPI S4) resume with the workload intact.

The BIOS cases run by default; the OVMF ones with THAW_SLOW_TESTS=1."""
import os
import sys

import pytest

import imagekernel as ik

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.realimage import (HANDOVER_RE, PWRBTN_RE, RESUMED_RE,  # noqa: E402
                                SF_PLATFORM_MODE, hibernated_disk, run_resume, swap_header)

EXIT_OK = 33
THAW_ARGS = "thaw.test_exit thaw.on_fail=poweroff"
SLOW = os.environ.get("THAW_SLOW_TESTS") == "1"
slow = pytest.mark.skipif(not SLOW, reason="THAW_SLOW_TESTS=1 runs the OVMF cases")


def resume_through_thaw(variant, tmp_path):
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    run = run_resume(fx, ik.thaw_iso(THAW_ARGS), disk, tmp_path / "serial.log", 900)
    text = run.text
    _, m = run.first(RESUMED_RE)
    assert m, f"rc {run.rc} timed_out {run.timed_out}\n{text[-4000:]}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == EXIT_OK
    assert ik.RESUMING_RE.search(text), text[-3000:]
    assert swap_header(disk, fx.variant)["sig"] == b"SWAPSPACE2"
    _, h = run.first(HANDOVER_RE)
    assert h, text[-3000:]
    return fx, run, h


def linux_reference(fx):
    """What the same guest reported after Linux's own resume of the same image (run when
    the fixture was built; its log is kept with the fixture)."""
    text = (fx.dir / "linuxresume.log").read_text()
    return HANDOVER_RE.search(text), PWRBTN_RE.search(text)


def check_power_button(run, handover):
    _, p = run.first(PWRBTN_RE)
    assert p, run.text[-3000:]
    assert p["before"] == handover["pwrbtn"] != "none"
    assert int(p["count"]) > int(p["before"]), p.group(0)


@pytest.mark.parametrize("firmware", ["bios", pytest.param("uefi", marks=slow)])
def test_acpi_mode_power_button_and_cpus(firmware, tmp_path):
    """Shutdown-mode image of a 2-vCPU guest: SCI_EN=1, the power button reaches the
    resumed kernel, both CPUs online."""
    fx, run, h = resume_through_thaw(f"lzo-{firmware}-smp2-pwrbtn", tmp_path)
    assert h["hibmode"] == "shutdown"
    assert h["sci_en"] == "1", h.group(0)
    assert h["cpus"] == "0-1", h.group(0)
    if firmware == "bios":
        # SeaBIOS leaves legacy mode: the switch was thaw's.
        assert "acpi: ACPI mode enabled" in run.text, run.text[-3000:]
    check_power_button(run, h)
    # The same as after Linux's own resume.
    ref, ref_button = linux_reference(fx)
    assert ref and ref_button, fx.dir
    assert (ref["sci_en"], ref["cpus"]) == (h["sci_en"], h["cpus"])
    assert int(ref_button["count"]) > int(ref_button["before"])


@pytest.mark.parametrize("firmware", ["bios", pytest.param("uefi", marks=slow)])
def test_platform_mode(firmware, tmp_path):
    """An image made through ACPI S4 (SF_PLATFORM_MODE) resumes intact, in ACPI mode,
    with thaw having done the platform's pre-restore step."""
    fx, run, h = resume_through_thaw(f"lzo-{firmware}-smp1-platform", tmp_path)
    assert fx.meta["swap_header"]["flags"] & SF_PLATFORM_MODE
    assert h["hibmode"] == "platform"
    assert h["sci_en"] == "1", h.group(0)
    assert "made in platform mode" in run.text, run.text[-3000:]
    ref, _ = linux_reference(fx)
    assert ref and (ref["sci_en"], ref["hibmode"]) == (h["sci_en"], h["hibmode"])
