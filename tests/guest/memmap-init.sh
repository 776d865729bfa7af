#!/bin/busybox sh
# /init of the memory-map probe guest (tests/fixtures/linux_memmap.py): prints the firmware
# memory map as Linux keeps it — e820_table_firmware, the table arch/x86/power/hibernate.c
# hashes into every image. Linux logs that table at boot ("BIOS-e820:" lines, with type
# numbers even for types it has no name for) and shows it in /sys/firmware/memmap; the
# first is printed as "MEMMAP: <line>", the second's entry count as "MEMMAP: done N".
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
dmesg | grep 'BIOS-e820: \[mem ' | sed 's/^.*BIOS-e820: /MEMMAP: /'
n=0
while [ -d "/sys/firmware/memmap/$n" ]; do n=$((n + 1)); done
echo "MEMMAP: done $n"
poweroff -f
