#!/usr/bin/env python3
"""Seeds for fuzz_device_data (tests/fuzz/fuzz_device_data.c): sense data in fixed and
descriptor format, REPORT LUNS lists with peripheral and flat LUNs, READ CAPACITY(16)
data for 512- and 4096-byte blocks, IDENTIFY DEVICE words of a 512-byte and a 4Kn disk.
Byte 0 of each file picks the parser.

    make_device_corpus.py CORPUS_DIR     (writes CORPUS_DIR/device_data/*)"""
import struct
import sys
from pathlib import Path


def identify(sectors: int, logical_words: int) -> bytes:
    w = [0] * 256
    model = b"QEMU HARDDISK".ljust(40)
    for i in range(20):
        w[27 + i] = model[2 * i] << 8 | model[2 * i + 1]
    w[83] = 1 << 10 | 1 << 13
    for i in range(4):
        w[100 + i] = (sectors >> (16 * i)) & 0xFFFF
    if logical_words:
        w[106] = 0x4000 | 1 << 12
        w[117], w[118] = logical_words & 0xFFFF, logical_words >> 16
    return struct.pack("<256H", *w)


def main() -> int:
    out = Path(sys.argv[1]) / "device_data"
    out.mkdir(parents=True, exist_ok=True)
    fixed = bytes([0x70, 0, 0x03, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x11, 0x00, 0, 0, 0, 0])
    desc = bytes([0x72, 0x06, 0x29, 0x02, 0, 0, 0, 0])
    luns = struct.pack(">II", 24, 0) + bytes(8) + bytes([0, 5] + [0] * 6) + \
        bytes([0x41, 0x2C] + [0] * 6)
    cap512 = struct.pack(">QI", (1 << 21) - 1, 512) + bytes(20)
    cap4k = struct.pack(">QI", (1 << 18) - 1, 4096) + bytes(20)
    seeds = {"sense-fixed": b"\0" + fixed, "sense-desc": b"\0" + desc,
             "report-luns": b"\1" + luns, "cap-512": b"\2" + cap512, "cap-4k": b"\2" + cap4k,
             "identify-512": b"\3" + identify(1 << 21, 0),
             "identify-4k": b"\3" + identify(1 << 18, 2048)}
    for name, data in seeds.items():
        (out / name).write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
