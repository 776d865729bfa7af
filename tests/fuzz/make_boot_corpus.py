#!/usr/bin/env python3
"""Seed corpora for the kernel parsers' fuzzers (fuzz_boot_info, fuzz_aml_s5,
fuzz_cmdline, fuzz_madt), written into DIR/<fuzzer>/: Multiboot2 blocks shaped like
GRUB's (BIOS, UEFI) and kexec-tools', small DSDTs with \\_S5_ in the encodings firmware
uses, command lines, and MADTs laid out as QEMU and OVMF build them."""
import struct
import sys
from pathlib import Path


def tag(t, payload):
    body = struct.pack("<II", t, 8 + len(payload)) + payload
    return body + b"\0" * (-len(body) % 8)


def mbi(tags):
    body = b"".join(tags) + struct.pack("<II", 0, 8)
    return struct.pack("<II", 8 + len(body), 0) + body


def mmap(entries, esz=24):
    out = struct.pack("<II", esz, 0)
    for base, length, typ in entries:
        e = struct.pack("<QQII", base, length, typ, 0)
        out += e + b"\0" * (esz - len(e))
    return tag(6, out)


SEABIOS = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2),
           (0x100000, 0x1fee0000, 1), (0x1ffe0000, 0x20000, 2), (0xfffc0000, 0x40000, 2),
           (0xfd00000000, 0x300000000, 2)]


def boot_seeds():
    rsdp1 = b"RSD PTR " + b"\0" * 12
    rsdp2 = b"RSD PTR " + b"\0" * 7 + b"\x02" + b"\0" * 20
    fb = struct.pack("<QIIIBBB", 0xb8000, 160, 80, 25, 16, 2, 0)
    efi = struct.pack("<II", 48, 1) + b"".join(
        struct.pack("<IIQQQQ", 7, 0, 0x100000 * i, 0, 16, 0xf) + b"\0" * 8 for i in range(3))
    yield "grub-bios", mbi([tag(21, struct.pack("<I", 0x100000)),
                            tag(1, b"thaw.test_exit resume=/dev/vda2\0"),
                            tag(2, b"GRUB 2.06-13+deb12u2\0"), mmap(SEABIOS),
                            tag(4, struct.pack("<II", 639, 523136)), tag(8, fb),
                            tag(14, rsdp1)])
    yield "grub-uefi", mbi([tag(1, b"\0"), tag(2, b"GRUB 2.06\0"), mmap(SEABIOS[:4]),
                            tag(12, struct.pack("<Q", 0x1f5eb018)), tag(14, rsdp1),
                            tag(15, rsdp2), tag(17, efi)])
    yield "kexec", mbi([tag(1, b"/boot/thaw.elf resume=/dev/vda2\0"), mmap(SEABIOS, 32),
                        tag(3, struct.pack("<II", 0x2000000, 0x2003000) + b"initrd\0"),
                        tag(2, b"kexec\0")])
    yield "meminfo-only", mbi([tag(4, struct.pack("<II", 639, 65536))])


def aml_seeds():
    hdr = b"DSDT" + b"\0" * 32
    yield "byteprefix", hdr + b"\x10\x05\\_SB_" + b"\x08_S5_\x12\x08\x04\x0a\x05\x0a\x05\x00\x00"
    yield "root-zero-one", hdr + b"\x08\\_S5_\x12\x06\x04\x00\x01\x00\x00"
    yield "pkglen2", hdr + b"\x08_S5_\x12\x40\x0a\x04\x0b\x07\x00\x0a\x07\x00\x00"
    yield "reference-only", hdr + b"\x5c_S5_\x70\x0a\x05\x60"


def cmdline_seeds():
    yield "typical", b"resume=/dev/vda2 resume_offset=34816 loglevel=7 thaw.test_exit"
    yield "quoted", b'resume="LABEL=my swap" thaw.on_fail=poweroff quiet'
    yield "kexec", b"thaw.e820=ignore acpi_rsdp=0xf5a40 noresume thaw.delay=3"


def madt(entries):
    """An MADT (ACPI 6.4 §5.2.12): header, LAPIC address, PCAT_COMPAT, entries."""
    body = struct.pack("<II", 0xfee00000, 1) + b"".join(entries)
    length = 36 + len(body)
    hdr = b"APIC" + struct.pack("<IBB6s8sIII", length, 3, 0, b"BOCHS ", b"BXPCAPIC", 1,
                                0x50434258, 1)
    table = bytearray(hdr + body)
    table[9] = -sum(table) & 0xff
    return bytes(table)


def madt_seeds():
    lapic = [struct.pack("<BBBBI", 0, 8, i, i, 1) for i in range(2)]
    ioapic = struct.pack("<BBBBII", 1, 12, 0, 0, 0xfec00000, 0)
    overrides = [struct.pack("<BBBBIH", 2, 10, 0, irq, gsi, flags)
                 for irq, gsi, flags in ((0, 2, 0), (5, 5, 0xd), (9, 9, 0xd))]
    nmi = struct.pack("<BBBHB", 4, 6, 0xff, 0, 1)
    x2apic = struct.pack("<BBHIII", 9, 16, 0, 0x100, 2, 7)
    yield "qemu-smp2", madt(lapic + [ioapic] + overrides + [nmi])
    yield "x2apic-online-capable", madt(lapic[:1] + [x2apic, ioapic])
    yield "two-ioapics", madt([ioapic, struct.pack("<BBBBII", 1, 12, 1, 0, 0xfec01000, 24)])
    yield "short-entry", madt(lapic[:1] + [struct.pack("<BBBB", 1, 4, 0, 0), ioapic])


def main():
    out = Path(sys.argv[1])
    for name, seeds in (("boot_info", boot_seeds()), ("aml_s5", aml_seeds()),
                        ("cmdline", cmdline_seeds()), ("madt", madt_seeds())):
        d = out / name
        d.mkdir(parents=True, exist_ok=True)
        for seed_name, data in seeds:
            (d / seed_name).write_bytes(data)


if __name__ == "__main__":
    main()
