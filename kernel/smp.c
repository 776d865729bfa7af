/* Application processors (Intel SDM Vol. 3A §8.4 "Multiple-Processor (MP)
 * Initialization", §10.6.1 and §10.12.9 for the ICR in xAPIC and x2APIC mode): the
 * MADT's enabled LAPIC/x2APIC entries, started one at a time with INIT-SIPI-SIPI
 * (Linux arch/x86/kernel/smpboot.c wakeup_secondary_cpu_via_init()), then a lock-free
 * work queue: the boot CPU publishes, any CPU takes a ticket with one compare-exchange.
 * An AP that finds no work for IDLE_SPIN_NS halts until the boot CPU's wake-up IPI,
 * so that an oversubscribed host does not lose a core to its spinning. */
#include "kernel/smp.h"

#include <stddef.h>
#include <string.h>

#include "kernel/acpi.h"
#include "kernel/acpi_tables.h"
#include "kernel/ap_boot.h"
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/idt.h"
#include "kernel/io.h"
#include "kernel/madt.h"
#include "kernel/timer.h"
#include "kernel/x86.h"
#include "mm/pmm.h"

#define XAPIC_ID        0x020u          /* bits 31:24 */
#define XAPIC_ESR       0x280u
#define XAPIC_ICR_LO    0x300u
#define XAPIC_ICR_HI    0x310u          /* destination in bits 31:24 */
#define ICR_BUSY        (1u << 12)      /* delivery status (xAPIC only) */
#define MSR_X2APIC_ID   0x802u
#define MSR_X2APIC_ESR  0x828u
#define MSR_X2APIC_ICR  0x830u          /* one 64-bit write, destination in 63:32 */
#define ICR_INIT_ASSERT   0x0000C500u   /* INIT, level, assert */
#define ICR_INIT_DEASSERT 0x00008500u   /* INIT, level, de-assert (xAPIC) */
#define ICR_STARTUP       0x00000600u   /* | vector = page >> 12 */
#define LOW_START       0x1000ull       /* page 0 holds the real-mode IVT */
#define LOW_END         0x9F000ull      /* below the EBDA and the A0000 hole */
#define AP_STACK_SIZE   16384u
#define AP_START_MS     1000u           /* an AP that has not answered by then failed */
#define PARK_MS         1000u
#define QUEUE_SLOTS     64u             /* power of two */
#define XAPIC_EOI       0x0B0u
#define XAPIC_SVR       0x0F0u
#define MSR_X2APIC_SVR  0x80Fu
#define SVR_ENABLE      (1u << 8)       /* APIC software enable (SDM §10.9) */
#define WAKE_VECTOR     0xF0u           /* fixed IPI that ends an idle AP's HLT */
#define SPURIOUS_VECTOR 0xFFu
#define ICR_FIXED       0x00004000u     /* fixed, edge, assert | vector */
#define IDLE_SPIN_NS    200000ull       /* an AP idle this long halts */

/* boot/ap_wake.asm */
void ap_wake_isr(void);
void ap_spurious_isr(void);
uint64_t smp_eoi_mmio;                  /* read by ap_wake_isr: xAPIC EOI, 0 = x2APIC */

enum cpu_state { CPU_OFF = 0, CPU_ALIVE, CPU_PARKED };

struct cpu {
	uint32_t apic_id;
	uint32_t state;                 /* enum cpu_state, written by the AP (release) */
	unsigned index;                 /* 0 = the boot CPU */
	uint64_t work_ns;
};

static struct {
	bool x2apic;
	uint64_t apic_mmio;
	unsigned ncpu;                  /* in use, the boot CPU included */
	unsigned nlisted;               /* enabled APs in the MADT: cpu[1..nlisted] */
	unsigned nstarted;              /* of those, sent a SIPI: cpu[1..nstarted] */
	struct cpu cpu[SMP_MAX_CPUS];
	struct smp_work *ring[QUEUE_SLOTS];
	uint64_t head;                  /* items published (boot CPU writes, release) */
	uint64_t take;                  /* items taken (any CPU, compare-exchange) */
	uint32_t quit;                  /* APs leave their loop and park */
	uint64_t sleeping;              /* bit i: cpu[i] halts, or is about to */
	uint64_t wakes;                 /* wake-up IPIs sent */
} st;

/* ---- the local APIC ------------------------------------------------------------- */

static uint32_t apic_read(uint32_t reg)
{
	if (st.x2apic)
		return (uint32_t)rdmsr(0x800u + (reg >> 4));
	return mmio_read32(st.apic_mmio + reg);
}

static uint32_t bsp_apic_id(void)
{
	if (st.x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_ID);
	return mmio_read32(st.apic_mmio + XAPIC_ID) >> 24;
}

static void clear_esr(void)
{
	if (st.x2apic) {
		wrmsr(MSR_X2APIC_ESR, 0);
		return;
	}
	mmio_write32(st.apic_mmio + XAPIC_ESR, 0);
	(void)apic_read(XAPIC_ESR);
}

/* Send one IPI; in xAPIC mode wait until the APIC has accepted it (x2APIC has no
 * delivery-status bit: SDM §10.12.9). False if it stays busy. */
static bool send_ipi(uint32_t dest, uint32_t lo)
{
	uint64_t t0;

	if (st.x2apic) {
		wrmsr(MSR_X2APIC_ICR, (uint64_t)dest << 32 | lo);
		return true;
	}
	mmio_write32(st.apic_mmio + XAPIC_ICR_HI, dest << 24);
	mmio_write32(st.apic_mmio + XAPIC_ICR_LO, lo);
	t0 = timer_ns();
	while (mmio_read32(st.apic_mmio + XAPIC_ICR_LO) & ICR_BUSY)
		if (timer_ns() - t0 > 100 * 1000000ull)
			return false;
	return true;
}

/* INIT: the AP stops whatever it runs and waits for a SIPI (SDM §8.4.1); x2APIC
 * has no level de-assert (SDM §10.12.9). */
static void send_init(uint32_t dest)
{
	send_ipi(dest, ICR_INIT_ASSERT);
	if (!st.x2apic)
		send_ipi(dest, ICR_INIT_DEASSERT);
}

/* Linux init_udelay: 10 ms after INIT only on CPUs older than family 6 (Intel) /
 * 0xF (AMD); our targets are all newer, so the wait is the SIPI spacing alone. */
static void start_ap(uint32_t dest, uint64_t page)
{
	clear_esr();
	send_init(dest);
	for (int i = 0; i < 2; i++) {
		send_ipi(dest, ICR_STARTUP | (uint32_t)(page >> 12));
		timer_delay_us(200);
	}
}

/* ---- the queue -------------------------------------------------------------------- */

/* Take the next published item, or NULL. The slot is read before the ticket is
 * claimed: once take passes it the boot CPU may refill the slot. */
static struct smp_work *take_one(void)
{
	uint64_t t = __atomic_load_n(&st.take, __ATOMIC_RELAXED);

	for (;;) {
		if (t >= __atomic_load_n(&st.head, __ATOMIC_ACQUIRE))
			return NULL;
		struct smp_work *w = st.ring[t % QUEUE_SLOTS];
		if (__atomic_compare_exchange_n(&st.take, &t, t + 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return w;
	}
}

static bool run_one(struct cpu *c)
{
	struct smp_work *w = take_one();
	uint64_t t0;

	if (!w)
		return false;
	t0 = timer_ns();
	w->fn(w);
	c->work_ns += timer_ns() - t0;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return true;
}

/* ---- idle APs: HLT until a wake-up IPI ------------------------------------------- */

/* On the AP itself: accept fixed interrupts (LAPIC software-enabled, spurious vector
 * set). INIT puts the APIC back to its power-up state (SDM §10.4.7.3) at parking. */
static void ap_apic_enable(void)
{
	if (st.x2apic)
		wrmsr(MSR_X2APIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
	else
		mmio_write32(st.apic_mmio + XAPIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
}

static bool queue_empty(void)
{
	return __atomic_load_n(&st.take, __ATOMIC_SEQ_CST) >=
	       __atomic_load_n(&st.head, __ATOMIC_SEQ_CST);
}

/* Announce the sleep, look once more, then halt with interrupts on for exactly the
 * HLT (STI's one-instruction shadow: an IPI already pending ends the HLT at once).
 * Either the boot CPU sees the bit after publishing work, or this CPU sees the work:
 * both sides order the store before the load with a full barrier. */
static void ap_sleep(struct cpu *c)
{
	uint64_t bit = 1ull << c->index;

	__atomic_fetch_or(&st.sleeping, bit, __ATOMIC_SEQ_CST);
	if (queue_empty() && !__atomic_load_n(&st.quit, __ATOMIC_SEQ_CST))
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	__atomic_fetch_and(&st.sleeping, ~bit, __ATOMIC_SEQ_CST);
}

/* Boot CPU: wake one sleeping AP (all of them: all). The bit is claimed first, so
 * two submissions never wake the same AP for two items. */
static void wake(bool all)
{
	uint64_t m;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while ((m = __atomic_load_n(&st.sleeping, __ATOMIC_SEQ_CST)) != 0) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		uint64_t bit = 1ull << i;

		if (__atomic_fetch_and(&st.sleeping, ~bit, __ATOMIC_SEQ_CST) & bit) {
			send_ipi(st.cpu[i].apic_id, ICR_FIXED | WAKE_VECTOR);
			st.wakes++;
			if (!all)
				return;
		}
	}
}

bool smp_help(void)
{
	return run_one(&st.cpu[0]);
}

void smp_submit(struct smp_work *w)
{
	__atomic_store_n(&w->done, 0, __ATOMIC_RELAXED);
	while (st.head - __atomic_load_n(&st.take, __ATOMIC_ACQUIRE) >= QUEUE_SLOTS)
		if (!smp_help())
			__builtin_ia32_pause();
	st.ring[st.head % QUEUE_SLOTS] = w;
	__atomic_store_n(&st.head, st.head + 1, __ATOMIC_RELEASE);
	if (st.ncpu > 1)
		wake(false);
}

void smp_wait(struct smp_work *w)
{
	while (!smp_done(w))
		if (!smp_help())
			__builtin_ia32_pause();
}

/* Where every AP lives until parked: take work, spin a while, or halt until woken.
 * Interrupts are off but for the HLT itself. */
static void __attribute__((noreturn)) ap_main(void *arg)
{
	struct cpu *c = arg;
	uint64_t idle = 0;

	ap_apic_enable();
	__atomic_store_n(&c->state, CPU_ALIVE, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&st.quit, __ATOMIC_ACQUIRE)) {
		if (run_one(c)) {
			idle = 0;
			continue;
		}
		if (!idle)
			idle = timer_ns();
		if (timer_ns() - idle < IDLE_SPIN_NS) {
			__builtin_ia32_pause();
			continue;
		}
		ap_sleep(c);
		idle = 0;
	}
	__atomic_store_n(&c->state, CPU_PARKED, __ATOMIC_RELEASE);
	for (;;)
		__builtin_ia32_pause();         /* until the boot CPU's INIT */
}

/* ---- start-up --------------------------------------------------------------------- */

static bool overlaps(uint64_t a, uint64_t len, uint64_t s, uint64_t e)
{
	return a < e && s < a + len;
}

/* A 4 KiB page of type-1 RAM below 1 MiB that holds nothing of the loader's. Used
 * only until the last AP has left it; the image may overwrite it after that. */
static uint64_t pick_low_page(const struct boot_info *bi)
{
	for (uint64_t p = LOW_START; p < LOW_END; p += PAGE_SIZE) {
		bool ram = false;

		for (uint32_t i = 0; i < bi->mmap_count && !ram; i++) {
			const struct mem_range *r = &bi->mmap[i];
			ram = r->type == MMAP_RAM && r->base <= p && p + PAGE_SIZE <= r->base + r->len;
		}
		if (!ram || overlaps(p, PAGE_SIZE, bi->mbi_start, bi->mbi_end))
			continue;
		bool mod = false;
		for (uint32_t i = 0; i < bi->module_count; i++)
			mod |= overlaps(p, PAGE_SIZE, bi->modules[i].start, bi->modules[i].end);
		if (!mod)
			return p;
	}
	return 0;
}

static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	if (n == 0)
		__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	else if (n == 3)
		__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	else
		__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void fill_args(struct ap_boot_args *a)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr, idtr;

	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	memset(a, 0, sizeof(*a));
	a->cr3 = read_cr(3);
	a->cr4 = read_cr(4) & ~CR4_PCIDE;
	a->cr0 = read_cr(0);
	a->entry = (uint64_t)(uintptr_t)ap_main;
	a->gdt_limit = gdtr.limit;
	a->gdt_base = (uint32_t)gdtr.base;
	a->idt_limit = idtr.limit;
	a->idt_base = idtr.base;
}

static bool wait_state(struct cpu *c, uint32_t want, uint32_t ms)
{
	uint64_t t0 = timer_ns();

	while (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != want)
		if (timer_ns() - t0 > ms * 1000000ull)
			return false;
		else
			__builtin_ia32_pause();
	return true;
}

/* The enabled processors other than this one, in MADT order. */
static unsigned list_aps(uint32_t self, unsigned *disabled)
{
	static struct madt_lapic l[SMP_MAX_CPUS * 4];
	const struct acpi_header *madt = acpi_find_table("APIC");
	struct madt_info mi = { .lapic = l, .lapic_cap = SMP_MAX_CPUS * 4 };
	unsigned n = 0;

	*disabled = 0;
	if (!madt || madt_parse(madt, madt->length, &mi) != MADT_OK)
		return 0;
	for (uint32_t i = 0; i < mi.lapic_count; i++) {
		/* Online-capable entries are processors the OS may add later (ACPI 6.4
		 * §5.2.12.2, Table 5.47): not present now, so not started. */
		if (!l[i].enabled || l[i].apic_id == self || l[i].apic_id == 0xFFFFFFFFu) {
			*disabled += !l[i].enabled;
			continue;
		}
		if (n + 1 >= SMP_MAX_CPUS)
			break;
		st.cpu[++n] = (struct cpu){ .apic_id = l[i].apic_id, .index = n };
	}
	return n;
}

static void fall_back(const char *why, uint32_t apic_id)
{
	smp_park();
	st.ncpu = 1;
	kprintf("smp: CPU with APIC ID %u %s; carrying on with the boot CPU alone\n",
		apic_id, why);
}

/* Every enabled AP is listed even when none is to be started: smp_park() sends each
 * one INIT, so none is left in a firmware loop in memory the image overwrites. */
unsigned smp_start(const struct boot_info *bi, uint32_t max_cpus)
{
	uint64_t base = rdmsr(MSR_APIC_BASE), page;
	size_t len = (size_t)(ap_boot_end - ap_boot_start);
	unsigned naps, disabled;
	uint8_t *stacks;

	st.ncpu = 1;
	if (!(base & APIC_BASE_EN)) {
		kprintf("smp: the local APIC is disabled; the boot CPU alone\n");
		return 1;
	}
	st.x2apic = base & APIC_BASE_EXTD;
	st.apic_mmio = base & APIC_BASE_ADDR;
	st.cpu[0] = (struct cpu){ .apic_id = bsp_apic_id(), .state = CPU_ALIVE };
	st.nlisted = list_aps(st.cpu[0].apic_id, &disabled);
	naps = st.nlisted;
	if (max_cpus <= 1 || !naps) {
		kprintf("smp: the boot CPU alone (%s; %u other CPUs enabled, %u absent)\n",
			max_cpus <= 1 ? "thaw.smp" : "no other CPU in the MADT", st.nlisted,
			disabled);
		return 1;
	}
	if (naps > max_cpus - 1)
		naps = max_cpus - 1;
	page = pick_low_page(bi);
	stacks = pmm_alloc_bytes((uint64_t)naps * AP_STACK_SIZE);
	if (!page || !stacks || len > AP_ARGS_OFF) {
		kprintf("smp: no start-up page below 1 MiB or no memory for stacks; the boot "
			"CPU alone\n");
		return 1;
	}
	memcpy((void *)(uintptr_t)page, ap_boot_start, len);
	smp_eoi_mmio = st.x2apic ? 0 : st.apic_mmio + XAPIC_EOI;
	idt_set_interrupt(WAKE_VECTOR, ap_wake_isr);
	idt_set_interrupt(SPURIOUS_VECTOR, ap_spurious_isr);
	struct ap_boot_args *a = (struct ap_boot_args *)(uintptr_t)(page + AP_ARGS_OFF);
	for (unsigned i = 1; i <= naps; i++) {
		struct cpu *c = &st.cpu[i];

		fill_args(a);
		a->stack_top = (uint64_t)(uintptr_t)(stacks + (uint64_t)i * AP_STACK_SIZE);
		a->arg = (uint64_t)(uintptr_t)c;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		st.nstarted = i;
		start_ap(c->apic_id, page);
		if (!wait_state(c, CPU_ALIVE, AP_START_MS)) {
			fall_back("did not start within 1000 ms", c->apic_id);
			return 1;
		}
	}
	st.ncpu = naps + 1;
	kprintf("smp: %u CPUs (%s, start-up page 0x%llx; %u enabled CPUs left idle, %u absent)\n",
		st.ncpu, st.x2apic ? "x2APIC" : "xAPIC", (unsigned long long)page,
		st.nlisted - naps, disabled);
	return st.ncpu;
}

unsigned smp_cpus(void)
{
	return st.ncpu ? st.ncpu : 1;
}

void smp_park(void)
{
	__atomic_store_n(&st.quit, 1, __ATOMIC_RELEASE);
	wake(true);                     /* a halted AP must see quit to report parked */
	for (unsigned i = 1; i <= st.nlisted; i++) {
		struct cpu *c = &st.cpu[i];

		if (i <= st.nstarted && c->state == CPU_ALIVE)
			wait_state(c, CPU_PARKED, PARK_MS);
		send_init(c->apic_id);
		c->state = CPU_OFF;
	}
	st.nstarted = st.nlisted = 0;
	st.ncpu = 1;
}

void smp_get_stats(struct smp_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->cpus = smp_cpus();
	s->wakes = st.wakes;
	for (unsigned i = 0; i < SMP_MAX_CPUS; i++)
		s->work_ns[i] = st.cpu[i].work_ns;
}
