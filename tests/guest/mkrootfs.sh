#!/bin/sh
# Build the root tree of the Debian test guest (bookworm, systemd, GRUB for BIOS, the
# Debian kernel) with debootstrap, into $1. Slow (a few minutes, network); callers cache it.
# Usage: mkrootfs.sh ROOTDIR [MIRROR]
set -eu

root=$1
mirror=${2:-http://deb.debian.org/debian}
debs=${THAW_CACHE:-/var/tmp/thaw-cache}/guest/debs
pkgs=linux-image-amd64,systemd,systemd-sysv,udev,grub-pc,kmod,e2fsprogs,procps,initramfs-tools

mkdir -p "$debs"
rm -rf "$root"
# grub-pc asks where to install itself; the test runs grub-install inside the guest.
DEBIAN_FRONTEND=noninteractive debootstrap --variant=minbase --cache-dir="$debs" \
	--include="$pkgs" bookworm "$root" "$mirror"

# A small initramfs: the kernel needs only virtio-blk and ext4 to mount its root
# (MODULES=most would take minutes to build and load under TCG).
sed -i 's/^MODULES=.*/MODULES=list/' "$root/etc/initramfs-tools/initramfs.conf"
printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic > "$root/etc/initramfs-tools/modules"
chroot "$root" update-initramfs -u -k all
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
