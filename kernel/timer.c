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
#define PIT_CH2_LATCH	0x80    /* channel 2, counter latch command */
#define PORT_B		0x61
#define PORTB_GATE2	0x01
#define PORTB_SPEAKER	0x02
#define CALIB_COUNTS	(PIT_HZ / 50)   /* 20 ms of PIT input clock */
#define CALIB_ROUNDS	3
#define SAMPLE_TRIES	5
#define CALIB_SPIN_MAX	100000000ull
#define FALLBACK_KHZ	2000000ull      /* used only if the PIT never counts down */

static struct {
	uint64_t tsc0;
	uint64_t tsc_khz;
} timer;

/* One (TSC, PIT count) pair. Of a few back-to-back reads keep the one whose two
 * TSC reads lie closest together: a vCPU descheduled mid-read (common under TCG
 * on a loaded host) shows up as a wide pair and is dropped. */
static void sample(uint64_t *tsc, uint16_t *count)
{
	uint64_t best = ~0ull;

	for (int i = 0; i < SAMPLE_TRIES; i++) {
		uint64_t a = rdtsc(), b;
		uint16_t c;

		outb(PIT_CMD, PIT_CH2_LATCH);
		c = inb(PIT_CH2);
		c |= (uint16_t)inb(PIT_CH2) << 8;
		b = rdtsc();
		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*count = c;
		}
	}
}

/* TSC kHz over CALIB_COUNTS PIT clocks, both ends read back from the counter
 * itself, so time lost before the first sample does not skew it; 0 if the PIT
 * does not count. */
static uint64_t measure(void)
{
	uint64_t t0, t1, spins = 0;
	uint16_t c0, c1;

	outb(PORT_B, (inb(PORT_B) & ~PORTB_SPEAKER) | PORTB_GATE2);
	outb(PIT_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	sample(&t0, &c0);
	do {
		if (++spins > CALIB_SPIN_MAX)
			return 0;
		sample(&t1, &c1);
	} while (c1 > c0 || (uint32_t)(c0 - c1) < CALIB_COUNTS);
	return (t1 - t0) * PIT_HZ / (uint32_t)(c0 - c1) / 1000u;
}

/* The median of a few rounds: one disturbed round cannot set the clock. */
void timer_init(void)
{
	uint64_t khz[CALIB_ROUNDS], t;

	for (int i = 0; i < CALIB_ROUNDS; i++) {
		khz[i] = measure();
		for (int j = i; j > 0 && khz[j] < khz[j - 1]; j--)
			t = khz[j], khz[j] = khz[j - 1], khz[j - 1] = t;
	}
	timer.tsc_khz = khz[CALIB_ROUNDS / 2];
	if (!timer.tsc_khz) {
		timer.tsc_khz = FALLBACK_KHZ;
		kprintf("timer: PIT did not count; assuming a %llu MHz TSC\n",
			(unsigned long long)(FALLBACK_KHZ / 1000));
	}
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

/* For the boot summary. */
uint64_t timer_tsc_khz(void)
{
	return timer.tsc_khz;
}
