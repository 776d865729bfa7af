#!/bin/sh
# Build the root tree of the Debian test guest (bookworm, systemd, GRUB for BIOS, the
# Debian kernel) with debootstrap, into $1. Slow (minutes, network); callers cache it.
# Usage: mkrootfs.sh ROOTDIR [MIRROR]
set -eu

root=$1
mirror=${2:-http://deb.debian.org/debian}
debs=${THAW_CACHE:-/var/tmp/thaw-cache}/guest/debs
pkgs=systemd,systemd-sysv,udev,grub-pc,kmod,linux-base,initramfs-tools,e2fsprogs,procps

mkdir -p "$debs"
rm -rf "$root"
# grub-pc asks where to install itself; the test runs grub-install inside the guest.
DEBIAN_FRONTEND=noninteractive debootstrap --variant=minbase --cache-dir="$debs" \
	--include="$pkgs" bookworm "$root" "$mirror"

# A small initramfs, configured before the kernel arrives so its postinst builds it once:
# the kernel needs only virtio-blk and ext4 to mount its root (MODULES=most takes
# minutes to build under load and to load under TCG).
sed -i 's/^MODULES=.*/MODULES=list/' "$root/etc/initramfs-tools/initramfs.conf"
printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic > "$root/etc/initramfs-tools/modules"

# Debian 12's current kernel: the package linux-image-amd64 depends on, from the host's
# apt (bookworm-security carries newer ones than the release debootstrap installs).
kpkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
[ -n "$kpkg" ] || { echo "mkrootfs: no kernel package behind linux-image-amd64" >&2; exit 1; }
mkdir -p "$root/tmp/kernel"
(cd "$root/tmp/kernel" && apt-get download -q "$kpkg") ||
	(apt-get update -qq && cd "$root/tmp/kernel" && apt-get download -q "$kpkg")
chroot "$root" sh -c 'dpkg -i /tmp/kernel/*.deb'
rm -rf "$root/tmp/kernel" "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
