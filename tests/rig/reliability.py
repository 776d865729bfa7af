"""The reliability campaign's bookkeeping: what each case expected and what thaw did, one
JSON line per case in $THAW_RELIABILITY_LOG (when set), summed up by
tests/rig/reliability_table.py into `make reliability`'s table.

Outcomes, as judged from thaw's serial output and the disk:
  resumed   the image kernel ran and found every page (exit 33, IMAGEKERNEL: OK)
  refused   exit 35, "left untouched", no jump, the disk byte-for-byte unchanged
  nothing   no image found (exit 33, "nothing to resume"), the disk unchanged
  other     anything else (a jump into a bad image, a CPU exception, a panic, a changed
            disk, a hang): always a failure
"""
import json
import os
import re

import imagekernel as ik

EXIT_OK, EXIT_FAIL = 33, 35
CRASH_RE = re.compile(r"thaw: CPU exception|PANIC|panic:")


def outcome(run, disk, before) -> str:
    text = run.text
    if CRASH_RE.search(text):
        return "other: exception or panic"
    changed = ik.digest(disk) != before
    if run.rc == EXIT_OK and ik.OK_RE.search(text) and not ik.FAIL_RE.search(text):
        return "resumed"
    if ik.RESUMING_RE.search(text) or "IMAGEKERNEL" in text:
        return "other: jumped into the image"
    if run.rc == EXIT_FAIL and "left untouched" in text and not changed:
        return "refused"
    if run.rc == EXIT_OK and "nothing to resume" in text and not changed:
        return "nothing"
    return f"other: rc {run.rc}{' (disk changed)' if changed else ''}"


def record(suite: str, case: str, expected: str, got: str, detail: str = ""):
    path = os.environ.get("THAW_RELIABILITY_LOG")
    if not path:
        return
    with open(path, "a") as f:
        f.write(json.dumps(dict(suite=suite, case=case, expected=expected, got=got,
                                detail=detail)) + "\n")
