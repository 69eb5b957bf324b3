/* The C side of every interrupt and exception, host or guest. */
#include "machine/trap.h"

#include "machine/anchors.h"
#include "machine/layout.h"
#include "machine/x86.h"

struct trap_hooks trap_hooks;

extern const struct fixup fixup_table_start[], fixup_table_end[];

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved (15)", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization exception",
	"#CP control protection",
};

const char *exception_name(unsigned vector)
{
	return vector < 32 && exception_names[vector] ? exception_names[vector] : "exception";
}

bool fixup_lookup(unsigned vector, uintptr_t rip, uintptr_t *resume_rip)
{
	for (const struct fixup *f = fixup_table_start; f < fixup_table_end; f++) {
		if (f->vector == vector && f->fault_rip == rip) {
			*resume_rip = f->resume_rip;
			return true;
		}
	}
	return false;
}

static void handle_exception(struct trap_frame *f)
{
	uintptr_t resume;
	if (trap_hooks.exception && trap_hooks.exception(f))
		return;
	if (fixup_lookup((unsigned)f->vector, f->rip, &resume)) {
		f->rip = resume;
		return;
	}
	if (trap_hooks.fatal)
		trap_hooks.fatal(f);
	halt_forever(); /* before start-up installed the fatal hook: nothing can print */
}

static void handle_interrupt(struct trap_frame *f)
{
	unsigned vector = (unsigned)f->vector;
	if (trap_hooks.acknowledge)
		trap_hooks.acknowledge(vector);
	if (trap_hooks.interrupt)
		trap_hooks.interrupt((unsigned)f->context, vector, f->rip);
}

/*
 * Leave the return address and the flags (IF clear) just below the interrupted stack
 * pointer, and tell the stub where they are and whether to STI before returning.
 * Read everything first: on i386 the two words overlap the CPU's own frame.
 */
static void prepare_iretless_return(struct trap_frame *f)
{
	uintptr_t rip = f->rip, flags = f->rflags;
	uintptr_t *sp = (uintptr_t *)f->interrupted_sp;
	sp[-1] = rip;
	sp[-2] = flags & ~(uintptr_t)RFLAGS_IF;
	f->resume_if = (flags & RFLAGS_IF) ? 1 : 0;
	f->resume_sp = (uintptr_t)(sp - 2);
}

void trap_dispatch(struct trap_frame *f)
{
	/* An event between a wait's "send now" and its HLT ends the wait as if it had
	 * woken the HLT (machine/<arch>/anchors.S, wait_halted_signalling). */
	if ((f->vector == VEC_NMI || f->vector >= 32) && in_halt_window(f->rip))
		f->rip = (uintptr_t)after_hlt;
	if (f->vector == VEC_NMI) {
		if (trap_hooks.nmi)
			trap_hooks.nmi((unsigned)f->context, f->rip);
	} else if (f->vector < 32) {
		handle_exception(f);
	} else {
		handle_interrupt(f);
	}
	prepare_iretless_return(f);
}
