"""Build disk images for the disk tests with the tools a user would use: sfdisk
(MBR, extended partitions), sgdisk (GPT), mkswap (swap areas), plus a helper that
marks a swap area the way Linux does when it hibernates to it ("S1SUSPEND" over the
magic, the old magic kept at 4076; kernel/power/swap.c mark_swapfiles())."""
import subprocess
import zlib
from pathlib import Path

SECTOR = 512
PAGE = 4096


def run(*cmd, stdin=None):
    subprocess.run(cmd, input=stdin, check=True, capture_output=True,
                   text=isinstance(stdin, str))


def blank(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def random_disk(path: Path, size: int, seed: int = 1) -> Path:
    """size bytes of reproducible pseudo-random data (no two sectors alike)."""
    import random
    rnd = random.Random(seed)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            f.write(rnd.randbytes(n))
            left -= n
    return path


def mbr(path: Path, script: str) -> None:
    """sfdisk script, e.g. 'label: dos\\nlabel-id: 0xdeadbeef\\n,8M,83\\n'."""
    run("sfdisk", "--no-reread", "--no-tell-kernel", "-q", str(path), stdin=script)


def mbr_blocks(path: Path, disk_sig: int, parts) -> None:
    """An MBR written byte by byte, its LBAs in the disk's logical blocks, for 4Kn
    disks (Debian 12's sfdisk has no --sector-size): parts = [(type, start, count)]."""
    from fixtures.guest_qemu import write_mbr
    write_mbr(path, disk_sig, parts)


def gpt(path: Path, *args: str) -> None:
    run("sgdisk", *args, str(path))


def mkswap_at(path: Path, offset: int, size: int, label: str = "", uuid: str = "",
              hibernated: bool = False) -> None:
    """Make a swap area of size bytes at byte offset of the image (a partition or a
    swap file's place) by running mkswap on a scratch file and copying it in."""
    scratch = Path(str(path) + f".swap{offset}")
    blank(scratch, size)
    cmd = ["mkswap", "-q"]
    if label:
        cmd += ["-L", label]
    if uuid:
        cmd += ["-U", uuid]
    run(*cmd, str(scratch))
    page = bytearray(scratch.read_bytes()[:PAGE])
    scratch.unlink()
    if hibernated:
        mark_hibernated(page)
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(page)


def mark_hibernated(page: bytearray) -> None:
    assert page[4086:4096] == b"SWAPSPACE2", page[4086:4096]
    page[4076:4086] = b"SWAPSPACE2"          # orig_sig
    page[4064:4072] = (1).to_bytes(8, "little")   # image: first map block
    page[4086:4096] = b"S1SUSPEND\0"


def part_start(path: Path, number: int) -> int:
    """Start sector of partition number, from sfdisk's JSON dump (MBR or GPT)."""
    import json
    out = subprocess.run(["sfdisk", "--json", str(path)], check=True,
                         capture_output=True, text=True).stdout
    for p in json.loads(out)["partitiontable"]["partitions"]:
        if p["node"][len(str(path)):] == str(number):
            return p["start"]
    raise KeyError(number)


def crc(path: Path, sector: int, count: int) -> int:
    with open(path, "rb") as f:
        f.seek(sector * SECTOR)
        return zlib.crc32(f.read(count * SECTOR))


def whole_crc(path: Path) -> int:
    c = 0
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 22)
            if not b:
                return c
            c = zlib.crc32(b, c)


def blkdebug_eio(tmp: Path, image: Path, drive_id: str, sector=None, modern=False):
    """QEMU arguments attaching image through blkdebug, failing reads with EIO
    (everywhere, or only requests touching sector)."""
    cfg = tmp / f"blkdebug-{drive_id}.cfg"
    rule = '[inject-error]\nevent = "read_aio"\nerrno = "5"\n'
    if sector is not None:
        rule += f'sector = "{sector}"\n'
    cfg.write_text(rule)
    dev = f"virtio-blk-pci,drive={drive_id}" + (",disable-legacy=on" if modern else "")
    return ["-drive", f"file=blkdebug:{cfg}:{image},format=raw,if=none,id={drive_id}",
            "-device", dev]


def ext4_with_swapfile(path: Path, size: int, uuid: str, label: str, workdir: Path) -> int:
    """An ext4 image (4 KiB blocks) holding /swapfile, a 1 MiB swap area marked as
    hibernated; returns the file's first block, which is what resume_offset= names
    (Documentation/power/swsusp-and-swap-files.rst: filefrag/bmap of block 0)."""
    root = workdir / "ext4-root"
    root.mkdir(exist_ok=True)
    swapfile = root / "swapfile"
    with open(swapfile, "wb") as f:
        f.write(b"\xa5" * (1 << 20))       # no holes: a swap file must be fully allocated
    run("mkswap", "-q", str(swapfile))
    page = bytearray(swapfile.read_bytes()[:PAGE])
    mark_hibernated(page)
    with open(swapfile, "r+b") as f:
        f.write(page)
    blank(path, size)
    run("mkfs.ext4", "-q", "-F", "-b", "4096", "-U", uuid, "-L", label, "-d", str(root),
        str(path))
    out = subprocess.run(["debugfs", "-R", "bmap /swapfile 0", str(path)], check=True,
                         capture_output=True, text=True).stdout
    return int(out.split()[0])


def copy_into(dst: Path, offset: int, src: Path) -> None:
    with open(dst, "r+b") as f, open(src, "rb") as g:
        f.seek(offset)
        while True:
            b = g.read(1 << 20)
            if not b:
                return
            f.write(b)


def check_reads(lines, images, read_re, whole_re, blocks=None):
    """Every "disk-read:" line (selftest/disk.c) that read_re or whole_re matches: status
    ok and the checksum the host computes over the same sectors of images[name]; with
    blocks ({name: logical block size}), every request in whole blocks. Returns how many
    lines were checked."""
    n = 0
    for line in lines:
        m = read_re.search(line)
        if m:
            name, _, sector, count, got, status = m.groups()
            assert status == "ok", line
            if blocks:
                per = blocks[name] // 512
                assert int(sector) % per == 0 and int(count) % per == 0, line
            want = crc(images[name], int(sector), int(count))
            assert int(got, 16) == want, f"{line}: host crc {want:08x}"
            n += 1
        m = whole_re.search(line)
        if m:
            name, sectors, got, status = m.groups()
            assert status == "ok", line
            assert int(sectors) * 512 == images[name].stat().st_size
            assert int(got, 16) == whole_crc(images[name]), line
            n += 1
    return n


def write_pattern(count: int) -> bytes:
    """The bytes thaw.test=disk-write writes over count sectors (selftest/disk.c
    pattern(): byte j of the request)."""
    return bytes((j * 7 + (j >> 9) * 13 + 0x5A) & 0xFF for j in range(count * SECTOR))


def check_write(r, name: str, target: Path, before: dict) -> None:
    """thaw.test=disk-write's report for disk `name` (image file target): the write and
    its read-back succeeded, the host sees the pattern at the sectors thaw names and
    nothing else changed on target or on any other image in before ({path: bytes as they
    were before the run}), and a write past the end was refused."""
    m = r.expect_line(rf"disk-write: {name} sector=(\d+) count=(\d+) crc=([0-9a-f]{{8}}) "
                      r"status=ok readback=same")
    sector, count = int(m.group(1)), int(m.group(2))
    start, end = sector * SECTOR, (sector + count) * SECTOR
    after = target.read_bytes()
    assert after[start:end] == write_pattern(count)
    assert after[:start] == before[target][:start]
    assert after[end:] == before[target][end:]
    for path, old in before.items():
        if path != target:
            assert path.read_bytes() == old, f"{path} changed"
    r.expect_line(rf"disk-write: {name} past-end status=request past the end of the device")


def check_reads_around(lines, images, read_re, whole_re, bad_sector, bad_status=None,
                       blocks=None):
    """After a read error injected at bad_sector: at least four reads succeeded, each
    with the checksum the host computes (check_reads), and every read that failed
    covers bad_sector and, with bad_status, reports exactly that status."""
    ok = [l for l in lines if read_re.search(l) and "status=ok" in l]
    bad = [l for l in lines if read_re.search(l) and "status=ok" not in l]
    assert len(ok) >= 4
    for line in bad:
        m = read_re.search(line)
        first, n = int(m.group(3)), int(m.group(4))
        assert first <= bad_sector < first + n, line
        if bad_status:
            assert line.endswith(f"status={bad_status}"), line
    check_reads(ok, images, read_re, whole_re, blocks)
