/* Time from the TSC, calibrated against the 8254 PIT's channel 2 (1.193182 MHz,
 * gated through port 0x61 as on every PC since the AT) over a fixed interval. */
#include <stdint.h>
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/timer.h"

#define PIT_HZ		1193182u
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_CH2_MODE0	0xB0    /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_B		0x61
#define PORTB_GATE2	0x01
#define PORTB_SPEAKER	0x02
#define PORTB_OUT2	0x20    /* channel 2 output: goes high at terminal count */
#define CALIB_MS	20
#define CALIB_SPIN_MAX	100000000ull
#define FALLBACK_KHZ	2000000ull      /* used only if the PIT never counts down */

static struct {
	uint64_t tsc0;
	uint64_t tsc_khz;
} timer;

/* TSC ticks during CALIB_MS of PIT counting, or 0 if the PIT did not finish. */
static uint64_t measure(void)
{
	uint16_t latch = PIT_HZ / (1000 / CALIB_MS);
	uint64_t t0, t1, spins = 0;

	outb(PORT_B, (inb(PORT_B) & ~PORTB_SPEAKER) | PORTB_GATE2);
	outb(PIT_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2, latch & 0xff);
	outb(PIT_CH2, latch >> 8);
	t0 = rdtsc();
	while (!(inb(PORT_B) & PORTB_OUT2))
		if (++spins > CALIB_SPIN_MAX)
			return 0;
	t1 = rdtsc();
	return t1 - t0;
}

void timer_init(void)
{
	uint64_t ticks = measure();

	timer.tsc_khz = ticks ? ticks / CALIB_MS : FALLBACK_KHZ;
	if (!ticks)
		kprintf("timer: PIT did not count; assuming a %llu MHz TSC\n",
			(unsigned long long)(FALLBACK_KHZ / 1000));
	timer.tsc0 = rdtsc();
}

uint64_t timer_ns(void)
{
	uint64_t d = rdtsc() - timer.tsc0, k = timer.tsc_khz;

	if (!k)
		return 0;       /* before timer_init() */

	/* Split so nothing overflows 64 bits for centuries of uptime. */
	return d / k * 1000000u + d % k * 1000000u / k;
}

uint64_t timer_ms(void)
{
	return timer_ns() / 1000000u;
}

void timer_delay_us(uint64_t us)
{
	uint64_t end = timer_ns() + us * 1000u;

	while (timer_ns() < end)
		cpu_relax();
}

/* For the boot summary (additive). */
uint64_t timer_tsc_khz(void)
{
	return timer.tsc_khz;
}
