"""pytest set-up for thaw's system tests: build thaw and its ISO once per session
(`make all iso`), so every test boots the current tree. THAW_NO_BUILD=1 skips it."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The QEMU/guest rig (tests/rig/) and the fixture builders (tests/fixtures/).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rig"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import thawvm  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def thaw_built():
    if os.environ.get("THAW_NO_BUILD") != "1":
        r = subprocess.run(["make", "-C", str(thawvm.REPO), "--no-print-directory",
                            "all", "iso", "build/asan/thawctl"], capture_output=True, text=True)
        if r.returncode:
            pytest.exit(f"make all iso failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}",
                        returncode=1)
    assert thawvm.ELF.exists(), f"{thawvm.ELF} missing"
    return thawvm.ELF
