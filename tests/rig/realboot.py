"""Booting thaw.iso on a real hibernated fixture (tests/fixtures/realimage.py) and judging
what happened by the guest's own proof: "WORKLOAD: resumed checksum=ok counter=ok" and QEMU
exit 33 from the guest, or thaw's refusal with the disk byte-for-byte unchanged."""
import sys

import imagekernel as ik

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import RESUMED_RE, swap_header  # noqa: E402

EXIT_OK, EXIT_FAIL = 33, 35
THAW_ARGS = "thaw.test_exit thaw.on_fail=poweroff"


def boot(fx, disk, workdir, mem_mib=None, args=THAW_ARGS, stop_re=None):
    kw = {"mem_mib": mem_mib} if mem_mib else {}
    qemu = fx.qemu_args(cdrom=ik.thaw_iso(args), disk=disk, **kw)
    return run_qemu(qemu, workdir / "serial.log", timeout=600, stop_re=stop_re)


def assert_resumed(run, fx, disk):
    text = run.text
    _, m = run.first(RESUMED_RE)
    assert m, f"rc {run.rc} timed_out {run.timed_out}\n{text[-4000:]}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == EXIT_OK
    assert ik.RESUMING_RE.search(text)
    assert swap_header(disk, fx.variant)["sig"] == b"SWAPSPACE2"


def assert_refused(run, fx, disk, before, *words):
    text = run.text
    assert run.rc == EXIT_FAIL, f"rc {run.rc}\n{text[-3000:]}"
    assert not run.first(RESUMED_RE)[1] and "thaw: resuming" not in text
    assert "left untouched" in text
    for w in words:
        assert w in text, f"{w!r} not in:\n{text[-3000:]}"
    assert swap_header(disk, fx.variant)["sig"] == b"S1SUSPEND\0"
    assert ik.digest(disk) == before
