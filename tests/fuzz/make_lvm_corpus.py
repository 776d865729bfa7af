#!/usr/bin/env python3
"""Seed corpus for fuzz_lvm_meta: metadata text lvm2 writes (vgcfgbackup of a VG on a
loop device, as root with lvm2 installed), plus hand-written texts: striped, several
segments, thin and raid segment types, comments and escapes.
make_lvm_corpus.py OUTDIR writes OUTDIR/lvm_meta/."""
import os
import shutil
import subprocess
import sys
import tempfile

VG = """vg0 {
id = "aaaaaa-bbbb-cccc-dddd-eeee-ffff-000000"
seqno = 7
format = "lvm2"  # comment
status = ["RESIZEABLE", "READ", "WRITE"]
extent_size = 8192
physical_volumes {
pv0 {
id = "ie4GdI-JavR-sZTu-okLj-0WR2-SNaQ-hCGBXq"
pe_start = 2048
pe_count = 15
}
pv1 {
id = "THW8fH-CHxE-eh58-XVje-OqF1-kzoN-H2YFrL"
pe_start = 2048
pe_count = 15
}
}
logical_volumes {
%s
}
}
contents = "Text Format Volume Group"
version = 1
description = "a \\"quoted\\" word"
"""
LVS = [
    'swap {\nstatus = ["READ", "WRITE", "VISIBLE"]\nsegment_count = 2\n'
    'segment1 {\nstart_extent = 0\nextent_count = 15\ntype = "striped"\nstripe_count = 1\n'
    'stripes = [\n"pv0", 0\n]\n}\nsegment2 {\nstart_extent = 15\nextent_count = 5\n'
    'type = "striped"\nstripe_count = 1\nstripes = [\n"pv1", 0\n]\n}\n}',
    'st {\nstatus = ["READ", "WRITE", "VISIBLE"]\nsegment1 {\nstart_extent = 0\n'
    'extent_count = 4\ntype = "striped"\nstripe_count = 2\nstripe_size = 128\n'
    'stripes = [\n"pv0", 10,\n"pv1", 0\n]\n}\n}',
    'thin {\nstatus = ["READ", "WRITE", "VISIBLE"]\nsegment1 {\nstart_extent = 0\n'
    'extent_count = 4\ntype = "thin"\nthin_pool = "pool"\ntransaction_id = 1\n}\n}',
    'r {\nstatus = ["READ", "WRITE", "VISIBLE"]\nsegment1 {\nstart_extent = 0\n'
    'extent_count = 1\ntype = "raid1"\ndevice_count = 2\nraids = ["a", "b", "c", "d"]\n}\n}',
]


def main(out):
    d = os.path.join(out, "lvm_meta")
    os.makedirs(d, exist_ok=True)
    for i, lv in enumerate(LVS):
        with open(os.path.join(d, f"hand{i}"), "w") as f:
            f.write(VG % lv)
    with open(os.path.join(d, "all"), "w") as f:
        f.write(VG % "\n".join(LVS))
    if os.geteuid() != 0 or not shutil.which("lvcreate"):
        return
    nod = ["--driverloaded", "n", "--config", "backup { backup = 0 archive = 0 }"]
    with tempfile.TemporaryDirectory() as tmp:
        img = os.path.join(tmp, "pv")
        with open(img, "wb") as f:
            f.truncate(64 << 20)
        loop = subprocess.run(["losetup", "-f", "--show", img], capture_output=True,
                              text=True).stdout.strip()
        if not loop:
            return
        vg = f"fuzzseed{os.getpid()}"
        try:
            subprocess.run(["pvcreate", "-ff", "-y", loop], capture_output=True)
            subprocess.run(["vgcreate", *nod, vg, loop], capture_output=True)
            subprocess.run(["lvcreate", *nod, "-an", "-Zn", "-l", "3", "-n", "sw-ap", vg],
                           capture_output=True)
            subprocess.run(["vgcfgbackup", *nod, "-f", os.path.join(d, "lvm2"), vg],
                           capture_output=True)
        finally:
            subprocess.run(["vgremove", "-ff", *nod, vg], capture_output=True)
            subprocess.run(["losetup", "-d", loop], capture_output=True)


if __name__ == "__main__":
    main(sys.argv[1])
