"""thaw resumes real Debian hibernation images (tests/fixtures/realimage.py: Linux
hibernated a guest running a workload that checksums its memory) through thaw.iso, and
refuses damaged or mismatched ones without writing a byte. Kernels: Debian 12's 6.1 (every
variant), Debian 13's 6.12 (LZ4, LZO) and Debian unstable's newest; paging: 4-level on
QEMU's qemu64, 5-level and 4-level (no5lvl) on a CPU with LA57.

Success means the guest's own proof: "WORKLOAD: resumed checksum=ok counter=ok" and
QEMU exit 33 from the guest; the swap header reads SWAPSPACE2 afterwards."""
import os
import re
import struct
import sys

import pytest

import imagekernel as ik
from realboot import EXIT_OK, RESUMED_RE, THAW_ARGS, assert_refused, assert_resumed, boot

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.realimage import hibernated_disk  # noqa: E402

VARIANTS = ["lzo-bios-smp1", "none-bios-smp1", "lzo-bios-smp2", "lzo-uefi-smp1",
            "none-uefi-smp2", "lzo-bios-smp1-part"]
SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1", reason="set THAW_SLOW_TESTS=1")
ZERO_RE = re.compile(r"thaw: resuming .* zero=(?P<zero>\d+) .*codec=(?P<codec>\S+) "
                     r"levels=(?P<levels>[45]) ")
# Other kernels and paging depths: (variant, codec thaw must report, paging depth). One of
# each capability runs by default (a 6.12 LZ4 image, a 5-level image); the rest are slow.
KERNELS = [("lz4-bios-smp1-k612", "lz4", 4), ("lzo-bios-smp1-la57", "lzo", 5)]
KERNELS_SLOW = [("lzo-bios-smp1-k612", "lzo", 4), ("lzo-bios-smp1-ksid", "lzo", 4),
                ("lz4-bios-smp2-k612", "lz4", 4),       # LZ4 decoded on both CPUs
                ("lzo-bios-smp1-la57-no5lvl", "lzo", 4)]


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


def check_kernel(variant, codec, levels, tmp_path):
    """The fixture's own kernel, compression and paging depth reach thaw, and the
    workload comes back. 6.6+ omit zero pages from the stream (bit 63 in the PFN list),
    6.1 writes them out: thaw's count of zero-flagged frames shows which it read."""
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    run = boot(fx, disk, tmp_path)
    assert_resumed(run, fx, disk)
    m = ZERO_RE.search(run.text)
    assert m, run.text[-3000:]
    assert (m["codec"], int(m["levels"])) == (codec, levels), m.group(0)
    if fx.variant.kernel == "k61":
        assert int(m["zero"]) == 0, m.group(0)
    else:
        assert int(m["zero"]) > 0, m.group(0)


@pytest.mark.parametrize("variant,codec,levels", KERNELS, ids=[k[0] for k in KERNELS])
def test_kernel_and_paging(variant, codec, levels, tmp_path):
    check_kernel(variant, codec, levels, tmp_path)


@SLOW
@pytest.mark.parametrize("variant,codec,levels", KERNELS_SLOW, ids=[k[0] for k in KERNELS_SLOW])
def test_kernel_and_paging_slow(variant, codec, levels, tmp_path):
    check_kernel(variant, codec, levels, tmp_path)


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


def _inside_lzo_data(disk, e, near=300):
    """A byte inside the compressed data of the first chunk that starts at or after map
    entry `near`. Linux's LZO/LZ4 writer (kernel/power/swap.c save_compressed_image())
    stores each chunk as a size_t length (CMP_HEADER) and the compressed bytes, padded
    to whole pages: a fixed offset in a fixed page may be padding nobody reads."""
    k = 1                                   # entry 1: the first chunk
    with open(disk, "rb") as f:
        while True:
            f.seek(e[k] * ik.PAGE)
            (cmp_len,) = struct.unpack("<Q", f.read(8))
            assert 0 < cmp_len < 64 * ik.PAGE, (k, cmp_len)
            if k >= near:
                return e[k] * ik.PAGE + 8 + min(cmp_len // 2, ik.PAGE - 9)
            k += -(-(8 + cmp_len) // ik.PAGE)
            assert k < len(e), "no chunk starts in map page 0 past the entry asked for"


# Where the damage goes, given the map page 0 entries (entry 0 = image header page,
# entry 1 = first PFN page for raw images / first compressed block for LZO).
DAMAGE = {
    # a bit flip inside compressed data in the middle of the stream: CRC or decoder
    "data": ("lzo-bios-smp1", lambda img, e, disk: (_inside_lzo_data(disk, e),
                                                    lambda b: bytes([b[0] ^ 0x10]) + b[1:])),
    # the first PFN of the raw image's PFN list pushed beyond any RAM
    "meta": ("none-bios-smp1", lambda img, e, disk: (e[1] * ik.PAGE,
                                               lambda b: (struct.unpack("<Q", b)[0] | 1 << 38)
                                               .to_bytes(8, "little"))),
    # a swap-map entry pointing past the end of the device
    "map": ("lzo-bios-smp1", lambda img, e, disk: (img * ik.PAGE + 8 * 5,
                                             lambda b: (1 << 40).to_bytes(8, "little"))),
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_damaged_real_image_refused(kind, tmp_path):
    variant, where = DAMAGE[kind]
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    image, entries = _swap_map(disk)
    pos, fn = where(image, entries, disk)
    _poke(disk, pos, fn)
    before = ik.digest(disk)
    assert_refused(boot(fx, disk, tmp_path), fx, disk, before)
