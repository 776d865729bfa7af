#!/bin/sh
# Test agent of the Debian guest (tests/system/test_install.py), run at every boot by
# thaw-test-agent.service: does what this boot is for and reports on ttyS0 in lines
# starting "AGENT: ". Boots, in order: setup (kernel command line thawtest=setup), then
# from GRUB: hibernate, the resume through thaw, a normal boot.
exec > /dev/ttyS0 2>&1
state_dir=/var/lib/thaw-test
state=$state_dir/state

say() { echo "AGENT: $*"; }

grubenv() { grub-editenv /boot/grub/grubenv list | tr '\n' ' '; }

# isa-debug-exit at 0xf4 through Linux's /dev/port: 0x10 → QEMU exits 33, 0x11 → 35.
qemu_exit() {
	sync
	printf "\\$(printf '%03o' "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
}

fail() {
	say "error $*"
	qemu_exit 17
	exit 1
}

# Wait for what a step needs, however long a loaded host takes to provide it: the test
# judges the boot by its serial output going silent, so say what is awaited now and then.
wait_for() {
	what=$1
	shift
	n=0
	until "$@"; do
		n=$((n + 1))
		[ $((n % 60)) -eq 0 ] && say "waiting for $what ($((n / 2)) s)"
		sleep 0.5
	done
}

swap_active() { grep -q '^/dev/vda2 ' /proc/swaps; }

# Boot 1: thaw arrives as `make install DESTDIR=` laid it out, in a tar on /dev/vdb.
setup() {
	wait_for /dev/vdb test -b /dev/vdb
	tar -xpf /dev/vdb -C / || fail "cannot unpack the install tree from /dev/vdb"
	mkswap -L thawswap /dev/vda2 > /dev/null && swapon /dev/vda2 || fail "swap"
	grub-install --target=i386-pc /dev/vda || fail "grub-install"
	update-grub || fail "update-grub"
	grep -q "menuentry 'Resume hibernated system (thaw)'" /boot/grub/grub.cfg ||
		fail "no thaw entry in grub.cfg"
	mkdir -p "$state_dir"
	: > "$state"
	say "setup done swaps=$(awk 'NR > 1 { print $1 }' /proc/swaps | tr '\n' ,)"
	qemu_exit 16
}

# Boot 2: state that must survive (a process, a token in its memory, data in tmpfs),
# then the user's way to hibernate, which runs thaw's system-sleep hook.
hibernate() {
	# fstab waits for the swap device without a time limit (mkdisk.sh); hibernating
	# before it is on would fail for want of swap.
	wait_for "swap on /dev/vda2" swap_active
	echo hibernating > "$state"
	echo 0 > /sys/power/image_size
	dd if=/dev/urandom of=/dev/shm/data bs=1M count=16 2>/dev/null
	sum=$(md5sum < /dev/shm/data)
	sleep 100000 &
	pid=$!
	token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	boot_id=$(cat /proc/sys/kernel/random/boot_id)
	say "hibernating token=$token pid=$pid boot_id=$boot_id swaps=$(awk 'NR > 1 { print $1 }' /proc/swaps | tr '\n' ,)"
	# Linux's PM messages (pr_info) on the serial log, for whoever reads it after a failure.
	echo 7 > /proc/sys/kernel/printk
	sync
	rm -f /run/thaw-test-post
	systemctl hibernate || fail "systemctl hibernate failed"
	# systemctl only queues the job. Our sleep hook marks the way back; thaw's hook
	# runs beside it, and systemd-sleep (the unit) ends when both have.
	while [ ! -e /run/thaw-test-post ]; do sleep 0.5; done
	while [ "$(systemctl is-active systemd-hibernate.service)" = activating ]; do
		sleep 0.5
	done
	alive=no
	kill -0 "$pid" 2>/dev/null && alive=yes
	data=BAD
	[ "$(md5sum < /dev/shm/data)" = "$sum" ] && data=ok
	say "back token=$token pid=$pid alive=$alive data=$data boot_id=$(cat /proc/sys/kernel/random/boot_id) grubenv=$(grubenv)"
	echo resumed > "$state"
	qemu_exit 16
}

# Boot 4: GRUB's default entry again, grubenv without a pending one-shot entry.
normal() {
	say "normal boot state=$1 cmdline=$(cat /proc/cmdline) grubenv=$(grubenv)"
	echo done > "$state"
	[ "$1" = resumed ] && qemu_exit 16
	qemu_exit 17
}

case " $(cat /proc/cmdline) " in
*" thawtest=setup "*) setup ;;
esac
[ -f "$state" ] || fail "no state file: the setup boot did not run"
case "$(cat "$state")" in
"") hibernate ;;
hibernating) fail "fresh boot while an image was waiting: the resume did not happen" ;;
*) normal "$(cat "$state")" ;;
esac
