"""thaw's LUKS code (luks/, crypto/) against Debian's cryptsetup on real volumes, on the
host through thawctl: cryptsetup encrypts a known file in place (offline reencryption
works on a plain file, no device-mapper needed), thawctl unlocks it with thaw's own
KDFs, AF merge and ciphers and must give back the plaintext byte for byte; LUKS1 comes
from `cryptsetup convert`. Also a hibernation image inside LUKS verifies, wrong
passphrases and damaged headers are refused or recovered. Needs no QEMU."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "fixtures"))
import pagespec  # noqa: E402

THAWCTL = REPO / "build" / "thawctl"
PASS = b"correct horse battery staple"
CHEAP = ["--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000"]
MiB = 1 << 20

pytestmark = pytest.mark.skipif(shutil.which("cryptsetup") is None,
                                reason="cryptsetup-bin not installed (scripts/deps.sh)")


@pytest.fixture(scope="module", autouse=True)
def tools():
    subprocess.run(["make", "-C", str(REPO), "--no-print-directory", "-s",
                    "build/thawctl", "build/mkimage"], check=True, capture_output=True)


def thawctl(*args, key=None):
    return subprocess.run([str(THAWCTL), *map(str, args)], capture_output=True,
                          timeout=600, input=key)


def pattern(n, seed=1):
    """Distinct 16-byte records, so a wrong IV or sector shows up."""
    return b"".join(b"%04d:blk%08d\n" % (seed, i) for i in range(n // 16))


def encrypt(path, *args, reduce=16 * MiB):
    """cryptsetup's offline encryption of path in place; the last `reduce` bytes make
    room for the header (the data moves up)."""
    subprocess.run(["cryptsetup", "reencrypt", "--encrypt", "--force-offline-reencrypt",
                    "--batch-mode", "--key-file", "-", "--reduce-device-size",
                    str(reduce), *args, str(path)], input=PASS, check=True,
                   capture_output=True, timeout=600)


def keyfile(tmp_path, secret=PASS):
    k = tmp_path / "key"
    k.write_bytes(secret)
    return k


def plain_volume(tmp_path, size=8 * MiB, reduce=16 * MiB):
    data = pattern(size)
    vol = tmp_path / "vol"
    vol.write_bytes(data + bytes(reduce))
    return vol, data


VOLUMES = {
    "luks2-xts512-pbkdf2": ["--type", "luks2", *CHEAP],
    "luks2-xts4096-pbkdf2": ["--type", "luks2", "--sector-size", "4096", *CHEAP],
    "luks2-xts256-sha1": ["--type", "luks2", "--key-size", "256", "--hash", "sha1", *CHEAP],
    "luks2-argon2id": ["--type", "luks2", "--pbkdf", "argon2id", "--pbkdf-force-iterations",
                       "4", "--pbkdf-memory", "32768", "--pbkdf-parallel", "2"],
    "luks2-argon2i": ["--type", "luks2", "--pbkdf", "argon2i", "--pbkdf-force-iterations",
                      "5", "--pbkdf-memory", "16384", "--pbkdf-parallel", "1"],
    "luks2-cbc-essiv4096": ["--type", "luks2", "--cipher", "aes-cbc-essiv:sha256",
                            "--key-size", "256", "--sector-size", "4096", *CHEAP],
    "luks2-cryptsetup-defaults": ["--type", "luks2"],
}


@pytest.mark.parametrize("name", VOLUMES)
def test_unlock_and_decrypt(tmp_path, name):
    vol, data = plain_volume(tmp_path)
    encrypt(vol, *VOLUMES[name])
    out = tmp_path / "out"
    r = thawctl("luks", vol, "--key-file", keyfile(tmp_path), "--dump", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert b"keyslot 0 opened" in r.stdout
    assert out.read_bytes()[:len(data)] == data


# LUKS1: cryptsetup cannot encrypt LUKS1 offline without device-mapper, but it converts
# an encrypted LUKS2 volume (pbkdf2 keyslots, 512-byte sectors) to LUKS1 in place.
LUKS1 = {
    "luks1-xts-sha256": ["--key-size", "512"],
    "luks1-xts-sha1": ["--key-size", "256", "--hash", "sha1"],
    "luks1-cbc-essiv": ["--cipher", "aes-cbc-essiv:sha256", "--key-size", "256"],
}


@pytest.mark.parametrize("name", LUKS1)
def test_luks1(tmp_path, name):
    vol, data = plain_volume(tmp_path)
    encrypt(vol, "--type", "luks2", *CHEAP, *LUKS1[name])
    subprocess.run(["cryptsetup", "convert", "--type", "luks1", "--batch-mode", str(vol)],
                   check=True, capture_output=True)
    out = tmp_path / "out"
    r = thawctl("luks", vol, "--key-file", keyfile(tmp_path), "--dump", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert b": LUKS1 " in r.stdout
    assert out.read_bytes()[:len(data)] == data


def test_wrong_passphrase(tmp_path):
    vol, _ = plain_volume(tmp_path, size=MiB)
    encrypt(vol, "--type", "luks2", *CHEAP)
    r = thawctl("luks", vol, "--key-file", keyfile(tmp_path, b"not it"))
    assert r.returncode == 1
    assert b"no keyslot opens with this passphrase" in r.stdout


def test_second_keyslot(tmp_path):
    """The passphrase of keyslot 1 opens keyslot 1 after keyslot 0 refuses it."""
    vol, data = plain_volume(tmp_path, size=MiB)
    encrypt(vol, "--type", "luks2", *CHEAP)
    other = tmp_path / "other"
    other.write_bytes(b"second")
    subprocess.run(["cryptsetup", "luksAddKey", "--batch-mode", "--key-file",
                    str(keyfile(tmp_path)), *CHEAP, str(vol), str(other)], check=True,
                   capture_output=True)
    out = tmp_path / "out"
    r = thawctl("luks", vol, "--key-file", other, "--dump", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert b"keyslot 1 opened" in r.stdout
    assert out.read_bytes()[:len(data)] == data


def test_damaged_primary_header(tmp_path):
    """A byte changed in the primary JSON area: its checksum fails, the secondary copy
    is used; with both copies damaged the unlock is refused by name."""
    vol, data = plain_volume(tmp_path, size=MiB)
    encrypt(vol, "--type", "luks2", *CHEAP)
    with open(vol, "r+b") as f:
        f.seek(4096 + 100)
        f.write(b"#")
    out = tmp_path / "out"
    r = thawctl("luks", vol, "--key-file", keyfile(tmp_path), "--dump", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert b"secondary copy used" in r.stdout
    assert out.read_bytes()[:len(data)] == data
    with open(vol, "r+b") as f:                 # the secondary starts at 16 KiB
        f.seek(16384 + 4096 + 100)
        f.write(b"#")
    r = thawctl("luks", vol, "--key-file", keyfile(tmp_path))
    assert r.returncode == 1
    assert b"checksum wrong in both copies" in r.stdout


def test_wiped_primary_magic(tmp_path):
    vol, data = plain_volume(tmp_path, size=MiB)
    encrypt(vol, "--type", "luks2", *CHEAP)
    with open(vol, "r+b") as f:
        f.write(bytes(4096))
    r = thawctl("luks", vol, "--key-file", keyfile(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert b"secondary copy used" in r.stdout


def test_not_luks(tmp_path):
    vol, _ = plain_volume(tmp_path, size=MiB, reduce=0)
    r = thawctl("luks", vol, "--key-file", keyfile(tmp_path))
    assert r.returncode == 4
    assert b"no LUKS header" in r.stdout


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "spec"
    pagespec.write_spec(path, [0x100 + 3 * i for i in range(1200)], seed=7)
    return path


@pytest.mark.parametrize("sector", [512, 4096])
def test_verify_image_inside_luks(tmp_path, spec, sector):
    """A hibernation image written to swap inside LUKS2 verifies through --luks."""
    img = tmp_path / "img"
    pagespec.mkimage(img, spec, compress="lzo")
    plain = thawctl("verify", img)
    assert plain.returncode == 0, plain.stdout
    with open(img, "ab") as f:
        f.truncate(img.stat().st_size + 16 * MiB)
    encrypt(img, "--type", "luks2", "--sector-size", str(sector), *CHEAP)
    assert thawctl("verify", img).returncode == 4      # no swap header outside
    r = thawctl("verify", "--luks", img, "--key-file", keyfile(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert plain.stdout.splitlines()[-1] in r.stdout
    r = thawctl("inspect", "--luks", img, "--key-file", keyfile(tmp_path))
    assert r.returncode == 0 and b"lzo" in r.stdout, r.stdout
