#!/bin/sh
# Build the root tree of the Debian test guest (release SUITE, systemd, GRUB for BIOS,
# the kernel .debs in KERNELDEBS) with debootstrap, into ROOTDIR. Slow (minutes,
# network); callers cache it. tests/rig/debianguest.py names the suite and fetches the
# kernel with the fixtures' own apt configuration (tests/fixtures/debian_kernel.py).
# Usage: mkrootfs.sh ROOTDIR SUITE KERNELDEBS MIRROR
set -eu

root=$1
suite=$2
kdebs=$3
mirror=$4
debs=${THAW_CACHE:-/var/tmp/thaw-cache}/guest/debs
pkgs=systemd,systemd-sysv,udev,grub-pc,kmod,linux-base,initramfs-tools,e2fsprogs,procps

mkdir -p "$debs"
rm -rf "$root"
# grub-pc asks where to install itself; the test runs grub-install inside the guest.
DEBIAN_FRONTEND=noninteractive debootstrap --variant=minbase --cache-dir="$debs" \
	--include="$pkgs" "$suite" "$root" "$mirror"

# A small initramfs, configured before the kernel arrives so its postinst builds it once:
# the kernel needs only virtio-blk and ext4 to mount its root (MODULES=most takes
# minutes to build under load and to load under TCG).
sed -i 's/^MODULES=.*/MODULES=list/' "$root/etc/initramfs-tools/initramfs.conf"
printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic > "$root/etc/initramfs-tools/modules"

# The suite's current kernel (the security suite carries newer ones than the release
# debootstrap installs).
ls "$kdebs"/linux-image-*.deb > /dev/null || { echo "mkrootfs: no kernel in $kdebs" >&2; exit 1; }
mkdir -p "$root/tmp/kernel"
cp "$kdebs"/*.deb "$root/tmp/kernel/"
chroot "$root" sh -c 'dpkg -i /tmp/kernel/*.deb'
rm -rf "$root/tmp/kernel" "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
