"""thawctl on synthetic images from build/mkimage: every variant the reader supports
verifies OK with the right counts and inspect shows the header fields; every corruption
is refused with its own words and location; discard restores the swap signature; no
input crashes it. Needs no QEMU."""
import os
import random
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "fixtures"))
import pagespec  # noqa: E402

THAWCTL = REPO / "build" / "asan" / "thawctl"   # under ASan + UBSan
VERIFY_OK = re.compile(r"verify: OK: (\d+) pages \((\d+) meta, (\d+) data, (\d+) zero\)")


@pytest.fixture(scope="module", autouse=True)
def tools():
    subprocess.run(["make", "-C", str(REPO), "--no-print-directory", "-s",
                    "build/asan/thawctl", "build/mkimage"], check=True, capture_output=True)


def thawctl(*args):
    return subprocess.run([str(THAWCTL), *map(str, args)], capture_output=True, text=True,
                          timeout=1800)


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    """1200 listed pages (three meta pages, a multi-page swap map), every fifth one zero,
    PFNs with gaps, one above 4 GiB."""
    path = tmp_path_factory.mktemp("spec") / "spec"
    pfns = [0x100 + 3 * i for i in range(1199)] + [0x123456]
    pagespec.write_spec(path, pfns, seed=5)
    return path


@pytest.fixture(scope="module")
def random_spec(tmp_path_factory):
    """600 incompressible pages: even compressed, the map needs two pages."""
    path = tmp_path_factory.mktemp("spec") / "random"
    pagespec.write_spec(path, list(range(0x1000, 0x1000 + 600)), kinds="random", seed=6)
    return path


VARIANTS = [
    dict(compress="none"),
    dict(compress="lzo"),
    dict(compress="lz4"),
    dict(compress="none", zero_flag=True),
    dict(compress="lzo", zero_flag=True),
    dict(compress="lz4", zero_flag=True),
    dict(compress="lzo", no_crc=True),
    dict(compress="lz4", no_crc=True, zero_flag=True),
    dict(compress="lzo", protocol="v1"),
    dict(compress="lzo", protocol="v1md5"),
    dict(compress="none", protocol="v0"),
    dict(compress="lz4", protocol="seed"),
    dict(compress="lzo", scatter=True, seed=3),
    dict(compress="lz4", scatter=True, seed=4, zero_flag=True),
    dict(compress="none", scatter=True, seed=5),
    dict(compress="lzo", offset=37),
    dict(compress="none", offset=100, scatter=True),
    dict(compress="lz4", platform=True, hw_sig=0x1234abcd),
]


def vid(v):
    return "-".join(f"{k}={v[k]}" if v[k] is not True else k for k in v)


@pytest.mark.parametrize("var", VARIANTS, ids=vid)
def test_verify_variants(tmp_path, spec, var):
    img = tmp_path / "img"
    pagespec.mkimage(img, spec, **var)
    args = ["--offset", var["offset"]] if "offset" in var else []
    r = thawctl("verify", img, *args)
    assert r.returncode == 0, r.stdout + r.stderr
    m = VERIFY_OK.search(r.stdout)
    assert m, r.stdout
    pages, meta, data, zero = map(int, m.groups())
    assert meta == 3
    if var.get("zero_flag"):
        assert (data, zero) == (960, 240)
    else:
        assert (data, zero) == (1200, 0)
    assert pages == meta + data
    if var["compress"] != "none" and not var.get("no_crc"):
        assert "not stored" not in r.stdout
    # Without --offset a swap-file image is not found at block 0.
    if "offset" in var:
        assert thawctl("verify", img).returncode == 4


@pytest.mark.parametrize("var", VARIANTS, ids=vid)
def test_inspect_variants(tmp_path, spec, var):
    img = tmp_path / "img"
    pagespec.mkimage(img, spec, jump=0xffffffff86a00000, jump_phys=0x3a00000, cr3=0x1062000,
                     e820_crc="d6b6c699", num_physpages=130939, **var)
    args = ["--offset", var["offset"]] if "offset" in var else []
    r = thawctl("inspect", img, *args)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "compression:       " + {"none": "none", "lzo": "lzo", "lz4": "lz4"}[var["compress"]] in out
    assert "jump_address:      0xffffffff86a00000" in out
    assert "num_physpages:     130939" in out
    assert "meta_pages:        3" in out
    proto = var.get("protocol", "v2")
    assert f"protocol:          {proto} (" in out
    if proto in ("v2", "v1", "v1md5"):
        assert "jump_address_phys: 0x0000000003a00000" in out
    if proto == "v2":
        assert "e820 checksum:     0xd6b6c699" in out
    if proto != "seed":
        assert "cr3:               0x0000000001062000" in out
    if var.get("hw_sig"):
        assert "hw_sig:            0x1234abcd" in out and "platform mode:     yes" in out
    if var.get("offset"):
        assert f"swap header:         block {var['offset']}" in out
    maps = int(re.search(r"swap map: +(\d+) map pages", out).group(1))
    assert maps >= (2 if var["compress"] == "none" else 1)


# kind -> (compressions it applies to, exit code, words of the message)
CORRUPTIONS = {
    "meta": ("none lzo lz4", 1, "PFN out of range"),
    "map": ("none lzo lz4", 1, "block number outside the resume device"),
    "truncate": ("none lzo lz4", 1, "(block number outside the resume device|image larger than the resume device)"),
    "loop": ("none lzo lz4", 1, "swap map chain loops"),
    "sig": ("none lzo lz4", 4, "no swap or hibernation signature"),
    "orig-sig": ("none lzo lz4", 1, "saved swap signature"),
    "flags": ("none lzo lz4", 1, "unknown or contradictory image flags"),
    "magic": ("none lzo lz4", 1, "unknown x86_64 restore record"),
    "info": ("none lzo lz4", 1, "inconsistent page counts"),
    "pages": ("none lzo lz4", 1, "(swap map entry count|PFN count)"),
    "crc": ("lzo lz4", 1, r"image CRC32 mismatch \(expected 0x"),
    "data": ("lzo lz4", 1, "(CRC32 mismatch|LZO data corrupt|LZ4 data corrupt|PFN)"),
    "length": ("lzo lz4", 1, "invalid compressed block length .*map entry 1, block"),
    "length-zero": ("lzo lz4", 1, "invalid compressed block length"),
    "unc-len": ("lzo lz4", 1, "invalid decompressed block length"),
    "lz-data": ("lzo lz4", 1, "(CRC32 mismatch|data corrupt|decompressed block length|PFN)"),
    "pfn-order": ("none lzo lz4", 1, "PFN list not strictly ascending .*pfn 0x"),
    "pfn-count": ("none lzo lz4", 1, "PFN count does not match"),
    "hole": ("none lzo lz4", 1, "swap map entry after the end of data"),
    "short": ("none lzo lz4", 1, "(swap map entry count|image stream ends early)"),
    "extra": ("lzo lz4", 1, "image stream longer than its header says"),
}


@pytest.mark.parametrize("comp", ["none", "lzo", "lz4"])
@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_corruptions_refused(tmp_path, spec, random_spec, kind, comp):
    comps, code, words = CORRUPTIONS[kind]
    if comp not in comps.split():
        pytest.skip(f"{kind} does not apply to {comp}")
    img = tmp_path / "img"
    pagespec.mkimage(img, random_spec if kind == "loop" else spec, compress=comp,
                     zero_flag=True, corrupt=kind)
    r = thawctl("verify", img)
    assert r.returncode == code, r.stdout + r.stderr
    assert re.search(words, r.stdout), r.stdout


def test_raw_data_corruption_undetectable(tmp_path, spec):
    """Like Linux: an uncompressed image carries no CRC, a flipped data bit goes through."""
    img = tmp_path / "img"
    pagespec.mkimage(img, spec, compress="none", corrupt="data")
    assert thawctl("verify", img).returncode == 0


def test_discard(tmp_path, spec):
    img = tmp_path / "img"
    pagespec.mkimage(img, spec, compress="lzo", offset=5)
    before = img.read_bytes()
    r = thawctl("discard", img, "--offset", 5)
    assert r.returncode == 5 and img.read_bytes() == before
    r = thawctl("discard", img, "--offset", 5, "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    after = img.read_bytes()
    hdr = after[5 * 4096:6 * 4096]
    assert hdr[4086:4096] == b"SWAPSPACE2"
    # Only the signature changed.
    assert after[:5 * 4096 + 4086] == before[:5 * 4096 + 4086]
    assert after[6 * 4096:] == before[6 * 4096:]
    r = thawctl("verify", img, "--offset", 5)
    assert r.returncode == 4 and "no hibernation image" in r.stdout
    assert thawctl("discard", img, "--offset", 5, "--yes").returncode == 4


def test_cli_errors(tmp_path):
    assert thawctl("--help").returncode == 0
    assert "Exit codes" in thawctl("--help").stdout
    assert thawctl().returncode == 2
    assert thawctl("frobnicate", "x").returncode == 2
    assert thawctl("verify").returncode == 2
    assert thawctl("verify", "x", "--offset", "abc").returncode == 2
    assert thawctl("verify", tmp_path / "missing").returncode == 3
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert thawctl("inspect", empty).returncode in (1, 3)
    assert thawctl("verify", empty, "--offset", 1 << 62).returncode in (1, 3)


def test_no_input_crashes(tmp_path, spec):
    """Random bytes, truncations and byte flips of real variants: thawctl always exits
    with one of its documented codes (a signal would be negative)."""
    rnd = random.Random(11)
    bases = []
    for i, comp in enumerate(["none", "lzo", "lz4"]):
        img = tmp_path / f"base{i}"
        pagespec.mkimage(img, spec, compress=comp, zero_flag=bool(i % 2))
        bases.append(img.read_bytes())
    junk = tmp_path / "junk"
    for n in range(60):
        base = bases[n % 3]
        if n % 4 == 0:
            data = rnd.randbytes(rnd.randrange(1, 20) * 4096)
        elif n % 4 == 1:
            data = base[:rnd.randrange(len(base))]
        else:
            data = bytearray(base)
            # flip bytes in the first blocks (header, map, image header, first stream pages)
            for _ in range(1 + n % 5):
                at = rnd.randrange(min(len(data), 16 * 4096))
                data[at] ^= 1 << rnd.randrange(8)
            data = bytes(data)
        junk.write_bytes(data)
        for cmd in ("inspect", "verify"):
            r = thawctl(cmd, junk)
            assert r.returncode in (0, 1, 3, 4), (n, cmd, r.returncode, r.stdout, r.stderr)
