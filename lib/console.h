/* The serial console (16550 UART). Output only: the hypervisor reads nothing back. */
#ifndef LIB_CONSOLE_H
#define LIB_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/ports.h"

#define DEFAULT_BAUD 115200

void console_init(uint16_t port, uint32_t baud);
/* Whether a UART answered at the port (else serial output is dropped, the screen stays). */
bool console_has_uart(void);
/* Sends the output to the UART at port too (for an error that must show on two ports);
 * returns whether it answers. */
bool console_also(uint16_t port, uint32_t baud);
/*
 * How often CPU `cpu_index` has begun or finished a console write: odd while it is
 * writing. The watchdog counts this as progress, because one write can take long (a
 * screen scroll redraws the whole framebuffer, a slow baud rate drains slowly).
 */
unsigned console_activity(unsigned cpu_index);
/* Waits until the UART has sent every byte (LSR bit 6), so nothing is lost at power-off. */
void console_drain(void);

#endif
