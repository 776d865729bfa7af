#!/bin/sh
# Make the Debian guest's raw disk from a debootstrap tree (tests/guest/mkrootfs.sh):
# MBR, partition 1 ext4 root (mke2fs -d: no loop device or mount needed), partition 2
# for swap (mkswap runs in the guest). GRUB is not on it yet: the test installs it.
# Usage: mkdisk.sh ROOTDIR OUT.img
set -eu

rootfs=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
root_mib=1792
swap_mib=640

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/thaw-guest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/root
cp -a "$rootfs" "$stage"

printf 'thawguest\n' > "$stage/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 thawguest\n' > "$stage/etc/hosts"
printf '%s\n' "/dev/vda1 / ext4 errors=remount-ro 0 1" "/dev/vda2 none swap sw,x-systemd.device-timeout=0 0 0" \
	> "$stage/etc/fstab"

# GRUB and Linux on the serial port, no menu delay. 00_header makes GRUB honour
# next_entry (grub-reboot) whatever GRUB_DEFAULT is.
cat >> "$stage/etc/default/grub" <<'GRUB'
GRUB_TIMEOUT=0
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=ttyS0,115200 loglevel=4"
GRUB_TERMINAL=serial
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
GRUB

# Linux writes the image and powers off; ACPI S4 ("platform") would need firmware
# help at resume that thaw does not give (kernel/power/hibernate.c, hibernation_mode).
mkdir -p "$stage/etc/systemd/sleep.conf.d"
printf '[Sleep]\nHibernateMode=shutdown\n' > "$stage/etc/systemd/sleep.conf.d/thaw-test.conf"

# Quiet, quick boots under TCG: no login prompts, no timers doing maintenance.
for unit in serial-getty@ttyS0.service getty@tty1.service getty-static.service apt-daily.timer \
	apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer man-db.timer; do
	ln -sf /dev/null "$stage/etc/systemd/system/$unit"
done

install -D -m 0755 "$here/agent.sh" "$stage/usr/local/sbin/thaw-test-agent"
install -D -m 0644 "$here/thaw-test-agent.service" "$stage/etc/systemd/system/thaw-test-agent.service"
install -D -m 0755 "$here/sleep-hook.sh" "$stage/usr/lib/systemd/system-sleep/thaw-test"
mkdir -p "$stage/etc/systemd/system/multi-user.target.wants"
ln -sf ../thaw-test-agent.service "$stage/etc/systemd/system/multi-user.target.wants/"

rm -f "$out"
truncate -s $((1 + root_mib + swap_mib))M "$out"
sfdisk -q "$out" <<PART
label: dos
start=2048, size=$((root_mib * 2048)), type=83, bootable
type=82
PART
mke2fs -q -t ext4 -L thawroot -d "$stage" "$tmp/root.ext4" "${root_mib}M"
dd if="$tmp/root.ext4" of="$out" bs=1M seek=1 conv=notrunc,sparse status=none
