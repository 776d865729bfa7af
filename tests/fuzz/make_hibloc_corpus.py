#!/usr/bin/env python3
"""Seed corpus for fuzz_hibernate_location, written into DIR/hibernate_location/: the
JSON systemd's sleep.c writes into HibernateLocation (swap partition, swap file, with
os-release fields), encoded as the variable holds it (UTF-16LE plus a NUL unit)."""
import json
import sys
from pathlib import Path

SEEDS = {
    "partition": {"uuid": "2d3a0c6e-9c8b-4f51-a1a8-0f1e2d3c4b5a", "offset": 0,
                  "kernelVersion": "6.1.0-56-amd64", "osReleaseId": "debian",
                  "osReleaseVersionId": "12"},
    "file": {"uuid": "0b9e4a7c-1f22-4d0e-8a51-9c3f7e2d6b10", "offset": 34816,
             "kernelVersion": "6.12.0-1-amd64", "osReleaseId": "fedora",
             "osReleaseImageId": "workstation", "osReleaseImageVersion": "41.1"},
    "minimal": {"uuid": "a", "offset": 1},
    "extension": {"uuid": "a", "offset": 1, "autoSwap": True, "x": [1, {"y": None}, -2.5]},
}


def main():
    out = Path(sys.argv[1]) / "hibernate_location"
    out.mkdir(parents=True, exist_ok=True)
    for name, obj in SEEDS.items():
        text = json.dumps(obj, separators=(",", ":"))
        (out / name).write_bytes(text.encode("utf-16-le") + b"\0\0")
    (out / "no-nul").write_bytes(json.dumps(SEEDS["minimal"]).encode("utf-16-le"))


if __name__ == "__main__":
    main()
