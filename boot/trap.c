/* The C side of every interrupt and exception, host or guest. */
#include "boot/trap.h"

#include "boot/cpu.h"
#include "boot/layout.h"
#include "lib/apic.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/timer.h"
#include "lib/x86.h"

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

static void dump_frame(const struct trap_frame *f)
{
	const struct gprs *r = &f->regs;
	printf("  rip=%#lx cs=%#lx rflags=%#lx error=%#lx sp=%#lx cr2=%#lx\n",
	       (unsigned long)f->rip, (unsigned long)f->cs, (unsigned long)f->rflags,
	       (unsigned long)f->error_code, (unsigned long)f->interrupted_sp,
	       (unsigned long)read_cr2());
	printf("  rax=%#lx rbx=%#lx rcx=%#lx rdx=%#lx\n  rsi=%#lx rdi=%#lx rbp=%#lx\n",
	       (unsigned long)r->rax, (unsigned long)r->rbx, (unsigned long)r->rcx,
	       (unsigned long)r->rdx, (unsigned long)r->rsi, (unsigned long)r->rdi,
	       (unsigned long)r->rbp);
}

static __attribute__((noreturn)) void fatal_trap(const struct trap_frame *f, const char *what)
{
	printf("FATAL: %s in %s on CPU %u (APIC ID %u)\n", what,
	       f->context == CTX_GUEST ? "guest" : "host", this_cpu()->index, this_cpu()->apic_id);
	dump_frame(f);
	platform_exit(STATUS_FAIL);
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
	fatal_trap(f, exception_name((unsigned)f->vector));
}

static void handle_interrupt(struct trap_frame *f)
{
	unsigned vector = (unsigned)f->vector;
	switch (vector) {
	case VEC_SPURIOUS:
		return; /* spurious interrupts take no EOI */
	case VEC_TIMER:
		apic_eoi();
		timer_on_interrupt();
		break;
	case VEC_INJECTED:
		break; /* delivered by VM entry, not by the APIC: no EOI */
	default:
		apic_eoi();
		break;
	}
	if (trap_hooks.interrupt)
		trap_hooks.interrupt((enum trap_context)f->context, vector, f->rip);
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
	if (f->vector == VEC_NMI) {
		if (trap_hooks.nmi)
			trap_hooks.nmi((enum trap_context)f->context, f->rip);
	} else if (f->vector < 32) {
		handle_exception(f);
	} else {
		handle_interrupt(f);
	}
	prepare_iretless_return(f);
}
