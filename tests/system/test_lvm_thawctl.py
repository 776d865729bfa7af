"""thaw's LVM2 code (lvm/) against Debian's lvm2 on the host through `thawctl lvm`:
lvm2 builds PVs on loop devices over files (--driverloaded n: no device-mapper is
needed to write metadata), a test pattern goes where lvm2's own report (`lvs
--segments`, `pvs`) says each LV's extents are, and thawctl must read every LV back
byte for byte through its own label/ring/text parsing and linear/striped mapping.
Also: device-mapper names with doubled dashes, a missing PV named, the newest of
several metadata versions chosen. Needs root (losetup); no QEMU."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
THAWCTL = REPO / "build" / "thawctl"
MiB = 1 << 20
NOD = ["--driverloaded", "n"]

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("lvcreate") is None,
                                reason="needs root and lvm2 (scripts/deps.sh)")


@pytest.fixture(scope="module", autouse=True)
def tools():
    subprocess.run(["make", "-C", str(REPO), "--no-print-directory", "-s", "build/thawctl"],
                   check=True, capture_output=True)


def run(*cmd):
    return subprocess.run(list(map(str, cmd)), check=True, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def pvs(tmp_path):
    """Two 96 MiB PVs (23 extents each) on loop devices; the VG (named with a dash) removed after."""
    vg = f"thaw-t{os.getpid()}"
    loops = []
    for i in range(2):
        f = tmp_path / f"pv{i}"
        f.write_bytes(b"")
        os.truncate(f, 96 * MiB)
        loops.append(run("losetup", "-f", "--show", f).stdout.strip())
    try:
        run("pvcreate", "-ff", "-y", *loops)
        run("vgcreate", *NOD, vg, *loops)
        yield vg, loops
    finally:
        subprocess.run(["vgremove", "-ff", *NOD, vg], capture_output=True)
        subprocess.run(["pvremove", "-ff", "-y", *loops], capture_output=True)
        for lo in loops:
            subprocess.run(["losetup", "-d", lo], capture_output=True)


def lvcreate(vg, *args):
    run("lvcreate", *NOD, "-an", "-Zn", *args, vg)


def layout(vg):
    """{lv: [(start_pe, size_pe, stripe_size_sectors, [(dev, pe), ...])]} and
    {dev: pe_start_sectors}, from lvm2's own report."""
    pe = {}
    for line in run("pvs", "--noheadings", "--units", "s", "--separator", "|", "-o",
                    "pv_name,pe_start").stdout.split("\n"):
        if line.strip():
            dev, start = line.strip().split("|")
            pe[dev] = int(start.rstrip("S"))
    segs = {}
    for line in run("lvs", "--noheadings", "--segments", "--units", "s", "--separator", "|",
                    "-o", "lv_name,seg_start_pe,seg_size_pe,stripe_size,seg_pe_ranges",
                    vg).stdout.split("\n"):
        if not line.strip():
            continue
        lv, start, size, ssize, ranges = line.strip().split("|")
        stripes = [(r.rsplit(":", 1)[0], int(r.rsplit(":", 1)[1].split("-")[0]))
                   for r in ranges.split()]
        segs.setdefault(lv, []).append((int(start), int(size), int(ssize.rstrip("S")), stripes))
    ext = int(run("vgs", "--noheadings", "--units", "s", "-o", "vg_extent_size",
                  vg).stdout.strip().rstrip("S"))
    return segs, pe, ext


def write_pattern(vg, lv, tag):
    """Write a distinct record per LV sector where lvm2 says that sector lives
    (Linux dm-linear / dm-stripe placement); return the LV's expected contents."""
    segs, pe_start, ext = layout(vg)
    out = bytearray()
    for start, size, ssize, stripes in segs[lv]:
        n = len(stripes)
        for o in range(size * ext):
            if n == 1:
                k, at = 0, o
            else:
                chunk = o // ssize
                k, at = chunk % n, (chunk // n) * ssize + o % ssize
            dev, pe = stripes[k]
            rec = (b"%s:%010d|" % (tag, (start * ext) + o)) * 32
            rec = rec[:512]
            with open(dev, "r+b") as f:
                f.seek((pe_start[dev] + pe * ext + at) * 512)
                f.write(rec)
            out += rec
    return bytes(out)


def thawctl(*args):
    return subprocess.run([str(THAWCTL), "lvm", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def test_linear_across_pvs_and_striped(pvs, tmp_path):
    vg, loops = pvs
    lvcreate(vg, "-i", "2", "-I", "64k", "-l", "4", "-n", "striped")
    lvcreate(vg, "-l", "30", "-n", "sw-ap")          # 21 extents on pv0, 9 on pv1
    want = {lv: write_pattern(vg, lv, lv.encode()) for lv in ("sw-ap", "striped")}
    r = thawctl(*loops)
    assert r.returncode == 0, r.stdout + r.stderr
    dm = vg.replace("-", "--")
    assert f"/dev/mapper/{dm}-sw--ap (/dev/{vg}/sw-ap): 245760 sectors, 2 segment(s)" in r.stdout
    assert f"/dev/mapper/{dm}-striped (/dev/{vg}/striped): 32768 sectors" in r.stdout
    for lv, data in want.items():
        out = tmp_path / lv
        r = thawctl(*loops, "--lv", f"{vg}/{lv}", "--dump", out)
        assert r.returncode == 0, r.stdout
        assert out.read_bytes() == data, lv


def test_missing_pv(pvs, tmp_path):
    vg, loops = pvs
    lvcreate(vg, "-l", "30", "-n", "big")
    r = thawctl(loops[0])
    assert "a physical volume is missing" in r.stdout, r.stdout
    r = thawctl(loops[0], "--lv", f"{vg}/big", "--dump", tmp_path / "o")
    assert r.returncode == 3 and "missing PV" in r.stdout


def test_newest_metadata(pvs):
    """After many updates the ring holds the newest text; seqno counts them."""
    vg, loops = pvs
    for i in range(6):
        lvcreate(vg, "-l", "1", "-n", f"l{i}")
    for i in range(5):
        run("lvremove", *NOD, "-f", f"{vg}/l{i}")
    seq = int(run("vgs", "--noheadings", "-o", "vg_seqno", vg).stdout)
    r = thawctl(*loops)
    assert f"(seqno {seq}," in r.stdout, r.stdout
    assert "/l5)" in r.stdout and "/l0)" not in r.stdout


def test_not_a_pv(tmp_path):
    f = tmp_path / "plain"
    f.write_bytes(bytes(MiB))
    r = thawctl(f)
    assert r.returncode == 1 and "no LVM2 label" in r.stdout
