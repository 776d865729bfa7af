#!/usr/bin/env python3
"""Seed corpus for fuzz_luks2_json: the JSON metadata of real LUKS2 headers made by
cryptsetup on small files (several ciphers, KDFs, two keyslots), plus hand-written
edge cases. make_luks_corpus.py OUTDIR writes OUTDIR/luks2_json/."""
import os
import shutil
import subprocess
import sys
import tempfile

FORMATS = [
    ["--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000"],
    ["--pbkdf", "argon2id", "--pbkdf-force-iterations", "4", "--pbkdf-memory", "32"],
    ["--cipher", "aes-cbc-essiv:sha256", "--key-size", "256", "--sector-size", "4096",
     "--pbkdf", "argon2i", "--pbkdf-force-iterations", "4", "--pbkdf-memory", "32"],
]
HAND = [b'{}', b'[]', b'{"a":[1,2,{"b":null}],"c":"\\u0041\\n"}', b'{"keyslots":{}}',
        b'{"segments":{"0":{"type":"crypt","offset":"1","size":"dynamic"}}}',
        b'[' * 40 + b']' * 40, b'"\\ud800"', b'-0.5e+10', b'{"a":tru}']


def main(out):
    d = os.path.join(out, "luks2_json")
    os.makedirs(d, exist_ok=True)
    for i, h in enumerate(HAND):
        with open(os.path.join(d, f"hand{i}"), "wb") as f:
            f.write(h)
    if not shutil.which("cryptsetup"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        for i, args in enumerate(FORMATS):
            vol = os.path.join(tmp, "vol")
            with open(vol, "wb") as f:
                f.truncate(20 << 20)
            subprocess.run(["cryptsetup", "luksFormat", "--type", "luks2", "--batch-mode",
                            "--key-file", "-", *args, vol], input=b"pw", check=True,
                           capture_output=True)
            if i == 0:
                subprocess.run(["cryptsetup", "luksAddKey", "--batch-mode", "--key-file",
                                "-", "--pbkdf", "pbkdf2", "--pbkdf-force-iterations",
                                "1000", vol, "/dev/null"], input=b"pw",
                               capture_output=True)
            js = subprocess.run(["cryptsetup", "luksDump", "--dump-json-metadata", vol],
                                check=True, capture_output=True).stdout
            with open(os.path.join(d, f"cryptsetup{i}"), "wb") as f:
                f.write(js)


if __name__ == "__main__":
    main(sys.argv[1])
