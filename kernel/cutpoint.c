/* thaw.test=cut:<phase>: stop dead at one phase of the restore (kernel/cutpoint.h). */
#include <stdbool.h>
#include <string.h>
#include "kernel/console.h"
#include "kernel/cutpoint.h"

#define CUT_PREFIX "cut:"

static struct {
	char phase[24];
} cut;

void cutpoint_arm(const char *test)
{
	size_t n = strlen(CUT_PREFIX), len;

	if (strncmp(test, CUT_PREFIX, n))
		return;
	len = strlen(test + n);
	if (len == 0 || len >= sizeof(cut.phase))
		return;
	memcpy(cut.phase, test + n, len + 1);
	kprintf("thaw: test: power cut armed at phase \"%s\"\n", cut.phase);
}

bool cutpoint_armed(const char *phase)
{
	return cut.phase[0] && !strcmp(cut.phase, phase);
}

void cutpoint(const char *phase)
{
	if (!cutpoint_armed(phase))
		return;
	kprintf("thaw: test: cut point %s reached, waiting to be killed\n", phase);
	for (;;)
		__asm__ volatile("cli; hlt");
}
