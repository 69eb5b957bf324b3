#include "experiments/places.h"

#include "guest/hypercall.h"
#include "lib/printf.h"
#include "machine/anchors.h"
#include "machine/layout.h"
#include "machine/trap.h"

/* The named anchors and where each is. */
static const struct {
	enum anchor anchor;
	const char *at;
} named[] = {
	{ AT_AFTER_HLT, after_hlt },
	{ AT_AFTER_IRET, after_iret },
	{ AT_AFTER_VMCALL, after_vmcall },
	{ AT_AFTER_VMCALL_NEXT, after_vmcall_next },
	{ AT_FIRET, faulting_iret },
	{ AT_AFTER_FIRET, after_faulting_iret },
	{ AT_PAGE_IRET, page_iret },
	{ AT_AFTER_PAGE_IRET, after_page_iret },
	{ AT_VMCALL, vmcall_instruction },
	{ AT_AFTER_STGI, after_stgi },
	{ AT_IRET, iret_instruction },
	{ AT_AFTER_INT2, after_int2 },
};
#define NAMED_COUNT (sizeof(named) / sizeof(named[0]))

/* Where a held NMI lands in the host after an exit: the backend's (VMX's by default). */
static const char *host_exit_entry = vmexit_entry;

void places_set_host_exit_entry(const char *address)
{
	host_exit_entry = address;
}

uintptr_t anchor_address(enum anchor a, uint8_t vector)
{
	if (a == AT_G_HANDLER)
		return guest_handler_address(vector);
	if (a == AT_H_HANDLER)
		return host_handler_address(vector);
	if (a == AT_HOST_EXIT_ENTRY)
		return (uintptr_t)host_exit_entry;
	for (unsigned i = 0; i < NAMED_COUNT; i++)
		if (named[i].anchor == a)
			return (uintptr_t)named[i].at;
	return 0;
}

static bool in_stub_table(uintptr_t rip, uintptr_t (*handler)(unsigned), uint8_t *vector)
{
	uintptr_t base = handler(0);
	if (rip < base || rip >= handler(255) + ISR_STUB_SIZE || (rip - base) % ISR_STUB_SIZE)
		return false;
	*vector = (uint8_t)((rip - base) / ISR_STUB_SIZE);
	return true;
}

enum anchor anchor_of(uintptr_t rip, uint8_t *vector)
{
	*vector = 0;
	if (rip == (uintptr_t)host_exit_entry)
		return AT_HOST_EXIT_ENTRY;
	for (unsigned i = 0; i < NAMED_COUNT; i++)
		if (rip == (uintptr_t)named[i].at)
			return named[i].anchor;
	if (in_stub_table(rip, guest_handler_address, vector))
		return AT_G_HANDLER;
	if (in_stub_table(rip, host_handler_address, vector))
		return AT_H_HANDLER;
	return AT_ELSEWHERE;
}

const char *describe_rip(uintptr_t rip, char *buf, unsigned len)
{
	uint8_t vector;
	enum anchor a = anchor_of(rip, &vector);
	if (a == AT_G_HANDLER || a == AT_H_HANDLER)
		snprintf(buf, len, "%#lx (%s handler %#x entry)", (unsigned long)rip, a == AT_G_HANDLER ? "guest" : "host",
			 vector);
	else if (a == AT_ELSEWHERE)
		snprintf(buf, len, "%#lx", (unsigned long)rip);
	else
		snprintf(buf, len, "%#lx (%s)", (unsigned long)rip, anchor_name(a));
	return buf;
}
