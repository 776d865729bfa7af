/* COM1 16550 UART at 0x3F8, 115200 8N1, polled. Register use and init order as in
 * Linux arch/x86/boot/early_serial_console.c. */
#include <stdint.h>
#include "kernel/io.h"
#include "kernel/serial.h"

#define COM1		0x3F8
#define UART_DATA	0       /* THR/RBR; DLL when DLAB = 1 */
#define UART_IER	1       /* DLM when DLAB = 1 */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define MCR_DTR_RTS	0x03
#define LSR_DATA_READY	0x01
#define LSR_THR_EMPTY	0x20
#define BAUD_DIVISOR	1       /* 115200 / 115200 */
#define TX_SPIN_LIMIT	100000  /* a missing UART must not hang thaw */

static struct {
	bool present;
} serial;

void serial_init(void)
{
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_FCR, 0);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
	outb(COM1 + UART_LCR, LCR_8N1 | LCR_DLAB);
	outb(COM1 + UART_DATA, BAUD_DIVISOR & 0xff);
	outb(COM1 + UART_IER, BAUD_DIVISOR >> 8);
	outb(COM1 + UART_LCR, LCR_8N1);
	/* No UART decodes the port: reads float to 0xFF. */
	serial.present = inb(COM1 + UART_LSR) != 0xFF;
}

void serial_putc(char c)
{
	if (!serial.present)
		return;
	for (int i = 0; i < TX_SPIN_LIMIT; i++) {
		if (inb(COM1 + UART_LSR) & LSR_THR_EMPTY)
			break;
		cpu_relax();
	}
	outb(COM1 + UART_DATA, (uint8_t)c);
}

int serial_getc_nowait(void)
{
	if (!serial.present || !(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + UART_DATA);
}
