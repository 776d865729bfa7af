"""Booting thaw.iso on a real hibernated fixture (tests/fixtures/realimage.py) and judging
what happened by the guest's own proof: "WORKLOAD: resumed checksum=ok counter=ok" and QEMU
exit 33 from the guest, or thaw's refusal with the disk byte-for-byte unchanged."""
import re
import sys

import imagekernel as ik
import qmpcpus

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import RESUMED_RE, swap_header  # noqa: E402

EXIT_OK, EXIT_FAIL = 33, 35
THAW_ARGS = "thaw.test_exit thaw.on_fail=poweroff"


def boot(fx, disk, workdir, mem_mib=None, args=THAW_ARGS, stop_re=None, smp=None):
    """thaw resumes the fixture's image. At the workload's first line after the resume
    the vCPUs' registers are read (run.cpus: {index: (cr0, rip)}). smp: a QEMU -smp
    value replacing the fixture's."""
    kw = {"mem_mib": mem_mib} if mem_mib else {}
    qemu = fx.qemu_args(cdrom=ik.thaw_iso(args), disk=disk, **kw)
    if smp is not None:
        qemu[qemu.index("-smp") + 1] = smp
    qmp = workdir / "qmp.sock"
    regs = {}

    def look(_line):
        regs["text"] = qmpcpus.registers(qmp)

    run = run_qemu(qemu + qmpcpus.qmp_args(qmp), workdir / "serial.log", timeout=600,
                   stop_re=stop_re, on_line=(re.compile(r"WORKLOAD: back"), look))
    run.cpus = qmpcpus.cpu_states(regs.get("text", ""))
    return run


def assert_resumed(run, fx, disk):
    text = run.text
    _, m = run.first(RESUMED_RE)
    assert m, f"rc {run.rc} timed_out {run.timed_out}\n{text[-4000:]}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == EXIT_OK
    assert ik.RESUMING_RE.search(text)
    assert swap_header(disk, fx.variant)["sig"] == b"SWAPSPACE2"
    # Every vCPU is back online: the resumed kernel started each one itself.
    assert len(run.cpus) == fx.variant.smp, run.cpus
    assert all(qmpcpus.online(s) for s in run.cpus.values()), run.cpus


def assert_refused(run, fx, disk, before, *words):
    text = run.text
    assert run.rc == EXIT_FAIL, f"rc {run.rc}\n{text[-3000:]}"
    assert not run.first(RESUMED_RE)[1] and "thaw: resuming" not in text
    assert "left untouched" in text
    for w in words:
        assert w in text, f"{w!r} not in:\n{text[-3000:]}"
    assert swap_header(disk, fx.variant)["sig"] == b"S1SUSPEND\0"
    assert ik.digest(disk) == before
