/* Text on a linear RGB framebuffer (GRUB's framebuffer tag, type 1), e.g. UEFI GOP. */
#ifndef THAW_FB_CONSOLE_H
#define THAW_FB_CONSOLE_H
#include <stdbool.h>
#include <stdint.h>

/* false when the mode is unusable (bpp other than 16/24/32, too small). */
bool fb_console_init(uint64_t addr, uint32_t pitch, uint32_t width, uint32_t height,
		     uint8_t bpp);
void fb_console_putc(char c);

#endif
