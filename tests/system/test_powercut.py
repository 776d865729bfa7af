"""Power cut at every phase of a real restore, then the next boot.

thaw.test=cut:<phase> (kernel/cutpoint.h) makes thaw announce the phase on the serial port
and halt; the test then stops QEMU on the spot (no shutdown of any kind) and boots the same
disk again with an ordinary command line. Before the commit point (the signature reset's
write) the disk must be byte-for-byte what Linux left, and the next boot resumes the image
with the workload intact; from the write on, only the swap header page has changed, it says
SWAPSPACE2, and the next boot reports that there is nothing to resume.

`make test` cuts at a sample of phases; `make reliability` (THAW_RELIABILITY=1) at all."""
import hashlib
import os
import re
import sys

import pytest

import imagekernel as ik
import reliability
from realboot import EXIT_OK, RESUMED_RE, THAW_ARGS, assert_resumed, boot

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.realimage import hibernated_disk, swap_header  # noqa: E402

VARIANT = "lzo-bios-smp1"
PHASES = ["located", "load-10", "load-50", "load-90", "verified", "written", "committed"]
COMMITTED = {"written", "committed"}        # the signature reset has reached the disk
SAMPLE = ["load-50", "written"]


def phases():
    return PHASES if os.environ.get("THAW_RELIABILITY") == "1" else SAMPLE


def digest_outside(disk, skip_at, skip_len=ik.PAGE) -> str:
    """sha256 of the disk with [skip_at, skip_at + skip_len) left out."""
    h = hashlib.sha256()
    with open(disk, "rb") as f:
        h.update(f.read(skip_at))
        f.seek(skip_at + skip_len)
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@pytest.mark.parametrize("phase", phases())
def test_power_cut(phase, tmp_path):
    fx = hibernated_disk(VARIANT)
    disk = fx.disk_copy(tmp_path)
    header = 0                                  # the swap header page: swap on the whole disk
    before, before_rest = ik.digest(disk), digest_outside(disk, header)
    cut_re = re.compile(rf"thaw: test: cut point {re.escape(phase)} reached")

    cut_dir = tmp_path / "cut"
    cut_dir.mkdir()
    run = boot(fx, disk, cut_dir, args=f"{THAW_ARGS} thaw.test=cut:{phase}", stop_re=cut_re)
    assert run.first(cut_re)[1], f"phase {phase} never reached\n{run.text[-3000:]}"
    assert not run.first(RESUMED_RE)[1] and "IMAGEKERNEL" not in run.text

    again = tmp_path / "again"
    again.mkdir()
    if phase not in COMMITTED:
        intact = ik.digest(disk) == before
        run = boot(fx, disk, again)
        _, m = run.first(RESUMED_RE)
        got = "resumed" if intact and m and m["checksum"] == "ok" and m["counter"] == "ok" \
            else f"other: disk {'intact' if intact else 'changed'}, rc {run.rc}"
        reliability.record("power-cut", phase, "resumed", got)
        assert intact, "the disk changed before the commit point"
        assert_resumed(run, fx, disk)
        return
    sig = swap_header(disk, fx.variant)["sig"]
    rest_same = digest_outside(disk, header) == before_rest
    run = boot(fx, disk, again)
    gone = sig == b"SWAPSPACE2" and rest_same and run.rc == EXIT_OK and \
        "nothing to resume" in run.text and not run.first(RESUMED_RE)[1]
    reliability.record("power-cut", phase, "gone", "gone" if gone else
                       f"other: sig {sig!r}, rest {'same' if rest_same else 'changed'}, rc {run.rc}")
    assert sig == b"SWAPSPACE2"
    assert rest_same, "more than the swap header changed"
    assert run.rc == EXIT_OK, run.text[-3000:]
    assert "nothing to resume" in run.text and "SWAPSPACE2" in run.text
    assert not run.first(RESUMED_RE)[1] and "thaw: resuming" not in run.text
