/* The 80x25 EGA/VGA text screen (BIOS boots; GRUB's "EGA text" framebuffer). */
#ifndef THAW_VGA_TEXT_H
#define THAW_VGA_TEXT_H
#include <stdint.h>

void vga_text_init(uint64_t addr, uint32_t cols, uint32_t rows);
void vga_text_putc(char c);

#endif
