/* The other CPUs: started from the MADT's list into long mode on thaw's page tables,
 * each on its own stack, and fed from one work queue; every one is put back into
 * wait-for-SIPI before the hand-off so the image kernel starts them itself. */
#ifndef THAW_SMP_H
#define THAW_SMP_H
#include <stdbool.h>
#include <stdint.h>

struct boot_info;

#define SMP_MAX_CPUS 64                 /* CPUs thaw drives, the boot CPU included */

/* One unit of work. The submitter owns it until done turns true (acquire load); fn
 * runs exactly once, on whichever CPU takes it. */
struct smp_work {
	void (*fn)(struct smp_work *w);
	uint32_t done;                  /* set by the runner after fn returns (release) */
};

/* Per-CPU figures, for the summary line. */
struct smp_stats {
	unsigned cpus;                  /* in use, the boot CPU included */
	uint64_t work_ns[SMP_MAX_CPUS]; /* time inside work items, per CPU (0 = BSP) */
	uint64_t wakes;                 /* wake-up IPIs sent to halted APs */
};

/* Start the application processors the MADT lists as enabled, at most max_cpus CPUs
 * in all (0 or 1: none; the others are still sent INIT by smp_park()). If any AP fails to answer, every AP is parked again and the
 * boot CPU carries on alone; one line says what happened. Returns the CPUs in use. */
unsigned smp_start(const struct boot_info *bi, uint32_t max_cpus);

unsigned smp_cpus(void);

/* Boot CPU only. Queue w (its fn set); while the queue is full the caller runs
 * queued work itself. */
void smp_submit(struct smp_work *w);

/* Run one queued work item on the calling CPU; false if the queue was empty. */
bool smp_help(void);

/* Boot CPU only: return once w is done, running queued work meanwhile. */
void smp_wait(struct smp_work *w);

static inline bool smp_done(const struct smp_work *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE) != 0;
}

/* Boot CPU only: stop every started AP once its current item is done, then send
 * INIT to every enabled AP (started or not), which leaves it in wait-for-SIPI,
 * executing nothing (Intel SDM Vol. 3A §8.4.1). The queue must be empty. Safe to call
 * more than once. */
void smp_park(void);

void smp_get_stats(struct smp_stats *st);

#endif
