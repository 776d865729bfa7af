"""Real Debian 12 hibernation images (tests/fixtures/realimage.py: Linux itself hibernated
a guest running a memory-checksumming workload to its whole-disk swap) resumed by thaw
from inside LUKS2, LVM2, and LUKS2 holding LVM2, with the passphrase typed at thaw's
prompt over the serial console; the guest's own line "WORKLOAD: resumed checksum=ok
counter=ok" is the proof.

The containers are built around the hibernated swap after the fact: cryptsetup
encrypts the disk in place (offline reencryption; dm-crypt is deterministic, so the
disk is what Linux would have written through dm-crypt with that key), and lvm2 makes
a PV whose logical volume holds the swap area's bytes. The resumed guest never reads
its disk again, so it does not notice. The machine gets AES-NI (qemu64,+aes) so TCG
decrypts the ~150 MiB image in reasonable time."""
import os
import re
import shutil
import subprocess
import sys

import pytest

import imagekernel as ik

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import RESUMED_RE, hibernated_disk  # noqa: E402
from test_luks_resume import PASS, CHEAP, PROMPT, encrypt, lvm_disk  # noqa: E402

EXIT_OK = 33
THAW_ARGS = "thaw.test_exit thaw.on_fail=poweroff"
VARIANT = "lzo-bios-smp1"

SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1",
                          reason="LUKS2 and LVM alone: set THAW_SLOW_TESTS=1 (LUKS2->LVM runs always)")

pytestmark = pytest.mark.skipif(shutil.which("cryptsetup") is None or os.geteuid() != 0,
                                reason="needs root, cryptsetup-bin and lvm2 (scripts/deps.sh)")


def boot(fx, disk, workdir, args=THAW_ARGS, keys=None):
    qemu = fx.qemu_args(cdrom=ik.thaw_iso(args), disk=disk) + ["-cpu", "qemu64,+aes"]
    return run_qemu(qemu, workdir / "serial.log", timeout=900, keys=keys,
                    keys_after=re.compile(PROMPT) if keys is not None else None)


def assert_resumed(run):
    text = run.text
    _, m = run.first(RESUMED_RE)
    assert m, f"rc {run.rc} timed_out {run.timed_out}\n{text[-4000:]}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == EXIT_OK
    assert ik.RESUMING_RE.search(text)
    assert PASS not in text
    return text


@SLOW
def test_real_luks2(tmp_path):
    fx = hibernated_disk(VARIANT)
    disk = fx.disk_copy(tmp_path)
    encrypt(disk, *CHEAP)
    text = assert_resumed(boot(fx, disk, tmp_path, keys=PASS + "\r"))
    assert "luks: vda: decrypted as dm-0" in text and "AES-NI" in text
    assert "locate: hibernation image on dm-0" in text


@SLOW
def test_real_lvm(tmp_path):
    fx = hibernated_disk(VARIANT)
    swap = fx.disk_copy(tmp_path, "swap.img")
    disk = lvm_disk(tmp_path, swap, "real-vg")
    swap.unlink()
    text = assert_resumed(boot(fx, disk, tmp_path, THAW_ARGS + " resume=/dev/real-vg/swap"))
    assert "lvm: real-vg/swap: dm-1 (/dev/mapper/real--vg-swap)" in text


def test_real_luks2_lvm(tmp_path):
    fx = hibernated_disk(VARIANT)
    swap = fx.disk_copy(tmp_path, "swap.img")
    disk = lvm_disk(tmp_path, swap, "realc-vg")
    swap.unlink()
    encrypt(disk, *CHEAP)
    text = assert_resumed(boot(fx, disk, tmp_path, THAW_ARGS + " resume=/dev/mapper/realc--vg-swap",
                               keys=PASS + "\r"))
    assert "luks: vda: decrypted as dm-0" in text
    assert "lvm: realc-vg/swap: dm-2" in text
