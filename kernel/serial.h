/* COM1, the 16550 UART thaw's tests and users read first. */
#ifndef THAW_SERIAL_H
#define THAW_SERIAL_H
#include <stdbool.h>

void serial_init(void);
void serial_putc(char c);
int serial_getc_nowait(void);      /* -1 when nothing was received */

#endif
