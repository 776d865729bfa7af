/* Time since boot from the TSC, calibrated once against the PIT (channel 2). */
#ifndef THAW_TIMER_H
#define THAW_TIMER_H
#include <stdint.h>

void timer_init(void);
uint64_t timer_ns(void);          /* nanoseconds since timer_init() */
uint64_t timer_ms(void);
void timer_delay_us(uint64_t us);
uint64_t timer_tsc_khz(void);    /* calibrated TSC rate */

#endif
