/* Deliberate failures (thaw.test=fault, double-fault, stack-overflow, panic, late-fault,
 * late-panic): each must end in the exception handler or panic() with its message on
 * the console. */
#include <stdint.h>
#include <string.h>
#include "selftest/faults.h"
#include "kernel/console.h"
#include "kernel/panic.h"

#define UNMAPPED_TEST_ADDRESS 0x00007f0000000000ull /* 127 TiB: never identity-mapped */

/* Recursion bounded only by a limit the compiler cannot see (it is never reached),
 * with a frame it cannot elide: runs into the stack guard page. */
static uint64_t recurse_forever(uint64_t depth)
{
	static volatile uint64_t limit = UINT64_MAX;
	volatile uint64_t frame[32];

	frame[depth % 32] = depth;
	if (depth == limit)
		return 0;
	return recurse_forever(depth + 1) + frame[depth % 32];
}

void faulttest_run(const struct options *o)
{
	const char *name = o->test;

	if (!name[0])
		return;
	kprintf("thaw: running built-in test \"%s\"\n", name);
	if (!strcmp(name, "fault"))
		(void)*(volatile const uint64_t *)(uintptr_t)UNMAPPED_TEST_ADDRESS;
	else if (!strcmp(name, "double-fault"))
		/* A push through an unmapped RSP: #PF cannot be delivered, so #DF. */
		__asm__ volatile("mov %0, %%rsp; push %%rax" : : "r"(UNMAPPED_TEST_ADDRESS));
	else if (!strcmp(name, "stack-overflow"))
		recurse_forever(0);
	else if (!strcmp(name, "panic"))
		panic("built-in test panic (thaw.test=panic)");
}

void faulttest_run_late(const struct options *o)
{
	if (!strcmp(o->test, "late-fault")) {
		kprintf("thaw: running built-in test \"%s\"\n", o->test);
		(void)*(volatile const uint64_t *)(uintptr_t)UNMAPPED_TEST_ADDRESS;
	} else if (!strcmp(o->test, "late-panic")) {
		kprintf("thaw: running built-in test \"%s\"\n", o->test);
		panic("built-in test panic after the disks (thaw.test=late-panic)");
	}
}
