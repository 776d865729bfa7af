"""build/thaw.elf has the properties GRUB 2.06 and kexec-tools 2.0.25 need
(Multiboot2 spec §3.1; kexec-tools kexec/arch/i386/kexec-mb2-x86.c): e_entry is a
physical address inside a PT_LOAD, no
REL/RELA sections, every PT_LOAD below 4 GiB, a valid Multiboot2 header 8-aligned in
the first 32 KiB, and grub-file agrees."""
import struct
import subprocess

import pytest

from thawvm import ELF

PT_LOAD = 1
SHT_RELA, SHT_REL = 4, 9
MB2_MAGIC = 0xE85250D6


@pytest.fixture(scope="module")
def elf():
    data = ELF.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2, "not an ELF64 file"
    (e_type, e_machine, _, e_entry, e_phoff, e_shoff, _, _, e_phentsize, e_phnum,
     e_shentsize, e_shnum, _) = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
    phdrs = [struct.unpack_from("<IIQQQQQQ", data, e_phoff + i * e_phentsize)
             for i in range(e_phnum)]
    shdrs = [struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize)
             for i in range(e_shnum)]
    return dict(data=data, type=e_type, machine=e_machine, entry=e_entry,
                phoff=e_phoff, phnum=e_phnum, phentsize=e_phentsize,
                phdrs=phdrs, shdrs=shdrs)


def loads(elf):
    return [p for p in elf["phdrs"] if p[0] == PT_LOAD]


def test_exec_x86_64(elf):
    assert elf["type"] == 2 and elf["machine"] == 62      # ET_EXEC, EM_X86_64


def test_entry_is_physical_in_a_load(elf):
    # kexec jumps to the raw e_entry: it must be a physical address, i.e. inside a
    # PT_LOAD whose vaddr equals its paddr, and below 4 GiB.
    e = elf["entry"]
    hits = [p for p in loads(elf) if p[3] <= e < p[3] + p[6]]
    assert hits, hex(e)
    assert all(p[3] == p[4] for p in hits)
    assert e < 1 << 32


def test_loads_below_4g(elf):
    assert loads(elf)
    for p in loads(elf):
        assert p[4] + p[6] <= 1 << 32, p


def test_no_relocations(elf):
    assert not [s for s in elf["shdrs"] if s[1] in (SHT_REL, SHT_RELA)]


def test_program_headers_in_first_32k(elf):
    assert elf["phoff"] + elf["phnum"] * elf["phentsize"] <= 32768


def test_multiboot2_header(elf):
    data = elf["data"]
    found = None
    for off in range(0, min(len(data), 32768) - 16 + 1, 8):
        magic, arch, length, csum = struct.unpack_from("<IIII", data, off)
        if magic == MB2_MAGIC:
            found = (off, arch, length, csum)
            break
    assert found, "no Multiboot2 magic 8-aligned in the first 32 KiB"
    off, arch, length, csum = found
    assert (magic + arch + length + csum) & 0xFFFFFFFF == 0
    assert arch == 0 and off + length <= 32768
    # Tags: 8-aligned, ending with the end tag exactly at header_length.
    t = off + 16
    while True:
        ttype, flags, size = struct.unpack_from("<HHI", data, t)
        assert size >= 8
        if ttype == 0:
            assert size == 8 and t + 8 == off + length
            break
        assert ttype not in (7, 8, 9), "EFI tags would change how GRUB enters thaw"
        t += (size + 7) & ~7


def test_grub_file_accepts_it():
    r = subprocess.run(["grub-file", "--is-x86-multiboot2", str(ELF)])
    assert r.returncode == 0
