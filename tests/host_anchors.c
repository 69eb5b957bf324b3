/*
 * Stand-ins for what the kernel's assembly and descriptor tables provide, so that the
 * judging code (experiments/judge.c) links on the host: distinct addresses for the
 * anchors and two stub tables of 16-byte handlers.
 */
#include <stdint.h>

#include "machine/layout.h"
#include "machine/trap.h"

const char after_hlt[4], after_iret[4], after_vmcall[4], after_vmcall_next[4], vmexit_entry[4];
const char vmcall_instruction[4], halt_window[4], faulting_iret[4], after_faulting_iret[4], page_iret[4], after_page_iret[4];
const char iret_instruction[4], after_stgi[4], after_int2[4];

static const char host_stubs[256 * ISR_STUB_SIZE], guest_stubs[256 * ISR_STUB_SIZE];

uintptr_t host_handler_address(unsigned vector)
{
	return (uintptr_t)host_stubs + vector * ISR_STUB_SIZE;
}

uintptr_t guest_handler_address(unsigned vector)
{
	return (uintptr_t)guest_stubs + vector * ISR_STUB_SIZE;
}
