"""The machine thaw hands over is the one Linux's own boot kernel would: real Debian
guests hibernated by the tests (tests/fixtures/realimage.py, the -pwrbtn and -platform
variants, whose guests run tests/fixtures/guest-handover.sh), resumed through thaw,
report what the resumed kernel got:

- PM1a_CNT.SCI_EN = 1 (ACPI mode), read by the resumed guest through /dev/port at the
  port its FADT names. SeaBIOS leaves it 0 and a kernel hibernated in shutdown mode never
  sets it again, so on SeaBIOS this is thaw's doing;
- the ACPI power button works: QEMU's `system_powerdown` raises an SCI the resumed kernel
  counts in /sys/firmware/acpi/interrupts/ff_pwr_btn (a shutdown-mode image never re-arms
  PWRBTN_EN itself). QEMU latches the press only while PWRBTN_EN is set and raises the
  SCI whatever SCI_EN says (hw/acpi/core.c acpi_pm1_evt_power_down(),
  acpi_update_sci()), so this checks the fixed-event arming and the SCI_EN read checks
  ACPI mode: a thaw without its ACPI enable fails on sci_en=0, one without the arming on
  an unchanged count;
- every CPU of a 2-vCPU guest is online;
- images made with /sys/power/disk = platform (ACPI S4, SF_PLATFORM_MODE) resume with the
  workload intact and the button working.

Each is compared with what the same guest reported after Linux's own resume of the same
image (the fixture's verify step, its log kept with the fixture). By default one fixture
runs (SeaBIOS, 2 vCPUs, shutdown mode: the case that depends on thaw); OVMF and platform
mode with THAW_SLOW_TESTS=1. Platform mode is not the default case because there the
resumed kernel enables ACPI and the button itself (acpi_hibernation_leave(),
acpi_pm_finish()), so it cannot show whether thaw did."""
import os
import sys

import pytest

import imagekernel as ik

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.realimage import (HANDOVER_RE, PWRBTN_RE, RESUMED_RE,  # noqa: E402
                                SF_PLATFORM_MODE, hibernated_disk, run_resume, swap_header)

EXIT_OK = 33
THAW_ARGS = "thaw.test_exit thaw.on_fail=poweroff"
SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1",
                          reason="set THAW_SLOW_TESTS=1")


def resume_through_thaw(variant, tmp_path):
    """thaw resumes the fixture; the workload must be intact. Returns (fixture, run,
    the guest's hand-over line)."""
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    run = run_resume(fx, ik.thaw_iso(THAW_ARGS), disk, tmp_path / "serial.log", 600)
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
    """The hand-over and button lines of Linux's own resume of the same image."""
    text = (fx.dir / "linuxresume.log").read_text()
    ref, ref_button = HANDOVER_RE.search(text), PWRBTN_RE.search(text)
    assert ref and ref_button, f"no hand-over report in {fx.dir / 'linuxresume.log'}"
    return ref, ref_button


def check_power_button(run, handover):
    """The press QEMU sent after the guest's "waiting" line was counted."""
    _, p = run.first(PWRBTN_RE)
    assert p, run.text[-3000:]
    assert p["before"] == handover["pwrbtn"] != "none", p.group(0)
    assert int(p["count"]) > int(p["before"]), \
        f"the power button's SCI never reached the resumed kernel: {p.group(0)}"


@pytest.mark.parametrize("firmware", ["bios", pytest.param("uefi", marks=SLOW)])
def test_acpi_mode_power_button_and_cpus(firmware, tmp_path):
    """A 2-vCPU guest hibernated in shutdown mode: after thaw's resume ACPI mode is on,
    the power button reaches the kernel and both CPUs are online, as after Linux's."""
    fx, run, h = resume_through_thaw(f"lzo-{firmware}-smp2-pwrbtn", tmp_path)
    assert h["hibmode"] == "shutdown", h.group(0)
    assert h["sci_en"] == "1", h.group(0)
    assert h["cpus"] == "0-1", h.group(0)
    if firmware == "bios":
        # SeaBIOS leaves legacy mode: the switch was thaw's.
        assert "acpi: ACPI mode enabled" in run.text, run.text[-3000:]
    check_power_button(run, h)
    ref, ref_button = linux_reference(fx)
    assert (ref["sci_en"], ref["cpus"], ref["hibmode"]) == \
        (h["sci_en"], h["cpus"], h["hibmode"]), (ref.group(0), h.group(0))
    assert int(ref_button["count"]) > int(ref_button["before"]), ref_button.group(0)


@SLOW
@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_platform_mode(firmware, tmp_path):
    """An image made through ACPI S4 (SF_PLATFORM_MODE) resumes intact, in ACPI mode and
    with the power button working, thaw having done the platform's pre-restore step."""
    fx, run, h = resume_through_thaw(f"lzo-{firmware}-smp1-platform-pwrbtn", tmp_path)
    assert fx.meta["swap_header"]["flags"] & SF_PLATFORM_MODE
    assert h["hibmode"] == "platform", h.group(0)
    assert h["sci_en"] == "1", h.group(0)
    assert "made in platform mode" in run.text, run.text[-3000:]
    check_power_button(run, h)
    ref, ref_button = linux_reference(fx)
    assert (ref["sci_en"], ref["cpus"], ref["hibmode"]) == \
        (h["sci_en"], h["cpus"], h["hibmode"]), (ref.group(0), h.group(0))
    assert int(ref_button["count"]) > int(ref_button["before"]), ref_button.group(0)
