/* Text console on a linear framebuffer: 8x16 glyphs (build/gen/font8x16.h, rendered
 * from GRUB's own font by scripts/gen_font.py), white on black. White is every colour
 * bit set, so the RGB field layout GRUB reports does not matter. Scrolling moves half
 * a screen at a time: one large copy per half screen of text instead of one per line,
 * which keeps output fast on uncached framebuffers and under QEMU's TCG. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "font8x16.h"           /* generated: $(BUILD)/gen */
#include "kernel/fb_console.h"

static struct {
	uint8_t *base;
	uint32_t pitch, bytes_pp;
	uint32_t cols, rows, x, y;
} fb;

bool fb_console_init(uint64_t addr, uint32_t pitch, uint32_t width, uint32_t height,
		     uint8_t bpp)
{
	if ((bpp != 16 && bpp != 24 && bpp != 32) || width < 8 * FONT_W || height < 4 * FONT_H ||
	    pitch < width * (bpp / 8))
		return false;
	fb.base = (uint8_t *)(uintptr_t)addr;
	fb.pitch = pitch;
	fb.bytes_pp = bpp / 8;
	fb.cols = width / FONT_W;
	fb.rows = height / FONT_H;
	fb.x = fb.y = 0;
	memset(fb.base, 0, (size_t)pitch * height);
	return true;
}

static void put_pixel(uint8_t *p, bool on)
{
	uint8_t v = on ? 0xFF : 0x00;

	for (uint32_t i = 0; i < fb.bytes_pp; i++)
		p[i] = v;
}

static void draw_glyph(uint32_t col, uint32_t row, char c)
{
	const uint8_t *g = font_glyphs['?' - FONT_FIRST];
	uint8_t *cell = fb.base + (size_t)row * FONT_H * fb.pitch + (size_t)col * FONT_W * fb.bytes_pp;

	if ((unsigned char)c >= FONT_FIRST && (unsigned char)c <= FONT_LAST)
		g = font_glyphs[(unsigned char)c - FONT_FIRST];
	for (uint32_t y = 0; y < FONT_H; y++)
		for (uint32_t x = 0; x < FONT_W; x++)
			put_pixel(cell + (size_t)y * fb.pitch + x * fb.bytes_pp, g[y] & (0x80 >> x));
}

static void scroll_half(void)
{
	uint32_t keep = fb.rows / 2, drop = fb.rows - keep;
	size_t line = (size_t)fb.pitch * FONT_H;

	memmove(fb.base, fb.base + drop * line, keep * line);
	memset(fb.base + keep * line, 0, drop * line);
	fb.y = keep;
}

void fb_console_putc(char c)
{
	if (!fb.base)
		return;
	if (c == '\n') {
		fb.x = 0;
		fb.y++;
	} else if (c == '\r') {
		fb.x = 0;
	} else {
		if (fb.x == fb.cols) {
			fb.x = 0;
			fb.y++;
		}
		if (fb.y >= fb.rows)
			scroll_half();
		draw_glyph(fb.x++, fb.y, c);
		return;
	}
	if (fb.y >= fb.rows)
		scroll_half();
}
