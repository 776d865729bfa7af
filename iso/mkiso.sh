#!/bin/sh
# Build a BIOS+UEFI bootable ISO with GRUB and thaw:
#   iso/mkiso.sh ELF CFG OUT [thaw args...]
# The args replace @THAW_ARGS@ in CFG (thaw's command line). Needs grub-common,
# grub-pc-bin, grub-efi-amd64-bin, xorriso and mtools (scripts/deps.sh installs them).
set -eu

if [ $# -lt 3 ]; then
	echo "usage: $0 ELF CFG OUT [thaw args...]" >&2
	exit 2
fi
elf=$1 cfg=$2 out=$3
shift 3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/thaw-iso.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/boot/grub"
cp "$elf" "$root/boot/thaw.elf"

# sed replacement: escape the characters sed treats specially (\ & and the | delimiter).
args=$(printf '%s' "$*" | sed 's/[\\&|]/\\&/g')
sed "s|@THAW_ARGS@|$args|" "$cfg" > "$root/boot/grub/grub.cfg"

# Only the modules the config needs keep the ISO ~4 MB instead of ~20
# (grub-mkrescue --install-modules); part_* and iso9660 silence "not found" errors under EFI; test and all_video
# serve grub.cfg's framebuffer choice.
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out.$$.tmp" \
	--install-modules="multiboot2 normal serial terminal configfile iso9660 part_msdos part_gpt test all_video
	part_acorn part_amiga part_apple part_bsd part_dfly part_dvh part_plan part_sun part_sunpc" \
	--locales= --fonts= --themes= --compress=xz \
	"$root" >"$tmp/mkrescue.log" 2>&1 || { cat "$tmp/mkrescue.log" >&2; exit 1; }
mv "$out.$$.tmp" "$out"
