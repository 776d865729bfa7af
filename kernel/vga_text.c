/* Text-mode screen output: character/attribute cells at 0xB8000 (or where GRUB's
 * EGA-text framebuffer tag says), scrolling, no hardware cursor updates needed. */
#include <stdint.h>
#include <string.h>
#include "kernel/vga_text.h"

#define VGA_ATTR 0x07           /* light grey on black */

static struct {
	volatile uint16_t *cells;
	uint32_t cols, rows, x, y;
} vga;

void vga_text_init(uint64_t addr, uint32_t cols, uint32_t rows)
{
	vga.cells = (volatile uint16_t *)(uintptr_t)addr;
	vga.cols = cols;
	vga.rows = rows;
	vga.x = vga.y = 0;
	for (uint32_t i = 0; i < cols * rows; i++)
		vga.cells[i] = VGA_ATTR << 8 | ' ';
}

static void scroll(void)
{
	uint32_t n = vga.cols * (vga.rows - 1);

	for (uint32_t i = 0; i < n; i++)
		vga.cells[i] = vga.cells[i + vga.cols];
	for (uint32_t i = 0; i < vga.cols; i++)
		vga.cells[n + i] = VGA_ATTR << 8 | ' ';
	vga.y = vga.rows - 1;
}

void vga_text_putc(char c)
{
	if (!vga.cells)
		return;
	if (c == '\n') {
		vga.x = 0;
		vga.y++;
	} else if (c == '\r') {
		vga.x = 0;
	} else {
		vga.cells[vga.y * vga.cols + vga.x] = VGA_ATTR << 8 | (uint8_t)c;
		if (++vga.x == vga.cols) {
			vga.x = 0;
			vga.y++;
		}
	}
	if (vga.y >= vga.rows)
		scroll();
}
