/*
 * The I/O ports that lib/ and the boot path's assembly (boot/requirements.S, which
 * reports a missing CPU feature before any C runs) both drive: COM1's 16550 UART and
 * the ports that end a run under an emulator. Free of C, so that .S files include it.
 */
#ifndef LIB_PORTS_H
#define LIB_PORTS_H

#define COM1_PORT 0x3f8

/* The 16550's registers, as offsets from its port, and the bits this code uses. */
#define UART_DATA            0   /* with LCR_DLAB: the divisor's low byte */
#define UART_IER             1   /* with LCR_DLAB: the divisor's high byte */
#define UART_FCR             2
#define UART_LCR             3
#define UART_MCR             4
#define UART_LSR             5
#define UART_SCRATCH         7
#define LSR_THR_EMPTY        0x20
#define LSR_TRANSMITTER_IDLE 0x40
#define LCR_DLAB             0x80
#define LCR_8N1              0x03
#define FCR_ENABLE_AND_CLEAR 0x07  /* enable and clear the FIFOs */
#define MCR_DTR_RTS          0x03
#define UART_CLOCK           115200  /* the baud rate of divisor 1 */

/* QEMU's isa-debug-exit device (the status is written there) and Bochs's shutdown port
 * (the word "Shutdown", a byte at a time). */
#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT  0x8900

#endif
