/* How this kernel answers interrupts and unhandled exceptions (machine/trap.c calls it). */
#ifndef LIB_INTERRUPTS_H
#define LIB_INTERRUPTS_H

/* Installs the acknowledge and fatal hooks; the first thing start-up does, so that a
 * fault anywhere after it is reported instead of resetting the machine. */
void interrupts_init(void);

#endif
