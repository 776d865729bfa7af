"""thaw resumes real Debian 12 hibernation images (tests/fixtures/realimage.py: Linux
hibernated a guest running a workload that checksums its memory) through thaw.iso, and
refuses damaged or mismatched ones without writing a byte.

Success means the guest's own proof: "WORKLOAD: resumed checksum=ok counter=ok" and
QEMU exit 33 from the guest; the swap header reads SWAPSPACE2 afterwards."""
import struct
import sys

import pytest

import imagekernel as ik
from realboot import EXIT_OK, RESUMED_RE, assert_refused, assert_resumed, boot

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.realimage import hibernated_disk  # noqa: E402

VARIANTS = ["lzo-bios-smp1", "none-bios-smp1", "lzo-bios-smp2", "lzo-uefi-smp1",
            "none-uefi-smp2", "lzo-bios-smp1-part"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_real_resume(variant, tmp_path):
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    run = boot(fx, disk, tmp_path)
    assert_resumed(run, fx, disk)


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
