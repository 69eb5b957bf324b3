#include "lib/console.h"

#include <stdarg.h>
#include <stdbool.h>

#include "machine/layout.h"

#include "lib/ports.h"
#include "lib/printf.h"
#include "lib/screen.h"
#include "lib/spinlock.h"
#include "machine/cpu.h"
#include "machine/x86.h"

/* The UARTs that answered: the console's port, and the one console_also() added. */
#define MAX_UARTS 2
static uint16_t uart_ports[MAX_UARTS];
static unsigned uart_count;
static struct spinlock console_lock = SPINLOCK_INIT;
/* The line being printed, for the screen's results view (lib/screen.c); longer lines
 * are cut. Under the console lock, like the UART. */
static char line[256];
static unsigned line_len;
static volatile unsigned activity[MAX_CPUS];

/*
 * A laptop without a COM port has nothing at 0x3f8: reads return 0xff. Without this
 * check every character would wait out the transmitter timeout; with it the run goes on
 * at full speed and the results still show on the screen.
 */
static bool uart_answers(uint16_t port)
{
	outb(port + UART_SCRATCH, 0xa5);
	if (inb(port + UART_SCRATCH) != 0xa5)
		return false;
	outb(port + UART_SCRATCH, 0x5a);
	return inb(port + UART_SCRATCH) == 0x5a && inb(port + UART_LSR) != 0xff;
}

/* Programs the UART at port for baud, 8N1, polled; returns whether it answers. */
static bool uart_init(uint16_t port, uint32_t baud)
{
	uint16_t divisor = (uint16_t)(baud ? UART_CLOCK / baud : 1);
	outb(port + UART_IER, 0);           /* polled: no UART interrupts */
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DATA, divisor & 0xff);
	outb(port + UART_IER, divisor >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE_AND_CLEAR);
	outb(port + UART_MCR, MCR_DTR_RTS);
	return uart_answers(port);
}

void console_init(uint16_t port, uint32_t baud)
{
	uart_count = 0;
	if (uart_init(port, baud))
		uart_ports[uart_count++] = port;
}

bool console_has_uart(void) { return uart_count > 0; }

bool console_also(uint16_t port, uint32_t baud)
{
	for (unsigned i = 0; i < uart_count; i++)
		if (uart_ports[i] == port)
			return true;
	if (uart_count == MAX_UARTS || !uart_init(port, baud))
		return false;
	uart_ports[uart_count++] = port;
	return true;
}

static void uart_putc(uint16_t port, char c)
{
	/* Bounded: a UART that stops draining must not hang the run. */
	for (unsigned spins = 0; spins < 1000000; spins++)
		if (inb(port + UART_LSR) & LSR_THR_EMPTY)
			break;
	outb(port + UART_DATA, (uint8_t)c);
}

static void uarts_putc(char c)
{
	for (unsigned i = 0; i < uart_count; i++)
		uart_putc(uart_ports[i], c);
}

/* The lock owner is the stack area, which identifies the CPU. */
static uintptr_t console_owner_id(void)
{
	return read_sp() >> CPU_AREA_SHIFT;
}

/* Collects a line and hands it to the screen when it is complete and wanted there. */
static void line_putc(char c)
{
	if (c != '\n') {
		if (line_len < sizeof(line) - 1)
			line[line_len++] = c;
		return;
	}
	line[line_len] = 0;
	line_len = 0;
	if (screen_line_wanted(line))
		screen_write_line(line);
}

unsigned console_activity(unsigned cpu_index)
{
	return cpu_index < MAX_CPUS ? activity[cpu_index] : 0;
}

static void count_activity(void)
{
	unsigned cpu = this_cpu()->index;
	if (cpu < MAX_CPUS)
		activity[cpu]++;
}

/* Writes a string ("\n" becomes "\r\n"); whole, under the console lock. Complete lines
 * that belong in the results view are also shown on the screen (lib/screen.h). */
static void console_write(const char *s)
{
	int taken = spin_lock(&console_lock, console_owner_id());
	if (taken)
		count_activity();
	for (; *s; s++) {
		if (*s == '\n')
			uarts_putc('\r');
		uarts_putc(*s);
		line_putc(*s);
	}
	if (taken)
		count_activity();
	spin_unlock(&console_lock, taken);
}

void console_drain(void)
{
	for (unsigned i = 0; i < uart_count; i++)
		for (unsigned spins = 0; spins < 1000000; spins++)
			if (inb(uart_ports[i] + UART_LSR) & LSR_TRANSMITTER_IDLE)
				break;
}

int vprintf(const char *fmt, va_list ap)
{
	char line[512];
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	console_write(line);
	if (n >= (int)sizeof(line))
		console_write("...[truncated]\n");
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
