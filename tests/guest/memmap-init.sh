#!/bin/busybox sh
# /init of the memory-map probe guest (tests/fixtures/linux_memmap.py): prints the firmware
# memory map as Linux keeps it — /sys/firmware/memmap is e820_table_firmware, the table
# arch/x86/power/hibernate.c hashes into every image — one "MEMMAP: start end type" line
# per entry in table order, then "MEMMAP: done N" and powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
n=0
while [ -d "/sys/firmware/memmap/$n" ]; do
	d=/sys/firmware/memmap/$n
	echo "MEMMAP: $(cat $d/start) $(cat $d/end) $(cat $d/type)"
	n=$((n + 1))
done
echo "MEMMAP: done $n"
poweroff -f
