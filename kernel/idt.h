/* The IDT: every CPU exception (vectors 0-31) ends in a full report, never silently. */
#ifndef THAW_IDT_H
#define THAW_IDT_H

void idt_init(void);

#endif
