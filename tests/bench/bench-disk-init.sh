#!/bin/busybox sh
# /init for `make bench-disk`: Linux reads the whole of /dev/$bench.dev (vda unless the
# command line names another, e.g. nvme0n1) with dd (large blocks, O_DIRECT and
# buffered) and prints how long each took; the host turns that into MiB/s.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
dev=vda
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	bench.dev=*) dev=${arg#bench.dev=} ;;
	esac
done
# Another controller's modules, in dependency order (fixtures/initramfs.py).
if [ -f /modules/ctl/order ]; then
	for m in $(cat /modules/ctl/order); do
		insmod "/modules/ctl/$m.ko"
	done
fi
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
	[ -f "/modules/$m.ko" ] && insmod "/modules/$m.ko"
done
n=0
while [ ! -e /sys/class/block/$dev/dev ] && [ $n -lt 1200 ]; do
	usleep 50000
	n=$((n + 1))
done
# A loaded 2-core host can take a while to probe SATA or SCSI disks: up to 60 s.
[ -e /sys/class/block/$dev/dev ] || echo "BENCH: error: no /dev/$dev after 60 s"
bytes=$(($(cat /sys/class/block/$dev/size) * 512))
for mode in direct buffered; do
	flag=
	[ "$mode" = direct ] && flag=iflag=direct
	echo 3 > /proc/sys/vm/drop_caches
	read -r t0 _ < /proc/uptime
	dd if=/dev/$dev of=/dev/null bs=4M $flag 2>/dev/null
	read -r t1 _ < /proc/uptime
	echo "BENCH: linux dd $mode bytes=$bytes start=$t0 end=$t1"
done
echo "BENCH: done"
poweroff -f
