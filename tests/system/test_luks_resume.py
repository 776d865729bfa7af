"""thaw resumes synthetic images (the test image kernel, tests/rig/imagekernel.py) from
swap inside LUKS2 and LVM2 volumes built by Debian's cryptsetup and lvm2, with the
passphrase typed at thaw's prompt over the serial console; wrong passphrases three
times leave the disk untouched and end in a clean stop; a damaged primary LUKS2
header falls back to the secondary copy.

cryptsetup encrypts the finished swap disk in place (offline reencryption: no
device-mapper needed); LVM volumes are made on a loop device with --driverloaded n and
the swap written where lvm2's own report puts the LV. Exit codes as in
test_resume_synthetic: 33 ok / clean stop, 35 refused."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import imagekernel as ik
from test_resume_synthetic import EXIT_OK, layout

REPO = Path(__file__).resolve().parents[2]
THAWCTL = REPO / "build" / "thawctl"
PASS = "Correct Horse 7"
CHEAP = ["--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000"]
MiB = 1 << 20
PROMPT = r"luks: vd\w+ is encrypted"

SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1", reason="set THAW_SLOW_TESTS=1")

pytestmark = pytest.mark.skipif(shutil.which("cryptsetup") is None or os.geteuid() != 0,
                                reason="needs root, cryptsetup-bin and lvm2 (scripts/deps.sh)")


@pytest.fixture(scope="module", autouse=True)
def tools():
    subprocess.run(["make", "-C", str(REPO), "--no-print-directory", "-s", "build/thawctl",
                    "build/mkimage", "build/thaw.elf"], check=True, capture_output=True)


def encrypt(disk, *args):
    """LUKS2 around disk's contents: 16 MiB more at the end make room for the header."""
    os.truncate(disk, disk.stat().st_size + 16 * MiB)
    subprocess.run(["cryptsetup", "reencrypt", "--encrypt", "--force-offline-reencrypt",
                    "--batch-mode", "--key-file", "-", "--reduce-device-size", str(16 * MiB),
                    "--type", "luks2", *args, str(disk)], input=PASS.encode(), check=True,
                   capture_output=True, timeout=900)


def inner_signature(disk, tmp):
    """The swap signature inside the container, read with thawctl (thaw's code, already
    checked against cryptsetup by test_luks_thawctl)."""
    key = tmp / "key"
    key.write_text(PASS)
    r = subprocess.run([str(THAWCTL), "inspect", "--luks", str(disk), "--key-file", str(key)],
                       capture_output=True, text=True)
    return r.stdout


def resumed(run, lay):
    text = run.text
    assert run.rc == EXIT_OK, f"rc {run.rc} timed_out {run.timed_out}\n{text[-4000:]}"
    assert not ik.FAIL_RE.search(text)
    ok = ik.OK_RE.search(text)
    assert ok, text[-3000:]
    assert int(ok["pages"], 16) == ik.listed_pages(lay)
    assert PASS not in text                 # never echoed
    return text


def image(tmp, tmp_path_factory, device_mib=24):
    """The image kernel with the pages below 12 MiB only (~3000 pages): decryption in
    TCG is slow, and what is inside the container is tested elsewhere."""
    lay = layout("bios", protocol="v1")
    limit = 12 * ik.MIB_PAGES
    lay.pattern = [(s, min(n, limit - s)) for s, n in lay.pattern if s < limit]
    lay.zero = [(s, min(n, limit - s)) for s, n in lay.zero if s < limit]
    return lay, ik.make_image(lay, tmp, compress="lz4", device_mib=device_mib)


def run_thaw(disk, tmp, cpu="max", **kw):
    """ik.run_thaw with the disk on virtio and, by default, a CPU with AES-NI."""
    drive = ["-drive", f"file={disk},format=raw,if=virtio"] + (["-cpu", cpu] if cpu else [])
    return ik.run_thaw(disk, tmp, drive=drive, **kw)


@pytest.mark.parametrize("sector,cpu", [(512, None), (4096, "max")],
                         ids=["512-softaes", "4096-aesni"])
def test_luks2_resume(tmp_path, tmp_path_factory, sector, cpu):
    lay, disk = image(tmp_path, tmp_path_factory)
    encrypt(disk, "--sector-size", str(sector), *CHEAP)
    run = run_thaw(disk, tmp_path, cpu=cpu, keys=PASS + "\r", keys_after=PROMPT, timeout=600)
    text = resumed(run, lay)
    assert re.search(r"luks: vda: decrypted as dm-0 \(/dev/mapper/luks-[0-9a-f-]+\), "
                     rf"aes-xts-plain64, {sector}-byte sectors", text), text[-3000:]
    assert ("AES-NI" in text) == (cpu == "max")
    assert "locate: hibernation image on dm-0" in text
    # The signature reset went through the encrypting write: the swap is plain again.
    assert "no hibernation image (swap signature present)" in inner_signature(disk, tmp_path)


def test_wrong_passphrase_three_times(tmp_path, tmp_path_factory):
    lay, disk = image(tmp_path, tmp_path_factory)
    encrypt(disk, *CHEAP)
    before = ik.digest(disk)
    run = run_thaw(disk, tmp_path, keys="not it\r", keys_after=PROMPT, timeout=300)
    text = run.text
    assert run.rc == EXIT_OK, text[-3000:]
    assert text.count("wrong passphrase (attempt") == 3
    assert "luks: vda: 3 wrong passphrases; it stays locked" in text
    assert "locate: 1 encrypted device stayed locked, so what it holds was not searched" in text
    assert "nothing to resume" in text and "IMAGEKERNEL" not in text
    assert ik.digest(disk) == before


def test_give_up_with_escape(tmp_path, tmp_path_factory):
    lay, disk = image(tmp_path, tmp_path_factory)
    encrypt(disk, *CHEAP)
    before = ik.digest(disk)
    run = run_thaw(disk, tmp_path, keys="\x1b", keys_after=PROMPT, timeout=300)
    assert run.rc == EXIT_OK, run.text[-3000:]
    assert "luks: vda: no passphrase given; it stays locked" in run.text
    assert run.text.count("is encrypted") == 1
    assert ik.digest(disk) == before


def test_damaged_primary_header(tmp_path, tmp_path_factory):
    lay, disk = image(tmp_path, tmp_path_factory)
    encrypt(disk, *CHEAP)
    with open(disk, "r+b") as f:
        f.seek(4096 + 64)
        f.write(b"!")
    run = run_thaw(disk, tmp_path, keys=PASS + "\r", keys_after=PROMPT, timeout=300)
    resumed(run, lay)
    assert "luks: vda: primary LUKS2 header damaged; using the secondary copy" in run.text


def test_argon2_memory_refused(tmp_path, tmp_path_factory):
    """A keyslot whose Argon2 memory cost exceeds the machine's free memory is refused
    by name (and the disk left alone), not attempted."""
    lay, disk = image(tmp_path, tmp_path_factory)
    encrypt(disk, "--pbkdf", "argon2id", "--pbkdf-force-iterations", "4", "--pbkdf-memory",
            str(512 * 1024), "--pbkdf-parallel", "1")
    before = ik.digest(disk)
    run = run_thaw(disk, tmp_path, keys=PASS + "\r", keys_after=PROMPT, timeout=300, mem_mib=256)
    assert run.rc == EXIT_OK, run.text[-3000:]
    m = re.search(r"luks: vda: keyslot 0 needs (\d+) MiB for its key derivation; only "
                  r"(\d+) MiB free: skipped", run.text)
    assert m and int(m[1]) > int(m[2]) and int(m[1]) >= 256, run.text[-3000:]
    assert "not enough memory for the keyslot's key derivation; it stays locked" in run.text
    assert ik.digest(disk) == before


def test_luks_key_option_refused(tmp_path, tmp_path_factory):
    lay, disk = image(tmp_path, tmp_path_factory)
    encrypt(disk, *CHEAP)
    run = run_thaw(disk, tmp_path, args="thaw.test_exit thaw.on_fail=poweroff "
                      "thaw.luks_key=hunter2", keys=PASS + "\r", keys_after=PROMPT, timeout=300)
    resumed(run, lay)
    assert "a secret on the command line is visible to everyone" in run.text


def test_cryptsetup_defaults(tmp_path, tmp_path_factory):
    """cryptsetup's own defaults (Argon2id with the memory and time it benchmarks on
    this host): the real key-derivation path, run by thaw in TCG."""
    lay, disk = image(tmp_path, tmp_path_factory)
    encrypt(disk)
    run = run_thaw(disk, tmp_path, keys=PASS + "\r", keys_after=PROMPT, timeout=1500,
                      mem_mib=1024)
    text = resumed(run, lay)
    m = re.search(r"luks: vda: unlocked in (\d+) ms", text)
    assert m, text[-3000:]
    print(f"argon2id unlock in TCG: {int(m[1])} ms")


# --- LVM ---------------------------------------------------------------------------

def lvm_disk(tmp, swap_img, vg, lv="swap", extra_lv=True):
    """A disk holding a PV whose VG has LV `lv` with swap_img's contents (after a small
    LV, so the swap LV does not start at the PV's first extent)."""
    disk = tmp / "lvm.img"
    size = swap_img.stat().st_size
    with open(disk, "wb") as f:
        f.truncate(size + 32 * MiB)
    loop = subprocess.run(["losetup", "-f", "--show", str(disk)], check=True,
                          capture_output=True, text=True).stdout.strip()
    nod = ["--driverloaded", "n", "--config", "backup { backup = 0 archive = 0 }"]
    try:
        subprocess.run(["pvcreate", "-ff", "-y", loop], check=True, capture_output=True)
        subprocess.run(["vgcreate", *nod, vg, loop], check=True, capture_output=True)
        if extra_lv:
            subprocess.run(["lvcreate", *nod, "-an", "-Zn", "-l", "1", "-n", "first", vg],
                           check=True, capture_output=True)
        subprocess.run(["lvcreate", *nod, "-an", "-Zn", "-L", f"{size // MiB}m", "-n", lv, vg],
                       check=True, capture_output=True)
        out = subprocess.run(["lvs", "--noheadings", "--segments", "--units", "s",
                              "--separator", "|", "-o", "seg_pe_ranges", f"{vg}/{lv}"],
                             check=True, capture_output=True, text=True).stdout.split()
        assert len(out) == 1, out                       # one linear segment
        pe = int(out[0].rsplit(":", 1)[1].split("-")[0])
        pe_start = int(subprocess.run(["pvs", "--noheadings", "--units", "s", "-o", "pe_start",
                                       loop], check=True, capture_output=True,
                                      text=True).stdout.strip().rstrip("S"))
        ext = int(subprocess.run(["vgs", "--noheadings", "--units", "s", "-o", "vg_extent_size",
                                  vg], check=True, capture_output=True,
                                 text=True).stdout.strip().rstrip("S"))
    finally:
        subprocess.run(["losetup", "-d", loop], capture_output=True)
    with open(disk, "r+b") as f, open(swap_img, "rb") as s:
        f.seek((pe_start + pe * ext) * 512)
        shutil.copyfileobj(s, f)
    return disk


@pytest.mark.parametrize("spec", ["/dev/mapper/thaw--vg-swap",
                                  pytest.param("/dev/thaw-vg/swap", marks=SLOW),
                                  pytest.param("", marks=SLOW),
                                  pytest.param("UUID=a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf",
                                               marks=SLOW)])
def test_lvm_resume(tmp_path, tmp_path_factory, spec):
    lay, img = image(tmp_path, tmp_path_factory, device_mib=40)
    disk = lvm_disk(tmp_path, img, "thaw-vg")
    args = "thaw.test_exit thaw.on_fail=poweroff" + (f" resume={spec}" if spec else "")
    run = run_thaw(disk, tmp_path, args=args, timeout=300)
    text = resumed(run, lay)
    assert "lvm: thaw-vg/swap: dm-1 (/dev/mapper/thaw--vg-swap)" in text, text[-3000:]
    assert "locate: hibernation image on dm-1" in text


def test_luks_on_lvm_stack(tmp_path, tmp_path_factory):
    """Debian's "guided - encrypted LVM": LUKS2 holding an LVM PV holding swap."""
    lay, img = image(tmp_path, tmp_path_factory, device_mib=40)
    disk = lvm_disk(tmp_path, img, "crypt-vg")
    encrypt(disk, *CHEAP)
    run = run_thaw(disk, tmp_path, args="thaw.test_exit thaw.on_fail=poweroff "
                      "resume=/dev/crypt-vg/swap", keys=PASS + "\r", keys_after=PROMPT,
                      timeout=300)
    text = resumed(run, lay)
    assert "luks: vda: decrypted as dm-0" in text
    assert "lvm: crypt-vg/swap: dm-2 (/dev/mapper/crypt--vg-swap)" in text, text[-3000:]
