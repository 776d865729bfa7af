#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, generated from build/mkimage images (nothing binary
is committed): make_corpus.py OUTDIR. Writes OUTDIR/{header_map,stream,lzo1x,lz4}/."""
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
import pagespec  # noqa: E402

PAGE = 4096
VARIANTS = [
    dict(compress="none"), dict(compress="lzo"), dict(compress="lz4"),
    dict(compress="lzo", zero_flag=True), dict(compress="lz4", zero_flag=True, no_crc=True),
    dict(compress="none", protocol="seed"), dict(compress="lzo", protocol="v1md5", platform=True),
    dict(compress="lz4", protocol="v0", hw_sig=7), dict(compress="none", protocol="v1"),
    dict(compress="lzo", corrupt="length"), dict(compress="lz4", corrupt="unc-len"),
    dict(compress="none", corrupt="pfn-order"), dict(compress="lzo", corrupt="hole"),
    dict(compress="lz4", corrupt="extra"), dict(compress="lzo", corrupt="crc"),
]


def stream_blocks(img):
    """The stream blocks (map entries 1..) of an image with its header at block 0."""
    image = struct.unpack_from("<Q", img, 4064)[0]
    blocks, block = [], image
    for _ in range(64):
        if not block or (block + 1) * PAGE > len(img):
            break
        entries = struct.unpack_from("<512Q", img, block * PAGE)
        for e in entries[:511]:
            if not e:
                break
            blocks.append(e)
        block = entries[511]
    return [img[b * PAGE:(b + 1) * PAGE] for b in blocks[1:] if (b + 1) * PAGE <= len(img)]


def main(out):
    for sub in ("header_map", "stream", "lzo1x", "lz4"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        spec = os.path.join(tmp, "spec")
        for i, var in enumerate(VARIANTS):
            npages = 12 + i
            pagespec.write_spec(spec, list(range(0x100, 0x100 + 3 * npages, 3)), seed=i)
            img_path = os.path.join(tmp, "img")
            pagespec.mkimage(img_path, spec, device_pages=60, **var)
            img = open(img_path, "rb").read()
            open(os.path.join(out, "header_map", "v%02d" % i), "wb").write(img)
            blocks = stream_blocks(img)
            codec = {"none": 0, "lzo": 1, "lz4": 2}[var["compress"]]
            flags = codec | (4 if codec and not var.get("no_crc") else 0)
            pages = npages + 1          # meta page + data pages (zero pages as data)
            body = b"".join(blocks[:60])
            open(os.path.join(out, "stream", "v%02d" % i), "wb").write(
                bytes([flags, min(pages, 256) - 1, i]) + body)
            if codec:
                at, k = 0, 0
                while at + 8 <= len(body):
                    n = struct.unpack_from("<Q", body, at)[0]
                    if n == 0 or at + 8 + n > len(body):
                        break
                    name = "lzo1x" if codec == 1 else "lz4"
                    open(os.path.join(out, name, "v%02d_%d" % (i, k)), "wb").write(
                        bytes([6]) + body[at + 8:at + 8 + n])
                    at += (8 + n + PAGE - 1) // PAGE * PAGE
                    k += 1


if __name__ == "__main__":
    main(sys.argv[1])
