"""Boot thaw in QEMU and look at what it printed: the helper every system test uses.

Typical use::

    from thawvm import run_thaw, Disk

    r = run_thaw("thaw.test_exit resume=/dev/vda2", firmware="uefi",
                 disks=[Disk("/var/tmp/thaw-cache/x/swap.img")])
    r.assert_exit_ok()                      # thaw wrote 0x10 to isa-debug-exit (QEMU 33)
    r.expect_line(r"pmm: .* self-check ok")  # a regex searched line by line

What it does:
  * build_iso(cmdline) makes (and caches under build/iso-cache/) a GRUB ISO whose only
    entry boots build/thaw.elf with that command line (iso/mkiso.sh).
  * run_thaw() boots it with firmware 'bios' (SeaBIOS) or 'uefi' (OVMF, a fresh copy of
    OVMF_VARS per run), machine 'pc' or 'q35', the given memory/smp, extra disks and raw
    QEMU arguments, serial to a log file, isa-debug-exit at 0xf4, -no-reboot, under a
    timeout. It returns a Result with the exit status, the serial text and the time.
  * Exit status convention (QEMU hw/misc/debugexit.c exits with (v << 1) | 1): 33 = thaw
    reported success (0x10),
    35 = failure (0x11). 0 is a triple fault or a guest power-off, never success; a
    timeout is always a failure.

For a guest that stays up (no thaw.test_exit), LiveVM starts QEMU with a QMP socket:

    with LiveVM(build_iso("thaw.on_fail=halt")) as vm:
        vm.wait_for_line(r"thaw: halted")
        screen = vm.read_phys(0xB8000, 80 * 25 * 2)
    r = vm.result        # a Result, as from run_iso

Set THAW_QEMU_EXTRA="..." to append QEMU arguments to every run (e.g. "-d int -D q.log").
"""
import hashlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Union

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("BUILD", REPO / "build"))
if not BUILD.is_absolute():
    BUILD = REPO / BUILD
ELF = BUILD / "thaw.elf"
GRUB_CFG = REPO / "iso" / "grub.cfg"
MKISO = REPO / "iso" / "mkiso.sh"
ISO_CACHE = BUILD / "iso-cache"
LOG_DIR = BUILD / "vm-logs"

EXIT_SUCCESS = 33   # thaw wrote POWER_EXIT_SUCCESS (0x10): (0x10 << 1) | 1
EXIT_FAILURE = 35   # thaw wrote POWER_EXIT_FAILURE (0x11)
EXIT_TIMEOUT = None

OVMF_CODE_CANDIDATES = ["/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_CODE.fd"]
OVMF_VARS_CANDIDATES = ["/usr/share/OVMF/OVMF_VARS_4M.fd", "/usr/share/OVMF/OVMF_VARS.fd"]


@dataclass
class Disk:
    """A disk image attached to the VM.

    bus: 'virtio' (transitional virtio-blk-pci, legacy BAR0 + modern BAR4, like
    `-drive if=virtio`), 'virtio-modern' (virtio-blk-pci with disable-legacy=on, PCI ID
    1af4:1042), or 'ide'. snapshot=True keeps the image file unchanged (writes go to a
    temporary overlay), which lets tests reuse one cached fixture.
    """
    path: Union[str, Path]
    bus: str = "virtio"
    fmt: str = "raw"
    readonly: bool = False
    snapshot: bool = False

    def qemu_args(self, index: int) -> List[str]:
        opts = f"file={self.path},format={self.fmt},id=thawdisk{index}"
        if self.readonly:
            opts += ",readonly=on"
        if self.snapshot:
            opts += ",snapshot=on"
        if self.bus == "virtio":
            return ["-drive", opts + ",if=none",
                    "-device", f"virtio-blk-pci,drive=thawdisk{index}"]
        if self.bus == "virtio-modern":
            return ["-drive", opts + ",if=none",
                    "-device", f"virtio-blk-pci,drive=thawdisk{index},disable-legacy=on"]
        if self.bus == "ide":
            return ["-drive", opts + ",if=ide"]
        raise ValueError(f"unknown disk bus {self.bus!r}")


@dataclass
class Result:
    """What one QEMU run produced."""
    exit_code: Optional[int]    # None when the timeout killed QEMU
    serial: str                 # everything thaw (and GRUB) wrote to COM1
    elapsed: float              # seconds from QEMU start to exit
    log_path: Path              # the serial log file (kept for post-mortems)
    cmd: List[str] = field(default_factory=list)

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None

    @property
    def lines(self) -> List[str]:
        return self.serial.replace("\r", "").split("\n")

    def _context(self, n: int = 40) -> str:
        tail = "\n".join(self.lines[-n:])
        return (f"QEMU exit {self.exit_code} after {self.elapsed:.1f} s; serial log "
                f"{self.log_path}; command:\n  {shlex.join(self.cmd)}\n--- last {n} lines ---\n{tail}")

    def find_line(self, pattern: str) -> Optional[re.Match]:
        """The first line matching regex pattern (re.search), or None."""
        rx = re.compile(pattern)
        for line in self.lines:
            m = rx.search(line)
            if m:
                return m
        return None

    def expect_line(self, pattern: str) -> re.Match:
        """Like find_line, but fails the test (with the serial tail) when absent."""
        m = self.find_line(pattern)
        assert m, f"no serial line matches {pattern!r}\n{self._context()}"
        return m

    def expect_no_line(self, pattern: str) -> None:
        m = self.find_line(pattern)
        assert not m, f"unexpected serial line {m.string!r}\n{self._context()}"

    def assert_exit(self, code: int) -> None:
        assert self.exit_code == code, f"expected QEMU exit {code}\n{self._context()}"

    def assert_exit_ok(self) -> None:
        """thaw finished through isa-debug-exit with the success code (QEMU 33).
        Exit 0 (triple fault / power-off), 35 (failure) and timeouts all fail."""
        self.assert_exit(EXIT_SUCCESS)

    def assert_exit_fail(self) -> None:
        """thaw stopped through isa-debug-exit with the failure code (QEMU 35)."""
        self.assert_exit(EXIT_FAILURE)


def _first_existing(paths: Sequence[str]) -> str:
    for p in paths:
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"none of {paths} exists (install the ovmf package)")


def build_iso(cmdline: str = "", elf: Union[str, Path] = ELF) -> Path:
    """A bootable ISO running elf with cmdline; cached by (elf, grub.cfg, cmdline)."""
    h = hashlib.sha256()
    for part in (Path(elf).read_bytes(), GRUB_CFG.read_bytes(), MKISO.read_bytes(),
                 cmdline.encode()):
        h.update(hashlib.sha256(part).digest())
    ISO_CACHE.mkdir(parents=True, exist_ok=True)
    iso = ISO_CACHE / f"thaw-{h.hexdigest()[:16]}.iso"
    if not iso.exists():
        subprocess.run(["sh", str(MKISO), str(elf), str(GRUB_CFG), str(iso)]
                       + shlex.split(cmdline), check=True)
    return iso


def qemu_command(iso: Path, *, firmware: str = "bios", machine: str = "pc",
                 memory: str = "512M", smp: int = 1, cpu: Optional[str] = None,
                 disks: Sequence[Disk] = (), extra_args: Sequence[str] = (),
                 serial_log: Path, vars_copy: Optional[Path] = None,
                 no_reboot: bool = True) -> List[str]:
    """The QEMU command line run_thaw() uses (exposed for debugging and the demo).
    no_reboot=False lets a guest reset reboot the VM (firmware and thaw run again)
    instead of ending QEMU, so a reset can be told from a power-off."""
    cmd = ["qemu-system-x86_64", "-machine", machine, "-m", str(memory),
           "-smp", str(smp), "-cdrom", str(iso), "-boot", "d",
           "-display", "none", "-serial", f"file:{serial_log}",
           "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if no_reboot:
        cmd.append("-no-reboot")
    if cpu:
        cmd += ["-cpu", cpu]
    if firmware == "uefi":
        cmd += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file="
                + _first_existing(OVMF_CODE_CANDIDATES),
                "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]
    elif firmware != "bios":
        raise ValueError(f"firmware must be 'bios' or 'uefi', not {firmware!r}")
    for i, d in enumerate(disks):
        cmd += d.qemu_args(i)
    cmd += list(extra_args)
    cmd += shlex.split(os.environ.get("THAW_QEMU_EXTRA", ""))
    return cmd


class Silence:
    """How a run is judged stuck: its serial log has not grown for `timeout` seconds, or
    it has run LIMIT_FACTOR × timeout in all. A loaded host makes every step slow, but a
    working thaw never stays silent long, so tests wait for progress, not for a clock."""
    LIMIT_FACTOR = 10

    def __init__(self, log: Path, timeout: float):
        self.log, self.timeout = log, timeout
        self.start = self.grew = time.monotonic()
        self.size = -1

    def expired(self, timeout: Optional[float] = None) -> bool:
        now = time.monotonic()
        size = self.log.stat().st_size if self.log.exists() else 0
        if size != self.size:
            self.size, self.grew = size, now
        quiet = self.timeout if timeout is None else timeout
        return now - self.grew > quiet or now - self.start > self.timeout * self.LIMIT_FACTOR


def run_iso(iso: Path, *, firmware: str = "bios", machine: str = "pc",
            memory: str = "512M", smp: int = 1, cpu: Optional[str] = None,
            disks: Sequence[Disk] = (), extra_args: Sequence[str] = (),
            timeout: float = 120, name: str = "run", no_reboot: bool = True) -> Result:
    """Boot iso in QEMU and wait for it to exit, or until its serial output has been
    silent for timeout seconds (Silence)."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    fd, log_name = tempfile.mkstemp(prefix=f"{name}-{firmware}-", suffix=".log", dir=LOG_DIR)
    os.close(fd)
    log = Path(log_name)
    with tempfile.TemporaryDirectory(prefix="thawvm-") as tmp:
        vars_copy = None
        if firmware == "uefi":
            # A fresh OVMF_VARS per run: a reused one can hang a later boot.
            vars_copy = Path(tmp) / "OVMF_VARS.fd"
            shutil.copyfile(_first_existing(OVMF_VARS_CANDIDATES), vars_copy)
        cmd = qemu_command(iso, firmware=firmware, machine=machine, memory=memory,
                           smp=smp, cpu=cpu, disks=disks, extra_args=extra_args,
                           serial_log=log, vars_copy=vars_copy, no_reboot=no_reboot)
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        silence = Silence(log, timeout)
        while proc.poll() is None and not silence.expired():
            time.sleep(0.2)
        if proc.poll() is None:
            proc.kill()
            _, err = proc.communicate()
            code = EXIT_TIMEOUT
        else:
            _, err = proc.communicate()
            code = proc.returncode
        elapsed = time.monotonic() - start
    serial = log.read_bytes().decode("utf-8", errors="replace")
    if err and err.strip():
        serial += "\n[qemu stderr] " + err.decode(errors="replace")
    return Result(code, serial, elapsed, log, cmd)


def run_thaw(cmdline: str = "thaw.test_exit", *, elf: Union[str, Path] = ELF,
             **kwargs) -> Result:
    """build_iso(cmdline) then run_iso(); kwargs as run_iso. Keep thaw.test_exit in
    cmdline unless the test wants thaw to stay up (it then ends by timeout)."""
    return run_iso(build_iso(cmdline, elf), **kwargs)


class LiveVM:
    """QEMU running thaw in the background, with a QMP socket for looking inside the
    guest (read_phys, hmp). Use as a context manager; leaving it kills QEMU and sets
    .result. Arguments as run_iso (timeout: the longest silence of the serial port
    a wait accepts; Silence)."""

    def __init__(self, iso: Path, *, firmware: str = "bios", timeout: float = 120,
                 name: str = "live", **kwargs):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self._tmp = tempfile.TemporaryDirectory(prefix="thawvm-")
        tmp = Path(self._tmp.name)
        fd, log_name = tempfile.mkstemp(prefix=f"{name}-{firmware}-", suffix=".log",
                                        dir=LOG_DIR)
        os.close(fd)
        self.log = Path(log_name)
        vars_copy = None
        if firmware == "uefi":
            vars_copy = tmp / "OVMF_VARS.fd"
            shutil.copyfile(_first_existing(OVMF_VARS_CANDIDATES), vars_copy)
        self._qmp_path = tmp / "qmp.sock"
        self.cmd = qemu_command(iso, firmware=firmware, serial_log=self.log,
                                vars_copy=vars_copy, **kwargs)
        self.cmd += ["-qmp", f"unix:{self._qmp_path},server=on,wait=off"]
        self._silence = Silence(self.log, timeout)
        self._start = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._qmp = None
        self.events: List[dict] = []        # QMP events seen so far
        self.result: Optional[Result] = None

    def __enter__(self) -> "LiveVM":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def serial(self) -> str:
        return self.log.read_bytes().decode("utf-8", errors="replace")

    def wait_for_line(self, pattern: str, timeout: Optional[float] = None,
                      count: int = 1) -> re.Match:
        """Poll the serial log until count lines match (returns the last of them);
        fails when QEMU exits or the serial port stays silent for timeout seconds
        (default: the VM's)."""
        rx = re.compile(pattern)
        while True:
            seen = 0
            for line in self.serial().replace("\r", "").split("\n"):
                m = rx.search(line)
                if m:
                    seen += 1
                    if seen == count:
                        return m
            if self.proc.poll() is not None or self._silence.expired(timeout):
                self.stop()
                raise AssertionError(f"no serial line matches {pattern!r}\n"
                                     + self.result._context())
            time.sleep(0.2)

    def _qmp_call(self, command: str, **arguments) -> dict:
        if self._qmp is None:
            sock = socket.socket(socket.AF_UNIX)
            sock.settimeout(30)
            for _ in range(100):
                try:
                    sock.connect(str(self._qmp_path))
                    break
                except OSError:
                    time.sleep(0.1)
            self._qmp = sock.makefile("rw")
            json.loads(self._qmp.readline())            # the greeting
            self._qmp_send("qmp_capabilities")
        return self._qmp_send(command, **arguments)

    def _qmp_send(self, command: str, **arguments) -> dict:
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self._qmp.write(json.dumps(msg) + "\n")
        self._qmp.flush()
        while True:
            reply = json.loads(self._qmp.readline())
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise RuntimeError(f"QMP {command}: {reply['error']}")
            return reply.get("return")

    def connect(self) -> None:
        """Open QMP now, so events from here on are recorded (wait_for_event)."""
        self._qmp_call("query-status")

    def wait_for_event(self, name: str, timeout: float = 60) -> dict:
        """The first QMP event called name (e.g. "STOP", "RESUME") since connect();
        fails after timeout seconds. Events QEMU sends just before it exits (SHUTDOWN)
        can be lost with the socket: to tell a reset from a power-off, run with
        no_reboot=False and look for a second boot instead."""
        self._qmp_call("query-status")
        end = time.monotonic() + timeout
        while True:
            for ev in self.events:
                if ev["event"] == name:
                    return ev
            if time.monotonic() > end:
                raise AssertionError(f"no QMP event {name} in {timeout} s; saw "
                                     f"{[e['event'] for e in self.events]}")
            try:
                line = self._qmp.readline()
            except OSError:
                line = ""
            if not line:
                raise AssertionError(f"QEMU went away before event {name}; saw "
                                     f"{[e['event'] for e in self.events]}")
            msg = json.loads(line)
            if "event" in msg:
                self.events.append(msg)

    def hmp(self, command_line: str) -> str:
        """A human monitor command (e.g. "info registers"); returns its output."""
        return self._qmp_call("human-monitor-command", **{"command-line": command_line})

    def read_phys(self, addr: int, size: int) -> bytes:
        """Guest physical memory [addr, addr+size), read through QMP pmemsave."""
        out = Path(self._tmp.name) / f"mem-{addr:x}-{size:x}.bin"
        self._qmp_call("pmemsave", val=addr, size=size, filename=str(out))
        return out.read_bytes()

    def stop(self) -> Result:
        """Kill QEMU if it still runs; returns (and keeps in .result) what it did."""
        if self.result is not None:
            return self.result
        code = self.proc.poll()
        if code is None:
            self.proc.kill()
        _, err = self.proc.communicate()
        serial = self.serial()
        if err and err.strip():
            serial += "\n[qemu stderr] " + err.decode(errors="replace")
        self.result = Result(code, serial, time.monotonic() - self._start, self.log, self.cmd)
        if self._qmp is not None:
            self._qmp.close()
        self._tmp.cleanup()
        return self.result
