"""thaw resumes synthetic images into the test image kernel (tests/imagekernel/), whose
restore_registers checks every listed page, the hand-off registers, CR3, CS and
EFER.NXE; and thaw refuses bad images without writing anything.

Each QEMU run must end with isa-debug-exit: 33 = the image kernel's checks passed (or a
clean "nothing to resume"), 35 = thaw refused / the image kernel found a fault. Exit 0
(a triple fault) or a timeout always fails."""
import os
import re
import subprocess

import pytest

import imagekernel as ik
from fixtures import linux_memmap

EXIT_OK, EXIT_FAIL = 33, 35


@pytest.fixture(scope="session", autouse=True)
def built():
    subprocess.run(["make", "-C", str(ik.REPO), "--no-print-directory", "build/thaw.elf",
                    "build/mkimage"], check=True, capture_output=True)


def refused_intact(run, disk, before, *words):
    """thaw refused: exit 35, the words in its message, the disk byte-for-byte unchanged."""
    text = run.text
    assert run.rc == EXIT_FAIL, f"rc {run.rc}\n{text[-3000:]}"
    assert "thaw: resuming" not in text and "IMAGEKERNEL" not in text
    for w in words:
        assert w in text, f"{w!r} not in:\n{text[-3000:]}"
    assert "left untouched" in text
    assert ik.swap_sig(disk) == b"S1SUSPEND\0"
    assert ik.digest(disk) == before


def machine_e820(firmware):
    """The test machine's e820 checksum as Linux computes it (a Debian kernel booted on
    the same machine: tests/fixtures/linux_memmap.py), never as thaw reports it."""
    return linux_memmap.linux_e820_crc(firmware, ik.MEM_MIB, ik.DEVICES)


def layout(firmware, **kw):
    """The default layout restricted to the RAM this machine has, as Linux lists it."""
    return ik.default_layout(ram=linux_memmap.ram_frames(firmware, ik.MEM_MIB, ik.DEVICES), **kw)


def resume_ok(run, lay, disk):
    text = run.text
    assert run.rc == EXIT_OK, f"rc {run.rc} timed_out {run.timed_out}\n{text[-4000:]}"
    assert not ik.FAIL_RE.search(text)
    ok = ik.OK_RE.search(text)
    assert ok, text[-3000:]
    assert int(ok["pages"], 16) == ik.listed_pages(lay)
    assert int(ok["zero"], 16) == sum(n for _, n in lay.zero)
    summary = ik.RESUMING_RE.search(text)
    assert summary, text[-3000:]
    assert ik.swap_sig(disk) == b"SWAPSPACE2"
    return summary


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_changed_memory_map_refused(firmware, tmp_path):
    """An image recording another machine's map is refused before any write, and the
    checksum thaw computes for this machine is the one Linux computes on it."""
    lay = layout(firmware)
    disk = ik.make_image(lay, tmp_path, e820_crc=0x12345678)
    before = ik.digest(disk)
    run = ik.run_thaw(disk, tmp_path, firmware=firmware)
    refused_intact(run, disk, before, "memory map differs", "thaw.e820=ignore")
    m = ik.E820_HERE_RE.search(run.text)
    assert m, run.text[-2000:]
    assert int(m["here"], 16) == machine_e820(firmware), run.text[-2000:]


CASES = [
    # (firmware, compress, protocol, zero flag)
    ("bios", "lz4", "v2", True),
    ("bios", "none", "v2", False),
    ("bios", "lzo", "v2", True),
    ("bios", "lz4", "v1", True),
    ("bios", "lz4", "v1md5", True),
    ("bios", "lz4", "v0", True),
    ("bios", "lz4", "seed", False),
    ("uefi", "lz4", "v2", True),
]


@pytest.mark.parametrize("firmware,compress,protocol,zero", CASES,
                         ids=["-".join(map(str, c[:3])) + ("-zero" if c[3] else "") for c in CASES])
def test_synthetic_resume(firmware, compress, protocol, zero, tmp_path):
    crc = machine_e820(firmware) if protocol == "v2" else None
    lay = layout(firmware, protocol=protocol)
    extra = ["--zero-flag"] if zero else []
    disk = ik.make_image(lay, tmp_path, compress=compress, e820_crc=crc, extra=extra)
    run = ik.run_thaw(disk, tmp_path, firmware=firmware)
    summary = resume_ok(run, lay, disk)
    assert int(summary["pages"]) > 0
    # Whole 32-page blocks over free consecutive frames decode (or, raw, are read)
    # straight into their home frames; the rest is copied there.
    home = re.search(r" home=(\d+) ", run.text)
    assert home and int(home[1]) > 0, run.text[-3000:]


def test_kernel_and_tables_in_thaws_frames(tmp_path):
    """restore_registers and the image's page tables live where thaw itself runs, so
    they are staged, and the paging-depth walk must read them from the copy list."""
    crc = machine_e820("bios")
    lay = ik.default_layout(jump_va=0xffffffff81110000, jump_phys=0x110000, pt_base=0x160000)
    disk = ik.make_image(lay, tmp_path, e820_crc=crc, extra=["--zero-flag"])
    run = ik.run_thaw(disk, tmp_path)
    resume_ok(run, lay, disk)
    assert "staged=0 " not in run.text


def test_second_boot_finds_no_image(tmp_path):
    crc = machine_e820("bios")
    lay = ik.default_layout()
    disk = ik.make_image(lay, tmp_path, e820_crc=crc, extra=["--zero-flag"])
    resume_ok(ik.run_thaw(disk, tmp_path), lay, disk)
    after = ik.digest(disk)
    again = tmp_path / "again"
    again.mkdir()
    run = ik.run_thaw(disk, again)
    assert run.rc == EXIT_OK, run.text[-3000:]
    assert "nothing to resume" in run.text
    assert "IMAGEKERNEL" not in run.text and "thaw: resuming" not in run.text
    assert ik.digest(disk) == after


def test_e820_ignore_overrides(tmp_path):
    lay = ik.default_layout()
    disk = ik.make_image(lay, tmp_path, e820_crc=0x0badc0de, extra=["--zero-flag"])
    run = ik.run_thaw(disk, tmp_path, args="thaw.test_exit thaw.on_fail=poweroff thaw.e820=ignore")
    resume_ok(run, lay, disk)
    assert "thaw.e820=ignore given" in run.text


def test_pfn_beyond_ram_refused(tmp_path):
    """A 1 GiB-machine frame offered to a 512 MiB machine: refused before any write."""
    crc = machine_e820("bios")
    lay = ik.default_layout()
    lay.pattern.append((600 * ik.MIB_PAGES, 4))
    disk = ik.make_image(lay, tmp_path, e820_crc=crc, extra=["--zero-flag"])
    before = ik.digest(disk)
    refused_intact(ik.run_thaw(disk, tmp_path), disk, before, "not RAM")


@pytest.mark.parametrize("kind", ["data", "meta", "map"])
def test_corrupt_image_refused(kind, tmp_path):
    crc = machine_e820("bios")
    lay = ik.default_layout()
    disk = ik.make_image(lay, tmp_path, compress="lzo", e820_crc=crc,
                         extra=["--zero-flag", "--corrupt", kind])
    before = ik.digest(disk)
    refused_intact(ik.run_thaw(disk, tmp_path), disk, before)


def test_hw_sig_mismatch_refused(tmp_path):
    """SF_HW_SIG set and a value QEMU's FACS does not hold (it holds 0)."""
    crc = machine_e820("bios")
    lay = layout("bios")
    disk = ik.make_image(lay, tmp_path, e820_crc=crc, extra=["--zero-flag", "--hw-sig", "0x1234"])
    before = ik.digest(disk)
    refused_intact(ik.run_thaw(disk, tmp_path), disk, before, "hardware signature mismatch")


@pytest.mark.parametrize("key,kept", [("n", True), ("y", False)])
def test_noresume_offers_discard(key, kept, tmp_path):
    """noresume: thaw asks before discarding; 'n' keeps the image byte for byte, 'y'
    puts the swap signature back. Nothing is resumed either way."""
    crc = machine_e820("bios")
    lay = layout("bios")
    disk = ik.make_image(lay, tmp_path, e820_crc=crc, extra=["--zero-flag"])
    before = ik.digest(disk)
    run = ik.run_thaw(disk, tmp_path, args="noresume thaw.test_exit thaw.on_fail=poweroff",
                      keys=key, keys_after=r"\[y/N\]")
    assert run.rc == EXIT_OK, run.text[-3000:]
    assert "discard the hibernation image" in run.text
    assert "IMAGEKERNEL" not in run.text and "thaw: resuming" not in run.text
    if kept:
        assert ik.digest(disk) == before
    else:
        assert ik.swap_sig(disk) == b"SWAPSPACE2"
        assert "image discarded" in run.text


def test_e820_crc_from_command_line(tmp_path):
    """kexec hook: the loader's map differs from the firmware's, so `thawctl kexec`
    passes the firmware map's checksum (from /sys/firmware/memmap) as thaw.e820_crc=."""
    lay = ik.default_layout()
    disk = ik.make_image(lay, tmp_path, e820_crc=0x0badc0de, extra=["--zero-flag"])
    run = ik.run_thaw(disk, tmp_path,
                      args="thaw.test_exit thaw.on_fail=poweroff thaw.e820_crc=0x0badc0de")
    resume_ok(run, lay, disk)
    assert "thaw.e820_crc" in run.text


def test_delay_key_cancels(tmp_path):
    """thaw.delay=<s>: a key during the countdown stops the resume; the prompt that
    follows keeps the image on 'n'."""
    crc = machine_e820("bios")
    lay = layout("bios")
    disk = ik.make_image(lay, tmp_path, e820_crc=crc, extra=["--zero-flag"])
    before = ik.digest(disk)
    run = ik.run_thaw(disk, tmp_path, args="thaw.delay=5 thaw.test_exit thaw.on_fail=poweroff",
                      keys="n", keys_after=r"press any key to cancel|\[y/N\]")
    assert run.rc == EXIT_OK, run.text[-3000:]
    assert "cancelled by a key" in run.text and "image kept" in run.text
    assert "IMAGEKERNEL" not in run.text and "thaw: resuming pages" not in run.text
    assert ik.digest(disk) == before


def test_five_level_image_refused_without_la57(tmp_path):
    """An image whose page tables only resolve restore_registers as 5-level, on a CPU
    without LA57 (QEMU's qemu64): no depth thaw could switch to; refused before any
    write."""
    crc = machine_e820("bios")
    lay = layout("bios", levels=5)
    disk = ik.make_image(lay, tmp_path, e820_crc=crc, extra=["--zero-flag"])
    before = ik.digest(disk)
    refused_intact(ik.run_thaw(disk, tmp_path), disk, before, "5-level paging",
                   "this CPU lacks")


@pytest.mark.parametrize("firmware,levels", [("bios", 5), ("bios", 4), ("uefi", 5)])
def test_paging_depth_on_la57_cpu(firmware, levels, tmp_path):
    """On a CPU with LA57 thaw runs 4-level and hands over in the image's depth: for a
    5-level image its trampoline switches CR4.LA57 (through 32-bit code, paging off);
    the image kernel checks CR4.LA57 before it loads its own PML5, then every page."""
    crc = machine_e820(firmware)
    lay = layout(firmware, levels=levels)
    disk = ik.make_image(lay, tmp_path, e820_crc=crc, extra=["--zero-flag"])
    run = ik.run_thaw(disk, tmp_path, firmware=firmware, cpu="qemu64,+la57")
    resume_ok(run, lay, disk)
    assert ik.LEVELS_RE.search(run.text)["levels"] == str(levels)


def test_read_error_mid_image_refused(tmp_path):
    """An I/O error halfway through the stream (QEMU blkdebug, EIO on every read that
    touches one sector): the restore stops, nothing is written, the image stays."""
    crc = machine_e820("bios")
    lay = layout("bios")
    disk = ik.make_image(lay, tmp_path, e820_crc=crc, extra=["--zero-flag"])
    before = ik.digest(disk)
    cfg = tmp_path / "blkdebug.cfg"
    cfg.write_text('[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "40960"\n')
    drive = ["-drive", f"file=blkdebug:{cfg}:{disk},format=raw,if=none,id=d0",
             "-device", "virtio-blk-pci,drive=d0"]
    run = ik.run_thaw(disk, tmp_path, drive=drive)
    refused_intact(run, disk, before, "I/O error while reading the image")


def test_readback_failure_after_commit(tmp_path):
    """The signature write and the flush succeed, then reading the header back fails
    (QEMU blkdebug: after the first write, every read of sector 0 gets EIO). The write
    is durable, so the image is no longer marked: thaw says exactly that and resumes
    rather than throw the image away (README, "Troubleshooting by message")."""
    crc = machine_e820("bios")
    lay = layout("bios")
    disk = ik.make_image(lay, tmp_path, e820_crc=crc, extra=["--zero-flag"])
    cfg = tmp_path / "blkdebug.cfg"
    cfg.write_text('[set-state]\nstate = "1"\nevent = "write_aio"\nnew_state = "2"\n\n'
                   '[inject-error]\nstate = "2"\nevent = "read_aio"\nerrno = "5"\n'
                   'sector = "0"\n')
    drive = ["-drive", f"file=blkdebug:{cfg}:{disk},format=raw,if=none,id=d0",
             "-device", "virtio-blk-pci,drive=d0"]
    run = ik.run_thaw(disk, tmp_path, drive=drive)
    text = run.text
    assert "the swap header was reset and flushed, but reading it back failed" in text, \
        text[-3000:]
    assert "resuming anyway" in text
    assert "left untouched" not in text and "can still be resumed" not in text
    resume_ok(run, lay, disk)


SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1", reason="set THAW_SLOW_TESTS=1")
SMP_CASES = [
    # (firmware, QEMU -smp, codec, thaw command line extra, in the default run); mixed-size
    # blocks and scattered map entries throughout, over thaw's own frames and zero pages.
    ("bios", "4", "lzo", "", True),
    ("bios", "2,maxcpus=3", "lzo", "", True),     # a third CPU the MADT lists as absent
    ("bios", "2", "lz4", "", False),
    ("uefi", "2", "lz4", "", False),
    ("bios", "2", "none", "", False),
    ("bios", "4", "lz4", "thaw.smp=0", True),     # one CPU: home decoding, some moved
    ("bios", "4", "lz4", "thaw.smp=2", False),
]


@pytest.mark.parametrize("firmware,smp,compress,extra", [
    pytest.param(*c[:4], marks=() if c[4] else SLOW,
                 id=f"{c[0]}-{c[1].replace(',', '-')}cpu-{c[2]}" +
                 (f"-{c[3].replace('.', '').replace('=', '')}" if c[3] else ""))
    for c in SMP_CASES])
def test_synthetic_resume_smp(firmware, smp, compress, extra, tmp_path, tmp_path_factory):
    """Several CPUs decode (compressed images), the image comes back bit-exact, and the
    summary says how many CPUs worked. The image kernel checks that it runs alone on
    the boot CPU with every other CPU waiting for a SIPI (thaw sent each INIT, started
    or not), and that they all start again after INIT-SIPI-SIPI."""
    cpus = int(smp.split(",")[0])
    crc = machine_e820(firmware)
    lay = layout(firmware, aps=cpus - 1)
    disk = ik.make_image(lay, tmp_path, compress=compress, e820_crc=crc,
                         extra=["--zero-flag", "--mixed-blocks", "--scatter"])
    args = "thaw.test_exit thaw.on_fail=poweroff" + (f" {extra}" if extra else "")
    if firmware == "uefi":
        # OVMF's map depends on the CPU count; the reference map is a 1-CPU machine's.
        args += " thaw.e820=ignore"
    run = ik.run_thaw(disk, tmp_path, firmware=firmware, smp=smp, args=args)
    resume_ok(run, lay, disk)
    want = 1 if "thaw.smp=0" in extra else 2 if "thaw.smp=2" in extra else cpus
    assert f" cpus={want} " in run.text, run.text[-3000:]
    home = re.search(r" home=(\d+) home_moved=(\d+) ", run.text)
    assert home, run.text[-3000:]
    if want == 1 and compress != "none":
        # One CPU decodes a block only when 16 are queued, so the blocks' pages are
        # predicted as whole 32-page blocks: the mixed sizes make some predictions
        # wrong (decoded at home for later pages and moved down, resume/pload.c) and
        # some right (decoded in place). The image still comes back bit-exact.
        assert int(home[1]) > 0 and int(home[2]) > 0, home.group(0)
    if want > 1:
        assert f"smp: {want} CPUs" in run.text
        # The APs idle (halted) while the swap map is read; the first block wakes them.
        wakes = re.search(r" wakes=(\d+)", run.text)
        assert wakes and int(wakes[1]) > 0, run.text[-3000:]


def _refusal(text):
    lines = [ln.split("] ", 1)[-1] for ln in text.splitlines() if "left untouched" in ln]
    assert lines, text[-3000:]
    return lines[0]


@pytest.mark.parametrize("kind", ["data", pytest.param("lz-data", marks=SLOW),
                                  pytest.param("unc-len", marks=SLOW)])
def test_corrupt_block_same_refusal_on_two_cpus(kind, tmp_path, tmp_path_factory):
    """A block that fails to decode (or to checksum) on whichever CPU decodes it stops
    the restore before any write, with the very line the one-CPU restore prints."""
    crc = machine_e820("bios")
    lay = layout("bios")
    disk = ik.make_image(lay, tmp_path, compress="lzo", e820_crc=crc,
                         extra=["--zero-flag", "--mixed-blocks", "--corrupt", kind])
    before = ik.digest(disk)
    lines = []
    for args in ("thaw.smp=0", ""):
        run = ik.run_thaw(disk, tmp_path, smp=2,
                          args=f"thaw.test_exit thaw.on_fail=poweroff {args}".strip())
        refused_intact(run, disk, before)
        lines.append(_refusal(run.text))
    assert lines[0] == lines[1]
