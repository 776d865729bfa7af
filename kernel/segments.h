/* thaw's GDT selectors; boot/entry.asm builds the GDT from the nasm include the
 * Makefile generates from this header. They match Linux's layout
 * (arch/x86/include/asm/segment.h): the resumed kernel relies on CS = 0x10. */
#ifndef THAW_SEGMENTS_H
#define THAW_SEGMENTS_H

#define SEL_CODE32  0x08        /* Linux GDT_ENTRY_KERNEL32_CS * 8 */
#define SEL_CODE64  0x10        /* Linux __KERNEL_CS */
#define SEL_DATA    0x18        /* Linux __KERNEL_DS */
#define SEL_TSS     0x20        /* thaw's TSS (16-byte descriptor), for IST stacks */
#define GDT_ENTRIES 6           /* null, code32, code64, data, TSS (two slots) */

#endif
