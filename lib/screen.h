/*
 * The results on the screen, for machines without a serial port: the console mirrors the
 * lines that matter (verdicts, summary, exit status, bail-outs, the banner's first lines)
 * on VGA/EGA text or a linear framebuffer. The serial line still gets everything.
 */
#ifndef LIB_SCREEN_H
#define LIB_SCREEN_H

#include <stdbool.h>

struct boot_info;

/* Takes the display the loader described (or prints on serial why there is none).
 * Until then the screen is off and screen_write_line does nothing. */
void screen_init(const struct boot_info *b);
/* Whether a line (no '\n') belongs in the results view. */
bool screen_line_wanted(const char *line);
/* Shows one line (no '\n'), cut at the screen's width; scrolls when the screen is full.
 * Called by console_write under the console lock; takes no lock itself. */
void screen_write_line(const char *line);

#endif
