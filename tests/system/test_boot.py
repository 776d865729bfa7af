"""thaw boots under SeaBIOS and OVMF, reports what the loader gave it (memory map,
command line), passes its allocator self-check, and with no disk stops cleanly through
isa-debug-exit. Also: the failure paths (CPU exception, panic) end in exit 35."""
import re

import pytest

from thawvm import LiveVM, build_iso, run_thaw

CMDLINE = "thaw.test_exit loglevel=7 resume=/dev/vda2 resume_offset=0x10 bogus.opt=1"
FIRMWARES = [("bios", "pc"), ("uefi", "q35")]


@pytest.fixture(scope="module", params=FIRMWARES, ids=lambda p: f"{p[0]}-{p[1]}")
def boot(request):
    firmware, machine = request.param
    return run_thaw(CMDLINE, firmware=firmware, machine=machine, memory="512M",
                    timeout=180, name=f"boot-{firmware}")


def test_clean_stop(boot):
    boot.assert_exit_ok()
    boot.expect_line(r"thaw: nothing to resume; stopping cleanly")


def test_no_image_message(boot):
    # No disk attached: thaw must say so plainly rather than just stop.
    boot.expect_line(r"nothing to resume|no hibernation image")


def test_loader_and_command_line(boot):
    boot.expect_line(r'boot: loaded by "GRUB 2\.06')
    boot.expect_line(r'boot: command line "' + re.escape(CMDLINE) + '"')
    m = boot.expect_line(r"cmdline: resume=(\S+) resume_offset=(\d+) noresume=0 loglevel=(\d+) "
                         r"on_fail=(\w+) e820=(\w+) test_exit=1")
    assert m.groups() == ("/dev/vda2", "16", "7", "wait", "enforce")


def test_unknown_option_reported(boot):
    boot.expect_line(r'cmdline: unknown option ignored: "bogus\.opt=1"')


def test_memory_map_summary(boot):
    m = boot.expect_line(r"boot: memory map: (\d+) entries, (\d+) MiB RAM")
    entries, mib = int(m.group(1)), int(m.group(2))
    assert entries >= 3
    # -m 512M: firmware keeps some for itself, never more than 512 MiB of RAM.
    assert 480 <= mib <= 512, mib
    # The printed entries match the count (loglevel=7 prints all of them).
    assert len([l for l in boot.lines if l.startswith("  [mem 0x")]) == entries


def test_pmm_self_check(boot):
    m = boot.expect_line(r"pmm: (\d+) MiB RAM in (\d+) ranges, max pfn 0x([0-9a-f]+), "
                         r"(\d+) MiB free, .*: self-check ok")
    ram, free = int(m.group(1)), int(m.group(4))
    assert 0 < free <= ram <= 512
    assert int(m.group(3), 16) <= 512 * 256     # no frame beyond 512 MiB
    boot.expect_line(r"paging: identity map reaches the last RAM frame")


def test_uefi_reports_system_table(boot):
    uefi = boot.find_line(r"boot: UEFI system table at 0x[0-9a-f]+, (\d+) EFI memory")
    if "OVMF" in " ".join(boot.cmd):
        assert uefi and int(uefi.group(1)) > 0
    else:
        assert uefi is None


def test_ram_above_4g():
    # 5 GiB on pc puts ~2 GiB of RAM above 4 GiB; paging_init must map it and the
    # allocator must count it (the probe reads the very last RAM frame).
    r = run_thaw("thaw.test_exit", memory="5G", timeout=180, name="highmem")
    r.assert_exit_ok()
    m = r.expect_line(r"pmm: (\d+) MiB RAM in \d+ ranges, max pfn 0x([0-9a-f]+)")
    assert int(m.group(1)) > 4096
    assert int(m.group(2), 16) > 0x100000
    r.expect_line(r"paging: identity map reaches the last RAM frame at 0x1[0-9a-f]{8}")


def test_exception_report_and_failure_exit():
    r = run_thaw("thaw.test_exit thaw.test=fault", timeout=120, name="fault")
    r.assert_exit_fail()
    r.expect_line(r"thaw: CPU exception 14 \(page fault\), error code 0x0")
    r.expect_line(r"RIP [0-9a-f]{16}  CS 0010 .* CR2 00007f0000000000")
    r.expect_line(r"RAX [0-9a-f]{16}  RBX")
    r.expect_line(r"R13 [0-9a-f]{16}  R14")


def test_panic_exit():
    r = run_thaw("thaw.test_exit thaw.test=panic", timeout=120, name="panic")
    r.assert_exit_fail()
    r.expect_line(r"thaw: panic: built-in test panic")
    r.expect_line(r"backtrace: [0-9a-f]+")


def test_smp_and_q35_bios():
    r = run_thaw("thaw.test_exit", machine="q35", smp=2, timeout=120, name="q35-smp")
    r.assert_exit_ok()
    r.expect_line(r"self-check ok")


def test_vga_text_screen():
    # BIOS boot: GRUB reports EGA text; thaw must mirror its console on the screen.
    # thaw.on_fail=halt keeps the guest up so the test can read the text buffer.
    iso = build_iso("thaw.on_fail=halt")
    with LiveVM(iso, timeout=120, name="vga") as vm:
        vm.wait_for_line(r"thaw: halted \(thaw.on_fail=halt\)")
        cells = vm.read_phys(0xB8000, 80 * 25 * 2)
    rows = ["".join(chr(cells[2 * (r * 80 + c)]) for c in range(80)).rstrip()
            for r in range(25)]
    screen = "\n".join(rows)
    assert "thaw: halted (thaw.on_fail=halt)" in screen, screen
    # Long lines wrap at 80 columns: search the rows joined back together.
    assert "self-check ok" in "".join(r.ljust(80) for r in rows), screen
    assert all(cells[2 * i + 1] == 0x07 for i in range(80 * 25)), "attribute bytes"


def read_font():
    """The glyph table thaw draws with (build/gen/font8x16.h): {rows tuple: char}."""
    import re
    from thawvm import BUILD
    glyphs = {}
    text = (BUILD / "gen" / "font8x16.h").read_text()
    rows = re.findall(r"\{ ((?:0x[0-9a-f]{2}, ){15}0x[0-9a-f]{2}) \}", text)
    assert len(rows) == 0x7F - 0x20
    for i, r in enumerate(rows):
        glyphs.setdefault(tuple(int(v, 16) for v in r.split(", ")), chr(0x20 + i))
    return glyphs


def test_uefi_framebuffer_console():
    # UEFI has no text mode: GRUB hands over the GOP framebuffer and thaw draws its
    # console there. Decode the screen back into text with thaw's own font.
    iso = build_iso("thaw.on_fail=halt")
    with LiveVM(iso, firmware="uefi", machine="q35", timeout=180, name="fb") as vm:
        m = vm.wait_for_line(r"console: framebuffer (\d+)x(\d+)-(\d+) pitch (\d+) at 0x([0-9a-f]+)$")
        vm.wait_for_line(r"thaw: halted \(thaw.on_fail=halt\)")
        w, h, bpp, pitch = (int(m.group(i)) for i in range(1, 5))
        addr = int(m.group(5), 16)
        fb = vm.read_phys(addr, pitch * h)
    bytes_pp = bpp // 8
    glyphs = read_font()
    lines = []
    for row in range(h // 16):
        chars = []
        for col in range(w // 8):
            key = []
            for y in range(16):
                off = (row * 16 + y) * pitch + col * 8 * bytes_pp
                key.append(sum(0x80 >> x for x in range(8)
                               if fb[off + x * bytes_pp] == 0xFF))
            chars.append(glyphs.get(tuple(key), "?"))
        lines.append("".join(chars).rstrip())
    screen = "\n".join(lines)
    assert "thaw: halted (thaw.on_fail=halt)" in screen, screen
    # Long lines wrap at the screen width: search the rows joined back together.
    assert "self-check ok" in "".join(l.ljust(w // 8) for l in lines), screen


BANNER = r"^thaw: resumes a hibernated Linux"


@pytest.mark.parametrize("firmware,machine", FIRMWARES, ids=lambda v: v)
def test_reboot(firmware, machine):
    # thaw.on_fail=reboot: the machine resets (FADT reset register or 8042) and boots
    # again, so thaw's banner appears a second time. (No -no-reboot for this one.)
    iso = build_iso("thaw.on_fail=reboot")
    with LiveVM(iso, firmware=firmware, machine=machine, timeout=240, name="reboot",
                no_reboot=False) as vm:
        vm.wait_for_line(BANNER, count=2)
    r = vm.result
    r.expect_line(r"^thaw: rebooting$")
    r.expect_no_line(r"CPU exception")


@pytest.mark.parametrize("firmware,machine", FIRMWARES, ids=lambda v: v)
def test_poweroff(firmware, machine):
    # thaw.on_fail=poweroff: ACPI S5 turns the VM off, so QEMU ends by itself (status
    # 0) after one boot; a failed soft-off would halt (timeout) or reset (2nd boot).
    r = run_thaw("thaw.on_fail=poweroff", firmware=firmware, machine=machine,
                 timeout=180, name="poweroff", no_reboot=False)
    r.assert_exit(0)
    assert len([l for l in r.lines if re.search(BANNER, l)]) == 1, r.serial
    r.expect_line(r"^thaw: powering off$")
    r.expect_no_line(r"soft-off unavailable|CPU exception")


def test_double_fault_reported():
    # RSP points at unmapped memory, so the page fault cannot be delivered: the CPU
    # raises #DF, which runs on its own IST stack and is still reported.
    r = run_thaw("thaw.test_exit thaw.test=double-fault", timeout=120, name="df")
    r.assert_exit_fail()
    r.expect_line(r"thaw: CPU exception 8 \(double fault\), error code 0x0")
    r.expect_line(r"RSP 00007f0000000000  SS 0018")


@pytest.mark.parametrize("press_key", [False, True], ids=["timeout", "key"])
def test_default_wait_then_reboot(press_key):
    # The default thaw.on_fail: say so, wait 10 s (TSC timer) or until a key is
    # pressed (PS/2 keyboard, polled), then reboot (the banner appears again).
    import time
    iso = build_iso("")
    with LiveVM(iso, timeout=120, name="wait", no_reboot=False) as vm:
        vm.wait_for_line(r"thaw: rebooting in 10 s; press any key to reboot now")
        t0 = time.monotonic()
        if press_key:
            vm.hmp("sendkey a")
        vm.wait_for_line(BANNER, count=2, timeout=60)
        waited = time.monotonic() - t0
    if press_key:
        assert waited < 8, waited
    else:
        assert 9 <= waited <= 40, waited
    vm.result.expect_line(r"^thaw: rebooting$")


@pytest.mark.parametrize("cpu,message", [
    ("qemu64,-nx", r"thaw: this CPU has no NX \(execute-disable\)"),
    ("qemu32", r"thaw: this CPU has no 64-bit long mode"),
], ids=["no-nx", "no-long-mode"])
def test_cpu_requirements_reported(cpu, message):
    # The 32-bit entry checks CPUID before anything else and says what is missing on
    # COM1, then halts (the test stops QEMU once the message is there).
    with LiveVM(build_iso("thaw.test_exit"), cpu=cpu, timeout=60, name="cpu") as vm:
        vm.wait_for_line(message)
    vm.result.expect_no_line(BANNER)


def test_stack_overflow_reported():
    # Unbounded recursion runs into the unmapped guard page below the boot stack; the
    # page fault cannot be pushed there, so #DF reports it on its own stack.
    r = run_thaw("thaw.test_exit thaw.test=stack-overflow", timeout=120, name="stack")
    r.assert_exit_fail()
    r.expect_line(r"thaw: CPU exception 8 \(double fault\)")
    guard = int(r.expect_line(r"paging: stack guard page at 0x([0-9a-f]+)").group(1), 16)
    cr2 = int(r.expect_line(r"CR2 ([0-9a-f]{16})").group(1), 16)
    assert guard <= cr2 < guard + 4096, (hex(guard), hex(cr2))
