/* Leaving thaw: reboot, poweroff, halt, and QEMU's isa-debug-exit for tests. */
#ifndef THAW_POWER_H
#define THAW_POWER_H
#include <stdint.h>

struct boot_info;

void power_init(const struct boot_info *bi);       /* find the FADT, _S5, reset register */
__attribute__((noreturn)) void power_reboot(void);
__attribute__((noreturn)) void power_off(void);
__attribute__((noreturn)) void power_halt(void);
/* Exit QEMU with status (code << 1) | 1 when thaw.test_exit is on the command line
 * (isa-debug-exit at port 0xf4); otherwise returns. */
void power_test_exit(uint8_t code);

#endif
