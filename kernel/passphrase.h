/* Reading a passphrase at every console (PS/2 keyboard and serial): nothing echoed
 * but '*', Backspace edits, Enter ends, Esc or an empty line gives up. */
#ifndef THAW_PASSPHRASE_H
#define THAW_PASSPHRASE_H
#include <stddef.h>
#include <stdint.h>

/* The passphrase into buf[cap] (not NUL-terminated): its length, or -1 when the user
 * gave up (Esc, empty line) or nothing was typed for timeout_ms. */
int passphrase_read(char *buf, size_t cap, uint64_t timeout_ms);

#endif
