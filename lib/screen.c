/*
 * The results view on the screen: EGA/VGA text (BIOS: GRUB keeps 80x25 text mode) or a
 * linear RGB framebuffer (UEFI) drawn with the 8x16 font that scripts/psf2c generates.
 * A grid of text rows is the only state; the display is drawn from it and never read
 * back (reading video memory is slow). When the grid is full, its oldest quarter scrolls
 * away and the whole screen is redrawn, so a long run costs about four rows per line.
 */
#include "lib/screen.h"

#include <stdbool.h>
#include <stdint.h>

#include "lib/printf.h"
#include "lib/string.h"
#include "machine/x86.h"

#define GLYPH_W 8
#define GLYPH_H 16
#define FONT_FIRST 32
#define FONT_LAST 126
#define MAX_COLS 256
#define MAX_ROWS 100
#define VGA_CRTC_INDEX 0x3d4
#define VGA_CRTC_DATA 0x3d5
#define VGA_CURSOR_START 0x0a
#define VGA_CURSOR_OFF 0x20

extern const unsigned char font8x16[FONT_LAST - FONT_FIRST + 1][GLYPH_H];  /* build/font8x16.c */

/* VGA text attributes: light grey, light green, light red, yellow, white on black. */
enum { GREY = 0x07, GREEN = 0x0a, RED = 0x0c, YELLOW = 0x0e, WHITE = 0x0f };

static const struct { const char *prefix; uint8_t color; } wanted[] = {
	{ "ok ", GREEN },
	{ "not ok ", RED },          /* yellow with "# TODO": a known deviation */
	{ "SUMMARY:", WHITE },
	{ "EXIT:", WHITE },
	{ "Bail out!", RED },
	{ "nmi-lab ", WHITE },
	{ "Boot:", GREY },
	{ "CPU:", GREY },
	{ "Platform:", GREY },
	{ "VMX: not available", GREY },
	{ "Serial:", GREY },         /* where the log goes, or that it goes nowhere */
};

enum mode { OFF, TEXT, PIXELS };

static struct {
	enum mode mode;
	uint8_t *base;
	uint32_t pitch, width, height;  /* height and width in pixels (PIXELS only) */
	unsigned bytes_pp, scale;       /* PIXELS: bytes per pixel, glyph magnification */
	unsigned cols, rows, used;      /* the text grid, and how many rows hold lines */
	uint32_t pixel[16];             /* PIXELS: VGA colour -> pixel value */
} scr;

static struct row {
	char text[MAX_COLS];      /* NUL-padded */
	uint8_t color[MAX_COLS];  /* per character: a row of verdict cells has several */
} grid[MAX_ROWS];

/*
 * On a small screen (80x25 text) whole TAP lines would scroll the first verdicts away,
 * so each verdict becomes a cell, "17 todo", several to a row; other lines stay whole.
 */
#define COMPACT_BELOW_ROWS 40
#define CELL_WIDTH 10
static struct {
	bool open;         /* the last row holds cells and has room for more */
	unsigned cells;
} compact;

static int find_wanted(const char *line)
{
	for (unsigned i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (strncmp(line, wanted[i].prefix, strlen(wanted[i].prefix)) == 0)
			return (int)i;
	return -1;
}

bool screen_line_wanted(const char *line)
{
	return find_wanted(line) >= 0;
}

static bool contains(const char *s, const char *part)
{
	for (size_t n = strlen(part); *s; s++)
		if (strncmp(s, part, n) == 0)
			return true;
	return false;
}

/* The standard VGA palette: bit 3 intensity, bits 2..0 red, green, blue. */
static uint32_t rgb_pixel(const struct framebuffer *fb, unsigned vga)
{
	unsigned bright = vga & 8 ? 0x55 : 0;
	unsigned r = (vga & 4 ? 0xaa : 0) + bright, g = (vga & 2 ? 0xaa : 0) + bright,
		 b = (vga & 1 ? 0xaa : 0) + bright;
	if (vga == 6)
		g = 0x55;  /* brown, not dark yellow */
	return (r >> (8 - fb->red_size) << fb->red_pos) | (g >> (8 - fb->green_size) << fb->green_pos) |
	       (b >> (8 - fb->blue_size) << fb->blue_pos);
}

static void put_pixel(uint8_t *p, uint32_t v)
{
	switch (scr.bytes_pp) {
	case 4: *(volatile uint32_t *)p = v; break;
	case 3: p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16); break;
	case 2: *(volatile uint16_t *)p = (uint16_t)v; break;
	}
}

static void draw_glyph(unsigned row, unsigned col, char c, uint8_t color)
{
	const unsigned char *glyph = font8x16[(c >= FONT_FIRST && c <= FONT_LAST ? c : '?') - FONT_FIRST];
	unsigned s = scr.scale;
	uint8_t *line = scr.base + (uintptr_t)row * GLYPH_H * s * scr.pitch + col * GLYPH_W * s * scr.bytes_pp;
	for (unsigned y = 0; y < GLYPH_H * s; y++, line += scr.pitch) {
		uint8_t *p = line;
		for (unsigned x = 0; x < GLYPH_W * s; x++, p += scr.bytes_pp)
			put_pixel(p, glyph[y / s] & (0x80 >> (x / s)) ? scr.pixel[color] : scr.pixel[0]);
	}
}

static void draw_row(unsigned r)
{
	const struct row *row = &grid[r];
	for (unsigned col = 0; col < scr.cols; col++) {
		char c = row->text[col] ? row->text[col] : ' ';
		uint8_t color = row->color[col];
		if (scr.mode == TEXT)
			((volatile uint16_t *)(scr.base + r * scr.pitch))[col] = (uint16_t)(color << 8 | (uint8_t)c);
		else
			draw_glyph(r, col, c, color);
	}
}

static uint8_t line_color(const char *line)
{
	int w = find_wanted(line);
	if (contains(line, " # TODO"))
		return YELLOW;
	if (contains(line, " # SKIP"))
		return GREY;
	return w < 0 ? GREY : wanted[w].color;
}

/* A fresh row at the bottom, scrolling the oldest quarter away when the grid is full. */
static struct row *new_row(void)
{
	if (scr.used == scr.rows) {
		unsigned step = scr.rows / 4 ? scr.rows / 4 : 1;
		memmove(grid, grid + step, (scr.rows - step) * sizeof(grid[0]));
		memset(grid + scr.rows - step, 0, step * sizeof(grid[0]));
		scr.used -= step;
		for (unsigned r = 0; r < scr.rows; r++)
			draw_row(r);
	}
	struct row *row = &grid[scr.used++];
	memset(row, 0, sizeof(*row));
	return row;
}

static void put_text(struct row *row, unsigned col, const char *text, unsigned len, uint8_t color)
{
	for (unsigned i = 0; i < len && col + i < scr.cols && text[i]; i++) {
		char c = text[i];
		row->text[col + i] = c >= FONT_FIRST && c <= FONT_LAST ? c : ' ';
		row->color[col + i] = color;
	}
}

/* "ok 17 - ..." or "not ok 17 - ...": the experiment's number, or 0 for other lines. */
static unsigned verdict_number(const char *line)
{
	const char *p = !strncmp(line, "ok ", 3) ? line + 3 : !strncmp(line, "not ok ", 7) ? line + 7 : 0;
	unsigned n = 0;
	while (p && *p >= '0' && *p <= '9')
		n = n * 10 + (unsigned)(*p++ - '0');
	return p && *p == ' ' ? n : 0;
}

static void write_cell(unsigned number, const char *line)
{
	uint8_t color = line_color(line);
	const char *word = color == YELLOW ? "todo" : color == GREY ? "skip" : line[0] == 'o' ? "ok" : "FAIL";
	if (!compact.open || compact.cells == scr.cols / CELL_WIDTH) {
		new_row();
		compact.open = true;
		compact.cells = 0;
	}
	char cell[CELL_WIDTH + 1];
	int n = snprintf(cell, sizeof(cell), "%2u %s", number, word);
	put_text(&grid[scr.used - 1], compact.cells++ * CELL_WIDTH, cell, (unsigned)n, color);
	draw_row(scr.used - 1);
}

void screen_write_line(const char *line)
{
	if (scr.mode == OFF)
		return;
	unsigned number = verdict_number(line);
	if (number && scr.rows < COMPACT_BELOW_ROWS && scr.cols >= CELL_WIDTH) {
		write_cell(number, line);
		return;
	}
	compact.open = false;
	struct row *row = new_row();
	put_text(row, 0, line, scr.cols, line_color(line));
	draw_row(scr.used - 1);
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* Fills in scr for the loader's display, or says why it cannot be used. */
static enum mode setup(const struct framebuffer *fb, uintptr_t base, const char **why)
{
	scr.base = (uint8_t *)base;
	scr.pitch = fb->pitch;
	if (fb->type == FB_EGA_TEXT) {
		if (!scr.pitch)
			scr.pitch = fb->width * 2;  /* a character and its attribute byte */
		scr.cols = min_u(fb->width, MAX_COLS);
		scr.rows = min_u(fb->height, MAX_ROWS);
		return TEXT;
	}
	if (fb->type != FB_RGB) {
		*why = "it has a palette, not RGB pixels";
		return OFF;
	}
	if ((fb->bpp != 32 && fb->bpp != 24 && fb->bpp != 16) ||
	    fb->red_size > 8 || fb->green_size > 8 || fb->blue_size > 8) {
		*why = "only 16, 24 and 32 bits per pixel, up to 8 per colour, are supported";
		return OFF;
	}
	scr.width = fb->width;
	scr.height = fb->height;
	scr.bytes_pp = fb->bpp / 8;
	/* Magnify the glyphs on big screens so they stay readable (1 up to 2559x1439). */
	scr.scale = min_u(fb->width / 1280, fb->height / 720);
	if (scr.scale == 0)
		scr.scale = 1;
	scr.cols = min_u(fb->width / (GLYPH_W * scr.scale), MAX_COLS);
	scr.rows = min_u(fb->height / (GLYPH_H * scr.scale), MAX_ROWS);
	for (unsigned i = 0; i < 16; i++)
		scr.pixel[i] = rgb_pixel(fb, i);
	return PIXELS;
}

void screen_init(const struct framebuffer *fb, uintptr_t base, const char *mapping, char *report, unsigned len)
{
	const char *why = "smaller than one character";
	if (!fb) {
		snprintf(report, len, "screen: off: the boot loader described no display");
		return;
	}
	enum mode mode = OFF;
	if (!base)
		why = mapping;
	else
		mode = setup(fb, base, &why);
	if (mode == OFF || scr.rows == 0 || scr.cols == 0) {
		snprintf(report, len, "screen: off: cannot use the framebuffer at %#llx (%ux%u, %u bpp, type %u): %s",
			 (unsigned long long)fb->addr, fb->width, fb->height, fb->bpp, fb->type, why);
		return;
	}
	if (mode == TEXT)
		snprintf(report, len, "screen: %ux%u text at %#llx", scr.cols, scr.rows, (unsigned long long)fb->addr);
	else
		snprintf(report, len, "screen: %ux%u, %u bpp at %#llx, mapped at %#lx, %s: %ux%u characters",
			 fb->width, fb->height, fb->bpp, (unsigned long long)fb->addr, (unsigned long)base, mapping,
			 scr.cols, scr.rows);
	if (mode == PIXELS) {
		for (uint32_t y = 0; y < scr.height; y++)
			for (uint32_t x = 0; x < scr.width; x++)
				put_pixel(scr.base + (uintptr_t)y * scr.pitch + x * scr.bytes_pp, 0);
	} else {
		outb(VGA_CRTC_INDEX, VGA_CURSOR_START);  /* hide the blinking cursor */
		outb(VGA_CRTC_DATA, VGA_CURSOR_OFF);
	}
	scr.mode = mode;
	for (unsigned r = 0; r < scr.rows; r++)
		draw_row(r);
}
