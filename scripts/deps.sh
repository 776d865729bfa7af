#!/bin/sh
# Install, with apt-get, every Debian package thaw's build, tests and demo need
# that is not installed yet. Quiet when nothing is missing.
# `deps.sh deb`: only what `make deb` needs (debhelper, dpkg-dev, lintian).
set -eu

PKGS="gcc make nasm binutils grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
qemu-system-x86 ovmf liblzo2-dev liblz4-dev zlib1g-dev libcmocka-dev python3 python3-pytest
clang cpio fdisk gdisk busybox-static kexec-tools dosfstools util-linux debootstrap e2fsprogs zstd
sbsigntool systemd-boot-efi openssl
libssl-dev libargon2-dev cryptsetup-bin lvm2 dmsetup python3-cryptography"
if [ "${1:-}" = deb ]; then
	PKGS="debhelper dpkg-dev lintian"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages and not root; run as root or: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
