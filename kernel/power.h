/* Leaving thaw: reboot, poweroff, halt, and QEMU's isa-debug-exit for tests. */
#ifndef THAW_POWER_H
#define THAW_POWER_H
#include <stdbool.h>
#include <stdint.h>

struct boot_info;

void power_init(const struct boot_info *bi);       /* find the FADT, _S5, reset register */
__attribute__((noreturn)) void power_reboot(void);
__attribute__((noreturn)) void power_off(void);
__attribute__((noreturn)) void power_halt(void);
/* Exit QEMU with status (code << 1) | 1 when thaw.test_exit is on the command line
 * (isa-debug-exit at port 0xf4); otherwise returns. */
void power_test_exit(uint8_t code);

/* Codes for power_test_exit(): QEMU then exits with 33 (success) or 35 (failure). */
#define POWER_EXIT_SUCCESS 0x10
#define POWER_EXIT_FAILURE 0x11

/* One line: what reset/poweroff methods were found. */
void power_describe(void);

/* Arm power_test_exit(); kmain calls it with options.test_exit. */
void power_set_test_exit(bool enabled);

/* The function that wipes every secret thaw holds (the block layer's keys); one.
 * power_wipe() runs it once, and every way out of thaw calls power_wipe() first:
 * panic(), CPU exceptions, the stops, reboot, poweroff, halt and the test exit. */
void power_set_wipe(void (*wipe)(void));
void power_wipe(void);

#endif
