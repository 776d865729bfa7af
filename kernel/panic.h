/* panic(): a broken invariant of thaw itself — never bad data from a disk. */
#ifndef THAW_PANIC_H
#define THAW_PANIC_H

__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...);

#endif
