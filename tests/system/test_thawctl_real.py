"""thawctl on real hibernated Debian 12 disks (tests/fixtures/realimage.py: Linux 6.1,
LZO and nocompress, hibernated under QEMU, resumable by Linux itself): inspect reports
what the fixture recorded, verify decodes every page with a matching CRC32, discard
leaves a plain swap signature."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
from fixtures.realimage import hibernated_disk, image_info, swap_header  # noqa: E402

THAWCTL = REPO / "build" / "asan" / "thawctl"   # under ASan + UBSan
VARIANTS = ["lzo-bios-smp1", "none-bios-smp1", "lzo-uefi-smp1", "none-uefi-smp1", "lzo-bios-smp2",
            "none-bios-smp2", "lzo-uefi-smp2"]


@pytest.fixture(scope="module", autouse=True)
def tools():
    subprocess.run(["make", "-C", str(REPO), "--no-print-directory", "-s", "build/asan/thawctl"],
                   check=True, capture_output=True)


def thawctl(*args):
    return subprocess.run([str(THAWCTL), *map(str, args)], capture_output=True, text=True,
                          timeout=1800)


@pytest.mark.parametrize("variant", VARIANTS)
def test_inspect_real(variant):
    fx = hibernated_disk(variant)
    hdr = swap_header(fx.disk, variant)
    info = image_info(fx.disk, variant)
    r = thawctl("inspect", fx.disk)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert f"flags:             {hdr['flags']:#x} (" in out
    assert ("compression:       none" in out) == variant.startswith("none")
    assert "protocol:          v2 (" in out
    assert f"image_pages:       {info['image_pages']}\n" in out
    assert f"pages:             {info['pages']}\n" in out
    assert f"num_physpages:     {info['num_physpages']} " in out
    # Linux 6.1 on x86_64: KASLR'd kernel text, page-aligned physical entry.
    jump = int(re.search(r"jump_address:      0x([0-9a-f]+)", out).group(1), 16)
    phys = int(re.search(r"jump_address_phys: 0x([0-9a-f]+)", out).group(1), 16)
    assert jump >> 31 == 0x1ffffffff and phys % 4096 == 0
    if hdr["flags"] & 4:
        assert f"crc32:             {hdr['crc32']:#010x}" in out


@pytest.mark.parametrize("variant", VARIANTS)
def test_verify_real(variant):
    fx = hibernated_disk(variant)
    info = image_info(fx.disk, variant)
    r = thawctl("verify", fx.disk)
    assert r.returncode == 0, r.stdout + r.stderr
    m = re.search(r"verify: OK: (\d+) pages \((\d+) meta, (\d+) data, (\d+) zero\)", r.stdout)
    assert m, r.stdout
    pages, meta, data, zero = map(int, m.groups())
    assert (pages, meta, data, zero) == (info["pages"] - 1, info["meta_pages"],
                                         info["image_pages"], 0)   # 6.1: no zero-page flag
    hdr = swap_header(fx.disk, variant)
    if hdr["flags"] & 4:
        assert f"crc32 {hdr['crc32']:#010x}" in r.stdout


def test_verify_real_detects_damage(tmp_path):
    """One flipped bit in the middle of a real LZO image's compressed data is found."""
    fx = hibernated_disk("lzo-bios-smp1")
    disk = fx.disk_copy(tmp_path)
    r = thawctl("inspect", disk)
    assert r.returncode == 0
    # The image's stream sits right after the image header page; hit a block well inside it.
    info_block = int(re.search(r"image header: +block (\d+)", r.stdout).group(1))
    with open(disk, "r+b") as f:
        f.seek((info_block + 500) * 4096 + 2000)
        b = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([b[0] ^ 0x10]))
    r = thawctl("verify", disk)
    assert r.returncode == 1, r.stdout
    assert re.search(r"verify: FAIL: .*(CRC32 mismatch|LZO data corrupt|decompressed|PFN)",
                     r.stdout)


def test_discard_real(tmp_path):
    fx = hibernated_disk("none-bios-smp1")
    disk = fx.disk_copy(tmp_path)
    assert thawctl("discard", disk).returncode == 5
    assert swap_header(disk, fx.variant)["sig"] == b"S1SUSPEND\0"
    r = thawctl("discard", disk, "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert swap_header(disk, fx.variant)["sig"] == b"SWAPSPACE2"
    assert thawctl("verify", disk).returncode == 4
