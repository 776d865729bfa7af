#!/bin/busybox sh
# /init of the kexec test guest: a Linux that loads thaw with `thawctl kexec` (which runs
# kexec-tools' multiboot2-x86 loader) and jumps into it, so thaw resumes the image on the disk.
# The thawctl arguments are in /thawtest/args, one per line. Lines for the host start "KEXEC: ".

/bin/busybox --install -s /bin
export PATH=/sbin:/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# isa-debug-exit at 0xf4 (QEMU exits 2v+1) through Linux's /dev/port, as in
# tests/fixtures/guest-init.sh: 0x11 → 35 means this guest failed before thaw ran.
qemu_exit() {
	printf "\\$(printf '%03o' "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}

set --
while IFS= read -r arg; do
	[ -n "$arg" ] && set -- "$@" "$arg"
done < /thawtest/args

read -r up _ < /proc/uptime
echo "KEXEC: running thawctl kexec $* uptime=$up"
thawctl kexec "$@"
echo "KEXEC: thawctl returned status=$?"
qemu_exit 17
