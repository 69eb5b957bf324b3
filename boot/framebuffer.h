/* The loader's display, mapped where it is (boot/paging.c) and handed to lib/screen.c. */
#ifndef BOOT_FRAMEBUFFER_H
#define BOOT_FRAMEBUFFER_H

#include "boot/bootinfo.h"

/* BSP, once: maps the framebuffer (write-combining where the CPU has PAT) and starts the
 * screen on it, or says on the serial line why the screen stays off. */
void framebuffer_start(const struct boot_info *b);
/* Every other CPU, before it prints: the same PAT as the BSP (SDM Vol. 3A 13.12.4: the
 * processors sharing page tables must agree on it). */
void framebuffer_init_cpu(void);

#endif
