#include "lib/interrupts.h"

#include "lib/apic.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/timer.h"
#include "machine/cpu.h"
#include "machine/layout.h"
#include "machine/trap.h"
#include "machine/x86.h"

/* The LAPIC wants an EOI for what it delivered; VM entry's injected vector did not come
 * from it, and spurious interrupts take none (SDM Vol. 3A 11.9). */
static void acknowledge(unsigned vector)
{
	switch (vector) {
	case VEC_SPURIOUS:
	case VEC_INJECTED:
		return;
	case VEC_TIMER:
		apic_eoi();
		timer_on_interrupt();
		return;
	default:
		apic_eoi();
	}
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

static __attribute__((noreturn)) void fatal(const struct trap_frame *f)
{
	printf("FATAL: %s in %s on CPU %u (APIC ID %u)\n", exception_name((unsigned)f->vector),
	       f->context == CTX_GUEST ? "guest" : "host", this_cpu()->index, this_cpu()->apic_id);
	dump_frame(f);
	platform_exit(STATUS_FAIL);
}

void interrupts_init(void)
{
	trap_hooks.acknowledge = acknowledge;
	trap_hooks.fatal = fatal;
}
