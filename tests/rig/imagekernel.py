"""Synthetic hibernation images for thaw's resume tests.

An image holds the test image kernel (tests/imagekernel/imagekernel.asm) at
jump_address_phys, its own 4- or 5-level page tables at cr3, pattern pages (qword i of frame
pfn = ((pfn << 12) | i) * PATTERN_MUL) and zero pages; the kernel's restore_registers
checks all of them plus the hand-off registers and exits QEMU 33 (ok) or 35 (FAIL).
build/mkimage (tests/tools/mkimage.c) turns the page spec into a swap area."""
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
from fixtures.guest_qemu import OVMF_CODE, OVMF_VARS, run_qemu  # noqa: E402

BUILD = REPO / "build"
ASM = REPO / "tests" / "imagekernel" / "imagekernel.asm"
MKIMAGE = BUILD / "mkimage"
THAW_ELF = BUILD / "thaw.elf"

PATTERN_MUL = 0x9E3779B97F4A7C15
M64 = (1 << 64) - 1
PAGE = 4096
MIB_PAGES = 256
NX = 1 << 63
PDE_LARGE = 0x83          # present | writable | 2 MiB
TABLE = 0x3                # present | writable
START_KERNEL_MAP = 0xffffffff80000000
# restore_registers' register per protocol, as the image kernel's table numbers them.
KERNEL_MAX_PAGES = 64     # the image kernel with its check table stays below this
PT_PAGES = 9
PROTO_REG = {"v2": 0, "v1": 0, "v1md5": 0, "v0": 1, "seed": 2}

RESUMING_RE = re.compile(r"thaw: resuming pages=(?P<pages>\d+) bytes=(?P<bytes>\d+) "
                         r"load_ms=(?P<load_ms>\d+) mibps=(?P<mibps>\d+)")
LEVELS_RE = re.compile(r"thaw: resuming .* levels=(?P<levels>[45]) ")
OK_RE = re.compile(r"IMAGEKERNEL: OK pages=0x(?P<pages>[0-9a-f]+) zero=0x(?P<zero>[0-9a-f]+)")
FAIL_RE = re.compile(r"IMAGEKERNEL: FAIL (?P<what>\S+) (?P<value>0x[0-9a-f]+)")
MEM_MIB = 512       # the test machine's RAM (run_thaw's default, Layout.mem_mib)
# The test machine's devices (DISK: the image). SeaBIOS reserves memory for each disk it
# drives, so they shape the e820 map as much as the RAM size does.
DISK_ARGS = ["-drive", "file=DISK,format=raw,if=virtio"]
EXIT_DEVICE = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
DEVICES = DISK_ARGS + EXIT_DEVICE
E820_HERE_RE = re.compile(r"image e820 crc32 (0x[0-9a-f]+|0), this machine (?P<here>0x[0-9a-f]+|0)")

_B = [(i * PATTERN_MUL) & M64 for i in range(512)]


def pattern_page(pfn: int) -> bytes:
    a = ((pfn << 12) * PATTERN_MUL) & M64
    return struct.pack("<512Q", *[(a + b) & M64 for b in _B])


@dataclass
class Layout:
    """Which frames the image lists and how. Ranges are (start_pfn, count)."""
    mem_mib: int = MEM_MIB
    jump_va: int = 0xffffffff83000000
    jump_phys: int = 0x3000000
    pt_base: int = 0x3200000
    protocol: str = "v2"
    levels: int = 4           # 5: a PML5 on top (needs a CPU with LA57: run_thaw(cpu=…))
    aps: int = 0              # other CPUs the machine has: the image kernel starts them
    pattern: list = field(default_factory=list)
    zero: list = field(default_factory=list)

    @property
    def cr3(self):
        return self.pt_base + 0x8000 if self.levels == 5 else self.pt_base

    def effective_jump_phys(self):
        return self.jump_va - START_KERNEL_MAP if self.protocol in ("seed", "v0") \
            else self.jump_phys


RAM_LINE_RE = re.compile(r"\[mem 0x(?P<first>[0-9a-f]+)-0x(?P<last>[0-9a-f]+)\] RAM$")


def ram_ranges(serial_text: str) -> list:
    """RAM as thaw printed the boot memory map: [(first_pfn, end_pfn)]."""
    out = []
    for line in serial_text.splitlines():
        m = RAM_LINE_RE.search(line.strip())
        if m:
            out.append((int(m["first"], 16) >> 12, (int(m["last"], 16) + 1) >> 12))
    return out


def default_layout(ram=None, **kw) -> Layout:
    """Low memory (as Linux lists it), every frame from 1 MiB to 20 MiB — thaw's image,
    stack, page tables, the boot information and its first allocations — then every
    7th frame up to 240 MiB and a run of zero pages. ram: [(first, end)] frames the
    machine has (UEFI maps have holes); the image lists only those, like Linux."""
    lay = Layout(**kw)
    lay.pattern = [(0x1, 0x9e), (0x100, 19 * MIB_PAGES)]
    lay.pattern += [(pfn, 1) for pfn in range(20 * MIB_PAGES, 240 * MIB_PAGES, 7)]
    lay.zero = [(24 * MIB_PAGES + 3, 64), (0x180, 16)]
    own = [(lay.effective_jump_phys() >> 12, KERNEL_MAX_PAGES), (lay.pt_base >> 12, PT_PAGES)]
    lay.zero = _subtract(lay.zero, own)
    lay.pattern = _subtract(lay.pattern, lay.zero + own)
    if ram:
        holes = []
        prev = 0
        for first, end in sorted(ram):
            if first > prev:
                holes.append((prev, first - prev))
            prev = max(prev, end)
        holes.append((prev, (1 << 20) - prev))
        lay.pattern = _subtract(lay.pattern, holes)
        lay.zero = _subtract(lay.zero, holes)
    return lay


def _subtract(ranges, holes):
    """ranges minus holes, both [(start, count)]."""
    cuts = sorted((s, s + n) for s, n in holes)
    out = []
    for s, n in ranges:
        pieces = [(s, s + n)]
        for hs, he in cuts:
            nxt = []
            for a, b in pieces:
                if he <= a or hs >= b:
                    nxt.append((a, b))
                    continue
                if a < hs:
                    nxt.append((a, hs))
                if he < b:
                    nxt.append((he, b))
            pieces = nxt
        out += [(a, b - a) for a, b in pieces]
    return out


def page_tables(lay: Layout) -> dict:
    """The image kernel's own 4-level tables: identity map of 0-4 GiB (2 MiB pages, NX)
    and jump_va's 2 MiB page → jump_phys (executable). {pfn: bytes}."""
    base = lay.pt_base
    pml4, pdpt_lo, pdpt_hi, pd_hi = base, base + 0x1000, base + 0x6000, base + 0x7000
    pd_lo = [base + 0x2000 + g * 0x1000 for g in range(4)]
    t = {a: [0] * 512 for a in [pml4, pdpt_lo, pdpt_hi, pd_hi] + pd_lo}
    t[pml4][0] = pdpt_lo | TABLE
    for g in range(4):
        t[pdpt_lo][g] = pd_lo[g] | TABLE
        for i in range(512):
            t[pd_lo[g]][i] = ((g * 512 + i) << 21) | PDE_LARGE | NX
    va, phys = lay.jump_va, lay.effective_jump_phys()
    t[pml4][(va >> 39) & 511] = pdpt_hi | TABLE
    t[pdpt_hi][(va >> 30) & 511] = pd_hi | TABLE
    t[pd_hi][(va >> 21) & 511] = (phys & ~0x1fffff) | PDE_LARGE
    if lay.levels == 5:
        pml5 = lay.cr3
        t[pml5] = [0] * 512
        t[pml5][0] = pml4 | TABLE
        t[pml5][(va >> 48) & 511] = pml4 | TABLE
    return {a >> 12: struct.pack("<512Q", *v) for a, v in t.items()}


def kernel_binary(lay: Layout, workdir: Path) -> bytes:
    out = workdir / "imagekernel.bin"
    subprocess.run(["nasm", "-f", "bin", f"-DJUMP_VA={lay.jump_va:#x}", str(ASM), "-o", str(out)],
                   check=True)
    ranges = [(s, n, 0) for s, n in lay.pattern] + [(s, n, 1) for s, n in lay.zero]
    table = b"IMGKTBL2" + struct.pack("<QQQQQ", lay.cr3, PROTO_REG[lay.protocol], lay.levels,
                                      lay.aps,
                                      len(ranges))
    table += b"".join(struct.pack("<QQQ", *r) for r in ranges)
    blob = out.read_bytes() + table
    blob += b"\0" * (-len(blob) % PAGE)
    assert len(blob) <= KERNEL_MAX_PAGES * PAGE, "check table too large for the layout"
    return blob


def page_spec(lay: Layout, workdir: Path) -> Path:
    """mkimage's page spec: {u64 pfn; 4096 bytes} or {u64 pfn | 1<<63}, ascending."""
    pages = {}
    for s, n in lay.pattern:
        for pfn in range(s, s + n):
            pages[pfn] = None
    for s, n in lay.zero:
        for pfn in range(s, s + n):
            pages[pfn] = b"zero"
    kern = kernel_binary(lay, workdir)
    k0 = lay.effective_jump_phys() >> 12
    for i in range(len(kern) // PAGE):
        pages[k0 + i] = kern[i * PAGE:(i + 1) * PAGE]
    pages.update(page_tables(lay))
    spec = workdir / "pages.spec"
    with open(spec, "wb") as f:
        for pfn in sorted(pages):
            data = pages[pfn]
            if data == b"zero":
                f.write(struct.pack("<Q", pfn | (1 << 63)))
            else:
                f.write(struct.pack("<Q", pfn))
                f.write(data if data is not None else pattern_page(pfn))
    return spec


def make_image(lay: Layout, workdir: Path, *, compress="lz4", e820_crc=None, extra=(),
               device_mib=96) -> Path:
    """Write a swap area holding the image to workdir/disk.img and return its path."""
    workdir.mkdir(parents=True, exist_ok=True)
    spec = page_spec(lay, workdir)
    disk = workdir / "disk.img"
    cmd = [str(MKIMAGE), "--out", str(disk), "--pages", str(spec),
           "--device-pages", str(device_mib * MIB_PAGES), "--compress", compress,
           "--protocol", lay.protocol, "--jump", f"{lay.jump_va:#x}"]
    if lay.protocol not in ("seed",):
        cmd += ["--cr3", f"{lay.cr3:#x}"]
    if lay.protocol not in ("seed", "v0"):
        cmd += ["--jump-phys", f"{lay.jump_phys:#x}"]
    if e820_crc is not None:
        cmd += ["--e820-crc", f"{e820_crc:#x}"]
    cmd += list(extra)
    subprocess.run(cmd, check=True, capture_output=True)
    return disk


def listed_pages(lay: Layout) -> int:
    return sum(n for _, n in lay.pattern) + sum(n for _, n in lay.zero)


def swap_sig(disk: Path, offset_pages=0) -> bytes:
    with open(disk, "rb") as f:
        f.seek(offset_pages * PAGE + 4086)
        return f.read(10)


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def thaw_iso(args: str) -> Path:
    """thaw.iso with this command line, cached under build/test-iso/."""
    elf = digest(THAW_ELF)[:12]
    key = hashlib.sha256(args.encode()).hexdigest()[:12]
    iso = BUILD / "test-iso" / f"thaw-{elf}-{key}.iso"
    if not iso.exists():
        iso.parent.mkdir(parents=True, exist_ok=True)
        for old in iso.parent.glob("thaw-*.iso"):      # ISOs of older builds of thaw
            if not old.name.startswith(f"thaw-{elf}-"):
                old.unlink(missing_ok=True)
        tmp = iso.with_name(f"{iso.stem}.{os.getpid()}.iso")   # parallel runs: no clash
        subprocess.run(["sh", str(REPO / "iso" / "mkiso.sh"), str(THAW_ELF),
                        str(REPO / "iso" / "grub.cfg"), str(tmp)] + args.split(),
                       check=True)
        os.replace(tmp, iso)
    return iso


def run_thaw(disk: Path, workdir: Path, *, firmware="bios", mem_mib=None, smp=1,
             args="thaw.test_exit thaw.on_fail=poweroff", timeout=180, keys=None,
             keys_after=None, drive=None, cpu=None):
    """Boot thaw.iso (args as its command line) on disk; keys: typed on the serial
    console once a line matches the regex keys_after. drive: QEMU arguments that attach
    the disk instead of the plain virtio drive (e.g. through blkdebug). cpu: QEMU's
    -cpu (e.g. "qemu64,+la57"; default QEMU's qemu64)."""
    qemu = ["qemu-system-x86_64", "-machine", "pc" if firmware == "bios" else "q35",
            "-m", f"{mem_mib or MEM_MIB}M", "-smp", str(smp)] + (["-cpu", cpu] if cpu else [])
    if firmware == "uefi":
        vars_fd = workdir / "OVMF_VARS.fd"
        shutil.copyfile(OVMF_VARS, vars_fd)
        qemu += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
                 "-drive", f"if=pflash,format=raw,unit=1,file={vars_fd}"]
    qemu += ["-cdrom", str(thaw_iso(args))]
    qemu += drive or [a.replace("DISK", str(disk)) for a in DISK_ARGS]
    qemu += EXIT_DEVICE
    qemu += ["-boot", "order=d", "-net", "none",
             "-display", "none", "-serial", "stdio", "-no-reboot"]
    return run_qemu(qemu, workdir / "serial.log", timeout, keys=keys,
                    keys_after=re.compile(keys_after) if keys is not None else None)
