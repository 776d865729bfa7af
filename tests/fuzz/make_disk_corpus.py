#!/usr/bin/env python3
"""Seed corpora for the disk fuzz targets, made with sfdisk/sgdisk on small images
(nothing binary is committed): make_disk_corpus.py OUTDIR writes OUTDIR/part_table/
and OUTDIR/resume_spec/."""
import os
import subprocess
import sys
import tempfile

MBR_SCRIPTS = [
    "label: dos\nlabel-id: 0x12345678\nstart=8,size=16,type=83\nstart=32,size=64,type=82\n",
    "label: dos\nstart=8,size=16,type=83\nstart=32,size=200,type=5\n"
    "start=40,size=16,type=82\nstart=64,size=16,type=83\nstart=96,size=8,type=82\n",
]
GPT_ARGS = [
    ["-a", "1", "-n", "1:40:+16", "-c", "1:one", "-n", "2:64:+32", "-c", "2:swap space",
     "-u", "2:0123ABCD-4567-89EF-FEDC-BA9876543210"],
    ["-a", "1", "-n", "3:100:+8", "-c", "3:third"],
]
SPECS = ["/dev/vda", "/dev/vdb12", "UUID=0123abcd-4567-89ef-fedc-ba9876543210",
         "PARTUUID=deadbeef-05", "PARTUUID=0123ABCD-4567-89EF-FEDC-BA9876543210",
         "LABEL=swap", "PARTLABEL=hib swap", "/dev/disk/by-partuuid/deadbeef-01",
         "/dev/disk/by-label/x", "254:1", "fe01", "", "/dev/nvme0n1p2", "/dev/sda1",
         "/dev/nvme0n1p0"]


def image(tmp, name, size=256 * 512):
    p = os.path.join(tmp, name)
    with open(p, "wb") as f:
        f.truncate(size)
    return p


def main(out):
    pt = os.path.join(out, "part_table")
    rs = os.path.join(out, "resume_spec")
    os.makedirs(pt, exist_ok=True)
    os.makedirs(rs, exist_ok=True)
    seeds = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, script in enumerate(MBR_SCRIPTS):
            p = image(tmp, f"mbr{i}")
            subprocess.run(["sfdisk", "-q", "--no-reread", "--no-tell-kernel", p],
                           input=script, text=True, check=True, capture_output=True)
            seeds.append(open(p, "rb").read())
        for i, args in enumerate(GPT_ARGS):
            p = image(tmp, f"gpt{i}")
            subprocess.run(["sgdisk", *args, p], check=True, capture_output=True)
            seeds.append(open(p, "rb").read())
    for i, s in enumerate(seeds):
        for mode in (0, 1, 2):     # 2: the same bytes on a 4Kn disk
            with open(os.path.join(pt, f"seed{i}-{mode}"), "wb") as f:
                f.write(bytes([mode]) + s)
    for i, s in enumerate(SPECS):
        with open(os.path.join(rs, f"spec{i}"), "w") as f:
            f.write(s)


if __name__ == "__main__":
    main(sys.argv[1])
