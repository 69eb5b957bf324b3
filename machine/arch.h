/*
 * The few facts that differ between the i386 and amd64 builds, for C code.
 * Everything else is written once for both.
 */
#ifndef MACHINE_ARCH_H
#define MACHINE_ARCH_H

#include <stdint.h>

#include "machine/layout.h"

#ifdef __x86_64__
#define ARCH_NAME "amd64"
#define ARCH_IS_64BIT 1
#define SEL_KERNEL_CODE SEL_CODE64
/* General-purpose registers in the order the entry stubs and VM-exit code save them. */
struct gprs {
	uintptr_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uintptr_t r8, r9, r10, r11, r12, r13, r14, r15;
};
#else
#define ARCH_NAME "i386"
#define ARCH_IS_64BIT 0
#define SEL_KERNEL_CODE SEL_CODE32
struct gprs {
	uintptr_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
};
#endif

#endif
