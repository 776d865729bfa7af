"""Real Debian 12 guests that swap on device-mapper (tests/fixtures/dmstack.py): the
fixture builds LUKS2 and LVM2 volumes with Debian's cryptsetup and lvm2, the guest maps
them with the kernel's dm-crypt (aes-xts-plain64) and dm-linear, swaps on the mapping
and hibernates, so Linux itself writes the image through the device-mapper. thaw
unlocks the container with the passphrase typed at its prompt over the serial console,
assembles the LV, and resumes; the guest's own line "WORKLOAD: resumed checksum=ok
counter=ok" is the proof. Default run: LUKS2 → LVM (Debian's "guided - use entire disk
and set up encrypted LVM"); LVM alone, LUKS2 alone and three wrong passphrases with
THAW_SLOW_TESTS=1."""
import os
import re
import shutil
import sys

import pytest

import imagekernel as ik

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.dmstack import PASSPHRASE  # noqa: E402
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import (RESUMED_RE, SWAP_SIG, hibernated_disk,  # noqa: E402
                                linux_resume, swap_header)

EXIT_OK = 33
EXIT_FAIL = 35
THAW_ARGS = "thaw.test_exit thaw.on_fail=poweroff"
PROMPT = re.compile(r"luks: vda is encrypted")

SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1",
                          reason="LVM alone, LUKS2 alone, wrong passphrases: set "
                                 "THAW_SLOW_TESTS=1 (LUKS2 -> LVM runs always)")

pytestmark = pytest.mark.skipif(shutil.which("cryptsetup") is None or os.geteuid() != 0,
                                reason="needs root, cryptsetup-bin, lvm2 and "
                                       "python3-cryptography (scripts/deps.sh)")


def boot(fx, disk, workdir, args, keys=None):
    qemu = fx.qemu_args(cdrom=ik.thaw_iso(args), disk=disk, workdir=workdir)
    return run_qemu(qemu, workdir / "serial.log", timeout=900, keys=keys,
                    keys_after=PROMPT if keys is not None else None)


def assert_resumed(run, fx, disk):
    text = run.text
    _, m = run.first(RESUMED_RE)
    assert m, f"rc {run.rc} timed_out {run.timed_out}\n{text[-4000:]}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == EXIT_OK
    assert ik.RESUMING_RE.search(text)
    assert PASSPHRASE not in text                 # never echoed
    # thaw's signature reset went back through its encrypting write: the swap area,
    # decrypted on the host with the volume key, is plain swap again.
    assert swap_header(disk, fx.variant)["sig"] == SWAP_SIG
    return text


def test_real_luks2_lvm(tmp_path):
    fx = hibernated_disk("lzo-bios-smp1-lukslvm")
    disk = fx.disk_copy(tmp_path)
    run = boot(fx, disk, tmp_path, f"{THAW_ARGS} resume={fx.variant.thaw_resume}",
               keys=PASSPHRASE + "\r")
    text = assert_resumed(run, fx, disk)
    assert "luks: vda: decrypted as dm-0" in text and "AES-NI" in text, text[-4000:]
    assert "lvm: thaw-vg/swap_1: dm-2 (/dev/mapper/thaw--vg-swap_1)" in text, text[-4000:]
    assert "locate: hibernation image on dm-2" in text


@SLOW
def test_real_lvm(tmp_path):
    fx = hibernated_disk("lzo-bios-smp1-lvm")
    disk = fx.disk_copy(tmp_path)
    text = assert_resumed(boot(fx, disk, tmp_path, f"{THAW_ARGS} resume=/dev/thaw-vg/swap_1"),
                          fx, disk)
    assert "lvm: thaw-vg/swap_1: dm-1 (/dev/mapper/thaw--vg-swap_1)" in text, text[-4000:]
    assert "locate: hibernation image on dm-1" in text


@SLOW
def test_real_luks2(tmp_path):
    """Swap directly in LUKS2, found by scanning (no resume=)."""
    fx = hibernated_disk("lzo-bios-smp1-luks")
    disk = fx.disk_copy(tmp_path)
    text = assert_resumed(boot(fx, disk, tmp_path, THAW_ARGS, keys=PASSPHRASE + "\r"),
                          fx, disk)
    assert "luks: vda: decrypted as dm-0" in text and "AES-NI" in text, text[-4000:]
    assert "locate: hibernation image on dm-0" in text


@SLOW
def test_real_wrong_passphrase(tmp_path):
    """Three wrong passphrases: thaw stops cleanly with the disk untouched, and the
    system's own boot that follows (Linux resuming itself) still finds the image."""
    fx = hibernated_disk("lzo-bios-smp1-lukslvm")
    disk = fx.disk_copy(tmp_path)
    before = ik.digest(disk)
    run = boot(fx, disk, tmp_path, f"{THAW_ARGS} resume={fx.variant.thaw_resume}",
               keys="Correct Horse 8\r")
    text = run.text
    # resume= names the LV inside the container that stayed locked: a failed resume
    # (QEMU's exit 35 under thaw.test_exit), then thaw.on_fail.
    assert run.rc == EXIT_FAIL, f"rc {run.rc}\n{text[-4000:]}"
    assert text.count("wrong passphrase (attempt") == 3, text[-4000:]
    assert "luks: vda: 3 wrong passphrases; it stays locked" in text
    assert "locate: 1 encrypted device stayed locked, so what it holds was not searched" in text
    assert "no device matches resume=" in text and not ik.RESUMING_RE.search(text)
    assert ik.digest(disk) == before
    r = linux_resume(fx, tmp_path / "linux", disk=disk)
    assert r.ok, r.run.text[-4000:]
