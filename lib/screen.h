/*
 * The results on the screen, for machines without a serial port: the console mirrors the
 * lines that matter (verdicts, summary, exit status, bail-outs, the banner's first lines)
 * on VGA/EGA text or a linear framebuffer. The serial line still gets everything.
 */
#ifndef LIB_SCREEN_H
#define LIB_SCREEN_H

#include <stdbool.h>
#include <stdint.h>

/* The multiboot2 framebuffer info tag (type 8). */
enum fb_type { FB_INDEXED = 0, FB_RGB = 1, FB_EGA_TEXT = 2 };

struct framebuffer {
	uint64_t addr;
	uint32_t pitch, width, height;  /* pitch in bytes; EGA text: width and height in characters */
	uint8_t bpp, type;              /* enum fb_type */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;  /* FB_RGB only */
};


/*
 * Takes the display the loader described (0: none), mapped at `base` (boot/framebuffer.c)
 * with `mapping` saying how ("write-combining"); base 0 means it could not be mapped and
 * `mapping` says why. Writes into report what the screen shows, or why it stays off (the
 * caller prints it). Until then the screen is off and screen_write_line does nothing.
 */
void screen_init(const struct framebuffer *fb, uintptr_t base, const char *mapping, char *report, unsigned len);
/* Whether a line (no '\n') belongs in the results view. */
bool screen_line_wanted(const char *line);
/* Shows one line (no '\n'), cut at the screen's width; scrolls when the screen is full.
 * Called by the console (lib/console.c) under its lock; takes no lock itself. */
void screen_write_line(const char *line);

#endif
