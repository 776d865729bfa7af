"""Seeds for fuzz_e820: real-looking maps (QEMU SeaBIOS, an OVMF-like map with holes
and overlaps) as {u64 addr, u64 size, u32 type} records."""
import struct
import sys
from pathlib import Path

SEEDS = {
    "seabios-512m": [(0, 0x9fc00, 0), (0x9fc00, 0x400, 1), (0xf0000, 0x10000, 1),
                     (0x100000, 0x1fee0000, 0), (0x1ffe0000, 0x20000, 1),
                     (0xfffc0000, 0x40000, 1), (0xfd00000000, 0x300000000, 1)],
    "overlaps": [(0x1000, 0x10000, 0), (0x8000, 0x1000, 1), (0x8800, 0x1000, 2),
                 (0x11000, 0x1000, 0), (0x20000, 0, 3), (0xfffffffffffff000, 0x2000, 0)],
    "nomerge": [(0x100000, 0x1000, 5), (0x101000, 0x1000, 5), (0x102000, 0x1000, 7),
                (0x103000, 0x1000, 6)],
}

out = Path(sys.argv[1]) / "e820"
out.mkdir(parents=True, exist_ok=True)
for name, recs in SEEDS.items():
    (out / name).write_bytes(b"".join(struct.pack("<QQI", *r) for r in recs))
