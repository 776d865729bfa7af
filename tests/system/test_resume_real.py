"""thaw resumes real Debian 12 hibernation images (tests/fixtures/realimage.py: Linux
hibernated a guest running a workload that checksums its memory) through thaw.iso, and
refuses damaged or mismatched ones without writing a byte.

Success means the guest's own proof: "WORKLOAD: resumed checksum=ok counter=ok" and
QEMU exit 33 from the guest; the swap header reads SWAPSPACE2 afterwards."""
import os
import re
import struct
import sys

import pytest

import imagekernel as ik
import qmpcpus

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import RESUMED_RE, hibernated_disk, swap_header  # noqa: E402

EXIT_OK, EXIT_FAIL = 33, 35
SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1", reason="set THAW_SLOW_TESTS=1")
THAW_ARGS = "thaw.test_exit thaw.on_fail=poweroff"
VARIANTS = ["lzo-bios-smp1", "none-bios-smp1", "lzo-bios-smp2", "lzo-uefi-smp1",
            "none-uefi-smp2", "lzo-bios-smp1-part"]


def boot(fx, disk, workdir, mem_mib=None, args=THAW_ARGS, smp=None):
    """thaw resumes the fixture's image. At the workload's first line after the resume
    the vCPUs' registers are read (run.cpus: {index: (cr0, rip)}). smp: a QEMU -smp
    value replacing the fixture's."""
    kw = {"mem_mib": mem_mib} if mem_mib else {}
    qemu = fx.qemu_args(cdrom=ik.thaw_iso(args), disk=disk, **kw)
    if smp is not None:
        i = qemu.index("-smp")
        qemu[i + 1] = smp
    qmp = workdir / "qmp.sock"
    regs = {}

    def look(_line):
        regs["text"] = qmpcpus.registers(qmp)

    run = run_qemu(qemu + qmpcpus.qmp_args(qmp), workdir / "serial.log", timeout=600,
                   on_line=(re.compile(r"WORKLOAD: back"), look))
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


@pytest.mark.parametrize("args", [pytest.param("thaw.smp=0", id="smp0", marks=SLOW),
                                  pytest.param("", id="all-cpus", marks=SLOW)])
def test_real_resume_two_cpus(args, tmp_path):
    """A 2-vCPU image: thaw decodes on both CPUs (or on one with thaw.smp=0); both
    are online in the resumed kernel."""
    fx = hibernated_disk("lzo-bios-smp2")
    disk = fx.disk_copy(tmp_path)
    run = boot(fx, disk, tmp_path, args=f"{THAW_ARGS} {args}".strip())
    assert_resumed(run, fx, disk)
    want = 1 if args else 2
    assert f" cpus={want} " in run.text, run.text[-3000:]


@SLOW
def test_real_resume_absent_cpu(tmp_path):
    """QEMU -smp 2,maxcpus=3: the MADT lists a third CPU as not enabled; thaw leaves it
    alone and resumes on the two present ones."""
    fx = hibernated_disk("lzo-bios-smp2")
    disk = fx.disk_copy(tmp_path)
    run = boot(fx, disk, tmp_path, smp="2,maxcpus=3",
               args=f"{THAW_ARGS} thaw.e820=ignore")
    assert_resumed(run, fx, disk)
    assert " cpus=2 " in run.text and "1 absent" in run.text, run.text[-3000:]


@pytest.mark.parametrize("variant", VARIANTS)
def test_real_resume(variant, tmp_path):
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    run = boot(fx, disk, tmp_path)
    assert_resumed(run, fx, disk)
    assert f" cpus={fx.variant.smp} " in run.text, run.text[-3000:]   # thaw used them all


def test_resumed_image_is_gone(tmp_path):
    """After a resume the swap area is plain swap: a second thaw boot finds nothing."""
    fx = hibernated_disk("lzo-bios-smp1")
    disk = fx.disk_copy(tmp_path)
    assert_resumed(boot(fx, disk, tmp_path), fx, disk)
    again = tmp_path / "again"
    again.mkdir()
    run = boot(fx, disk, again)
    assert run.rc == EXIT_OK, run.text[-3000:]
    assert "nothing to resume" in run.text
    assert not run.first(RESUMED_RE)[1] and "thaw: resuming" not in run.text


def test_bigger_machine_refused(tmp_path):
    """A 512 MiB guest's image offered to a 1 GiB machine (docs/hibernation-format.md §5)."""
    fx = hibernated_disk("lzo-bios-smp1")
    disk = fx.disk_copy(tmp_path)
    before = ik.digest(disk)
    run = boot(fx, disk, tmp_path, mem_mib=1024)
    assert_refused(run, fx, disk, before, "memory map differs")


def _swap_map(disk, offset_bytes=0):
    """(first map block, entries of map page 0) from the swap header at offset."""
    with open(disk, "rb") as f:
        f.seek(offset_bytes + 4064)
        image = struct.unpack("<Q", f.read(8))[0]
        f.seek(offset_bytes + image * ik.PAGE)
        entries = struct.unpack("<511Q", f.read(511 * 8))
    return image, entries


def _poke(disk, pos, fn):
    with open(disk, "r+b") as f:
        f.seek(pos)
        b = f.read(8)
        f.seek(pos)
        f.write(fn(b))


# Where the damage goes, given the map page 0 entries (entry 0 = image header page,
# entry 1 = first PFN page for raw images / first compressed block for LZO).
DAMAGE = {
    # a bit flip inside compressed data in the middle of the stream: CRC or decoder
    "data": ("lzo-bios-smp1", lambda img, e: (e[300] * ik.PAGE + 2000,
                                              lambda b: bytes([b[0] ^ 0x10]) + b[1:])),
    # the first PFN of the raw image's PFN list pushed beyond any RAM
    "meta": ("none-bios-smp1", lambda img, e: (e[1] * ik.PAGE,
                                               lambda b: (struct.unpack("<Q", b)[0] | 1 << 38)
                                               .to_bytes(8, "little"))),
    # a swap-map entry pointing past the end of the device
    "map": ("lzo-bios-smp1", lambda img, e: (img * ik.PAGE + 8 * 5,
                                             lambda b: (1 << 40).to_bytes(8, "little"))),
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_damaged_real_image_refused(kind, tmp_path):
    variant, where = DAMAGE[kind]
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    image, entries = _swap_map(disk)
    pos, fn = where(image, entries)
    _poke(disk, pos, fn)
    before = ik.digest(disk)
    assert_refused(boot(fx, disk, tmp_path), fx, disk, before)
