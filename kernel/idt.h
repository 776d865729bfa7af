/* The IDT: every CPU exception (vectors 0-31) ends in a full report, never silently;
 * vectors 32-255 are there for the few interrupts thaw's idle APs take. */
#ifndef THAW_IDT_H
#define THAW_IDT_H

void idt_init(void);

/* Point vector (32-255) at handler through an interrupt gate. Only the idle APs ever
 * take an interrupt (kernel/smp.c); every other vector stays not present. */
void idt_set_interrupt(unsigned vector, void (*handler)(void));

#endif
