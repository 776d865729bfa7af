/* Stacked block devices found inside the disks: LUKS containers unlocked with a
 * passphrase typed at the console, and LVM2 logical volumes, registered like disks
 * (dm-0, dm-1, … with their /dev/mapper/ and /dev/VG/LV names as aliases) so the swap
 * probe, resume= and scanning see what is inside. */
#ifndef THAW_STACK_H
#define THAW_STACK_H

/* Look at every registered device (and at what unlocking adds): LUKS, then LVM, then
 * LUKS inside LVM. Prints one line per device found or refused. */
void stack_scan(void);

/* How many LUKS containers stayed locked (no passphrase, wrong ones, or damaged):
 * what they hold was not searched for an image. */
unsigned stack_locked(void);

/* Wipe every key and passphrase thaw holds (before the jump, on every stop). */
void stack_wipe_secrets(void);

#endif
