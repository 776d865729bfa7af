/* The console: every character goes to COM1 and, once console_init() has seen the
 * boot information, to the screen; kprintf/ksnprintf format through kernel/format.c. */
#include <stdbool.h>
#include <stdint.h>
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/fb_console.h"
#include "kernel/format.h"
#include "kernel/io.h"
#include "kernel/serial.h"
#include "kernel/timer.h"
#include "kernel/vga_text.h"

#define VGA_TEXT_BASE	0xB8000
#define FB_TYPE_RGB	1
#define FB_TYPE_EGA	2
#define LOW_4G		(1ull << 32)
#define PS2_STATUS	0x64
#define PS2_DATA	0x60
#define PS2_OUT_FULL	0x01
#define PS2_AUX_DATA	0x20    /* the byte came from the mouse */

static struct {
	bool vga;               /* EGA/VGA text cells */
	bool fb;                /* RGB framebuffer */
	uint64_t print_ns;      /* inside kvprintf */
	uint64_t screen_ns;     /* of that, drawing on the screen */
	bool shift;             /* a Shift key is held (i8042 make/break codes) */
	const char *keys;       /* keys the EFI stub read through the firmware, unread */
	uint32_t key_count;
} con;

void console_init_early(void)
{
	serial_init();
}

/* Only draw where the loader says a screen is: GRUB under BIOS reports EGA text, under
 * UEFI an RGB framebuffer (GOP); with no framebuffer tag, 0xB8000 is assumed only when
 * not booted through UEFI. A framebuffer must lie in boot/entry.asm's identity map
 * (below 4 GiB): the screen comes up before the allocator that could map more. */
void console_init(const struct boot_info *bi)
{
	const typeof(bi->fb) *f = &bi->fb;

	con.keys = bi->keys;
	con.key_count = bi->key_count;

	if (bi->has_fb && f->type == FB_TYPE_EGA) {
		vga_text_init(f->addr, f->width, f->height);
		con.vga = true;
	} else if (bi->has_fb && f->type == FB_TYPE_RGB) {
		if (f->addr + (uint64_t)f->pitch * f->height <= LOW_4G)
			con.fb = fb_console_init(f->addr, f->pitch, f->width, f->height, f->bpp);
		kprintf("console: framebuffer %ux%u-%u pitch %u at 0x%llx%s\n", f->width,
			f->height, f->bpp, f->pitch, (unsigned long long)f->addr,
			con.fb ? "" : " unusable; serial only");
	} else if (!bi->has_fb && !bi->efi_system_table) {
		vga_text_init(VGA_TEXT_BASE, 80, 25);
		con.vga = true;
	}
}

void console_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
	if (!con.vga && !con.fb)
		return;
	uint64_t t0 = timer_ns();
	if (con.vga)
		vga_text_putc(c);
	if (con.fb)
		fb_console_putc(c);
	con.screen_ns += timer_ns() - t0;
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_putc(s[i]);
}

static void console_sink(void *ctx, char c)
{
	(void)ctx;
	console_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
	uint64_t t0 = timer_ns();
	int n = format_emit(console_sink, NULL, fmt, ap);

	con.print_ns += timer_ns() - t0;
	return n;
}

void console_times(uint64_t *print_ns, uint64_t *screen_ns)
{
	*print_ns = con.print_ns;
	*screen_ns = con.screen_ns;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* Scan-code set 1 make codes for the keys worth telling apart, with Shift (the
 * passphrase prompt needs capitals and symbols); any other key press reads as ' '
 * (IBM PC AT Technical Reference, keyboard scan codes). */
#define SC_LSHIFT 0x2a
#define SC_RSHIFT 0x36
#define SC_BREAK 0x80

static int scancode_to_char(uint8_t sc)
{
	static const char row[] = "\0\0331234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./";
	static const char shifted[] = "\0\033!@#$%^&*()_+\b\tQWERTYUIOP{}\n\0ASDFGHJKL:\"~\0|ZXCVBNM<>?";
	if ((sc & ~SC_BREAK) == SC_LSHIFT || (sc & ~SC_BREAK) == SC_RSHIFT) {
		con.shift = !(sc & SC_BREAK);
		return -1;
	}
	if (sc & SC_BREAK)
		return -1;              /* key release */
	if (sc < sizeof(row) - 1 && row[sc])
		return con.shift ? shifted[sc] : row[sc];
	return ' ';
}

int console_getc_nowait(void)
{
	int c;
	uint8_t st;

	if (con.key_count) {
		con.key_count--;
		return (unsigned char)*con.keys++;
	}
	c = serial_getc_nowait();
	if (c >= 0)
		return c;
	st = inb(PS2_STATUS);
	if (st == 0xFF || !(st & PS2_OUT_FULL))
		return -1;              /* no controller, or nothing waiting */
	c = inb(PS2_DATA);
	if (st & PS2_AUX_DATA)
		return -1;
	return scancode_to_char((uint8_t)c);
}

int console_wait_key(uint64_t timeout_ms)
{
	uint64_t end = timer_ms() + timeout_ms;

	do {
		int c = console_getc_nowait();
		if (c >= 0)
			return c;
		timer_delay_us(1000);
	} while (timer_ms() < end);
	return -1;
}
