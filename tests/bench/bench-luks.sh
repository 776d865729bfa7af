#!/bin/busybox sh
# /dm/bench.sh for `make bench-luks` (tests/bench/bench_luks.py), run by the fixture
# guest's /init (tests/fixtures/guest-dm.sh) under thawtest=cryptbench: Linux unlocks
# the LUKS2 volume on /dev/vda with cryptsetup (passphrase from /dm/pass), then, if
# /dm/read exists, reads all of the decrypted device with dd (O_DIRECT and buffered).
# Times come from /proc/uptime (10 ms steps); the host turns them into the report.
export PATH=/bin:/sbin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
export DM_DISABLE_UDEV=1

ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

done_exit() {
	echo "BENCH: linux done $1"
	printf "\\$(printf '%03o' "$2")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}

mkdir -p /run/cryptsetup
# What starting cryptsetup costs (loader, libcrypto, libcryptsetup; cold): reported
# apart, and it leaves the libraries warm for the timed open below.
t0=$(ms)
cryptsetup --version > /dev/null
t1=$(ms)
echo "BENCH: linux exec ms=$((t1 - t0))"
t0=$(ms)
if ! cryptsetup open --key-file /dm/pass /dev/vda vda_crypt; then
	done_exit "error cryptsetup open" 17
fi
t1=$(ms)
echo "BENCH: linux unlock ms=$((t1 - t0))"
cryptsetup status vda_crypt | sed 's/^/BENCH: linux status /'

if [ -f /dm/read ]; then
	bytes=$(($(cat /sys/block/dm-0/size) * 512))
	for mode in direct buffered; do
		flag=
		[ "$mode" = direct ] && flag=iflag=direct
		echo 3 > /proc/sys/vm/drop_caches
		t0=$(ms)
		dd if=/dev/mapper/vda_crypt of=/dev/null bs=4M $flag 2>/dev/null
		t1=$(ms)
		echo "BENCH: linux read $mode bytes=$bytes ms=$((t1 - t0))"
	done
fi
done_exit ok 16
