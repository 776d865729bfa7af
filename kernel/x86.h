/* x86_64 architectural constants thaw uses from both C and nasm: control-register
 * and EFER bits, MSR numbers, CPUID feature bits, page-table entry bits. The Makefile
 * turns this header into $(BUILD)/gen/kernel/x86.inc, so every value is a plain
 * integer expression (C suffixes are dropped for nasm). Layout only. */
#ifndef THAW_X86_H
#define THAW_X86_H

/* Control registers (Intel SDM Vol. 3A §2.5). */
#define CR0_PE          (1u << 0)       /* protected mode */
#define CR0_MP          (1u << 1)       /* monitor coprocessor (set with SSE, §14.1.3) */
#define CR0_EM          (1u << 2)       /* x87 emulation: must be clear for SSE */
#define CR0_TS          (1u << 3)       /* task switched: clear, or SSE faults */
#define CR0_WP          (1u << 16)      /* write protect in ring 0 */
#define CR0_PG          (1u << 31)      /* paging */
#define CR4_PAE         (1u << 5)
#define CR4_PGE         (1u << 7)       /* global pages */
#define CR4_LA57        (1u << 12)      /* 5-level paging */
#define CR4_PCIDE       (1u << 17)      /* process-context identifiers */
#define CR4_OSFXSR      (1u << 9)       /* SSE instructions allowed (crypto/aes_ni.c) */
#define CR4_OSXMMEXCPT  (1u << 10)      /* SIMD floating-point exceptions as #XM */

/* MSRs (Intel SDM Vol. 4 Table 2-2) and their bits. */
#define MSR_APIC_BASE   0x1Bu
#define APIC_BASE_EXTD  (1u << 10)      /* x2APIC mode */
#define APIC_BASE_EN    (1u << 11)      /* APIC globally enabled */
#define APIC_BASE_ADDR  0xfffff000u     /* xAPIC MMIO base, bits 12-31 */
#define MSR_X2APIC_LVT_TIMER 0x832u
#define MSR_X2APIC_TMICT     0x838u
#define MSR_EFER        0xC0000080u
#define EFER_LME        (1u << 8)       /* long mode enable */
#define EFER_NXE        (1u << 11)      /* execute-disable bit usable in page tables */

/* CPUID (Intel SDM Vol. 2A, CPUID): leaf 7 subleaf 0, and the extended leaves. */
#define CPUID_STRUCT_EXT   7u           /* structured extended feature flags */
#define CPUID_ECX_LA57     (1u << 16)   /* leaf 7 ECX: 5-level paging */
#define CPUID_EXT_MAX      0x80000000u  /* EAX = highest extended leaf */
#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EDX_NX       (1u << 20)
#define CPUID_EDX_PDPE1GB  (1u << 26)   /* 1 GiB pages */
#define CPUID_EDX_LM       (1u << 29)   /* long mode */

/* Page-table entries, 4- and 5-level paging (Intel SDM Vol. 3A §4.5, Tables 4-15…4-20). */
#define PTE_PRESENT     (1ull << 0)
#define PTE_WRITE       (1ull << 1)
#define PTE_PWT         (1ull << 3)
#define PTE_PCD         (1ull << 4)
#define PTE_LARGE       (1ull << 7)     /* PS: 2 MiB in a PD entry, 1 GiB in a PDPT entry */
#define PTE_ADDR        0x000ffffffffff000ull
#define PAGE_SIZE_4K    0x1000ull
#define PAGE_SIZE_2M    0x200000ull
#define PAGE_SIZE_1G    0x40000000ull
#define PT_ENTRIES      512             /* entries per table, every level */

#endif
