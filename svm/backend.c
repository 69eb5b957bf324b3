/*
 * The SVM backend (hv/hv.h): the engine's requests in terms of the VMCB, and every
 * #VMEXIT in the engine's terms (APM Vol. 2 chapter 15, "Secure Virtual Machine").
 *
 * How the VMCB maps onto the engine's exit record is model/event.h's: EXITCODE is the
 * reason, EXITINFO1/2 the qualification and guest-physical address, EXITINTINFO the
 * IDT-vectoring information (the same encoding, 15.7.2), INTERRUPT_SHADOW bit 0 of the
 * interruptibility, the virtual interrupt control word (60h: V_GIF, V_NMI, V_NMI_MASK)
 * the interruption information, EVENTINJ as the exit left it the VM-entry interruption
 * information, and nRIP - RIP the instruction length.
 */
#include "svm/backend.h"

#include "guest/hypercall.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "machine/anchors.h"
#include "machine/descriptors.h"
#include "machine/svm_arch.h"
#include "machine/x86.h"
#include "svm/svm.h"
#include "svm/vmcb.h"

#define VMMCALL_LENGTH 3 /* 0f 01 d9 */

static guest_exit_handler engine_handler;
static bool hold_gif;          /* GIF_AT_EXIT: the next #VMEXIT leaves GIF = 0 */
static struct guest_exit last; /* the exit svm_exit_received() read */
static uint64_t last_nrip;
static uint64_t vmrun_rip;     /* the guest's RIP when VMRUN was last executed */

/* --- #VMEXIT ----------------------------------------------------------------------------- */

static enum guest_exit_kind kind_of(uint32_t exitcode)
{
	if (exitcode >= SVM_EXIT_EXCEPTION_BASE && exitcode < SVM_EXIT_EXCEPTION_BASE + 32)
		return GUEST_EXIT_EXCEPTION;
	switch (exitcode) {
	case SVM_EXIT_VMMCALL: return GUEST_EXIT_HYPERCALL;
	case SVM_EXIT_NMI: return GUEST_EXIT_NMI;
	case SVM_EXIT_IRET: return GUEST_EXIT_IRET;
	case SVM_EXIT_INIT: return GUEST_EXIT_INIT;
	case SVM_EXIT_NPF: return GUEST_EXIT_NESTED_PAGE_FAULT;
	case SVM_EXIT_INVALID: return GUEST_EXIT_ENTRY_INVALID;
	default: return GUEST_EXIT_OTHER;
	}
}

static const char *exit_name(uint32_t exitcode)
{
	if (exitcode >= SVM_EXIT_EXCEPTION_BASE && exitcode < SVM_EXIT_EXCEPTION_BASE + 32)
		return "#VMEXIT(exception)";
	switch (exitcode) {
	case SVM_EXIT_INTR: return "#VMEXIT(INTR)";
	case SVM_EXIT_NMI: return "#VMEXIT(NMI)";
	case SVM_EXIT_INIT: return "#VMEXIT(INIT)";
	case SVM_EXIT_IRET: return "#VMEXIT(IRET)";
	case SVM_EXIT_HLT: return "#VMEXIT(HLT)";
	case SVM_EXIT_SHUTDOWN: return "#VMEXIT(SHUTDOWN)";
	case SVM_EXIT_VMRUN: return "#VMEXIT(VMRUN)";
	case SVM_EXIT_VMMCALL: return "#VMEXIT(VMMCALL)";
	case SVM_EXIT_NPF: return "#VMEXIT(NPF)";
	case SVM_EXIT_INVALID: return "VMEXIT_INVALID";
	default: return "#VMEXIT(other)";
	}
}

/* Exits caused by an event rather than by the instruction at RIP: the NMI intercept, or
 * an intercept while delivering an event (EXITINTINFO.V, 15.7.2). */
static bool caused_by_event(uint32_t exitcode, uint32_t exitintinfo)
{
	return exitcode == SVM_EXIT_NMI || (exitintinfo & EVENT_VALID);
}

/* The record of model/event.h, read from the VMCB. nRIP (0C8h) only where CPUID offers
 * NRIP save: without it the processor never writes the field (15.7.1). */
static void read_record(struct exit_record *r, uint64_t rip)
{
	uint64_t exitintinfo = vmcb_read64(VMCB_EXITINTINFO);
	*r = (struct exit_record){
		.reason = (uint32_t)vmcb_read64(VMCB_EXITCODE),
		.qualification = vmcb_read64(VMCB_EXITINFO1),
		.guest_physical = vmcb_read64(VMCB_EXITINFO2),
		.idt_vectoring = (uint32_t)exitintinfo,
		.idt_vectoring_error = (uint32_t)(exitintinfo >> 32),
		.interruptibility = vmcb_read32(VMCB_INTERRUPT_SHADOW) & VMCB_SHADOW_INTERRUPT,
		.info = vmcb_read32(VMCB_V_INTR),
		.entry_info = vmcb_read32(VMCB_EVENTINJ),
	};
	last_nrip = vmcb_read64(VMCB_NRIP);
	if (svm_features() & CPUID_8000000A_EDX_NRIPS)
		r->length = last_nrip ? (uint32_t)(last_nrip - rip) : SVM_NO_NRIP;
}

/*
 * Right after #VMEXIT, GIF = 0. An event that exits between a wait's "send now" and its
 * HLT counts as having woken the HLT (machine/anchors.h, in_halt_window): G resumes after
 * the HLT and the exit is seen there. VMEXIT_INVALID leaves the save area unspecified
 * (QEMU writes the host's state there): its rip is the one the VMRUN was for, which the
 * engine's snapshot still has (save_controls). Returns whether to set GIF now.
 */
bool svm_exit_received(struct gprs *regs)
{
	uint64_t rip = vmcb_read64(VMCB_RIP);
	read_record(&last.rec, rip);
	uint32_t exitcode = last.rec.reason;
	last = (struct guest_exit){ .kind = kind_of(exitcode), .rec = last.rec, .name = exit_name(exitcode),
				    .vector = (uint8_t)(exitcode - SVM_EXIT_EXCEPTION_BASE),
				    .during_delivery = (last.rec.idt_vectoring & EVENT_VALID) != 0 };
	regs->rax = (uintptr_t)vmcb_read64(VMCB_RAX);
	last.guest_rip = (uintptr_t)rip;
	if (exitcode == SVM_EXIT_INVALID)
		last.guest_rip = (uintptr_t)vmrun_rip;
	else if (caused_by_event(exitcode, last.rec.idt_vectoring) && in_halt_window(last.guest_rip)) {
		last.guest_rip = (uintptr_t)after_hlt;
		last.hit_before_hlt = true;
		vmcb_write64(VMCB_RIP, last.guest_rip);
	}
	bool set_gif = !hold_gif;
	hold_gif = false;
	return set_gif;
}

static void svm_dump(void);

static __attribute__((noreturn)) void unexpected_exit(void)
{
	printf("FATAL: unexpected #VMEXIT: %s, EXITCODE %#x, EXITINFO1 %#llx, EXITINFO2 %#llx, EXITINTINFO %#x, "
	       "guest rip %#lx\n", last.name, last.rec.reason, (unsigned long long)last.rec.qualification,
	       (unsigned long long)last.rec.guest_physical, last.rec.idt_vectoring, (unsigned long)last.guest_rip);
	svm_dump();
	platform_exit(STATUS_FAIL);
}

void svm_exit_dispatch(struct gprs *regs)
{
	if (!engine_handler || !engine_handler(&last, regs))
		unexpected_exit();
	vmcb_write64(VMCB_RAX, regs->rax);
	vmrun_rip = vmcb_read64(VMCB_RIP);
}

static void set_exit_handler(guest_exit_handler h) { engine_handler = h; }

/* Past the VMMCALL: nRIP where NRIP save gives it (15.7.1), else its 3 bytes. */
static void skip_instruction(const struct guest_exit *e)
{
	bool nrip = (svm_features() & CPUID_8000000A_EDX_NRIPS) && last_nrip;
	vmcb_write64(VMCB_RIP, nrip ? last_nrip : e->guest_rip + VMMCALL_LENGTH);
}

static void resume_at(uintptr_t rip) { vmcb_write64(VMCB_RIP, rip); }

/* The IRET intercept is the engine's one-shot here: cleared at its exit, the IRET runs
 * (as KVM does to see the end of a guest's NMI handler). */
static void clear_one_shot(const struct guest_exit *e)
{
	if (e->kind == GUEST_EXIT_IRET)
		vmcb_set_bits32(VMCB_INTERCEPTS_1, INTERCEPT_IRET, 0);
}

/* --- the controls ------------------------------------------------------------------------- */

static bool baseline(void)
{
	svm_baseline_controls();
	hold_gif = false;
	execute_stgi(); /* a step may have left GIF = 0 */
	return true;
}

/* Nothing the host cannot write: NMI masking has no VMCB bit without vNMI, and the
 * engine's host IRET clears it when it is shared. */
static bool prepare_baseline_iret(void) { return false; }

/* No control makes every VMRUN exit at once without an event: storm=N is VMX's. */
static bool arm_storm(void) { return false; }

/* The whole VMCB as the run of H steps found it: a refused VMRUN may have written the
 * host's state into the save area (QEMU), and the steps after it start from this. */
static uint8_t snapshot[PAGE_SIZE] __attribute__((aligned(16)));

static void save_controls(void) { memcpy(snapshot, vmcb, PAGE_SIZE); }
static void restore_controls(void) { memcpy(vmcb, snapshot, PAGE_SIZE); }

/* EVENTINJ (15.20, Figure 15-5): V, TYPE, VECTOR, EV; the error code in bits 63:32. */
static void write_eventinj(uint32_t event, uint32_t error)
{
	vmcb_write64(VMCB_EVENTINJ, (uint64_t)error << 32 | event);
}

static void write_injection(const struct step *s, struct step_io *io)
{
	static const uint32_t types[] = { [INJECT_KIND_NMI] = EVENT_TYPE_NMI, [INJECT_KIND_INTR] = EVENT_TYPE_INTR,
					  [INJECT_KIND_EXCEPTION] = EVENT_TYPE_EXCEPTION };
	uint32_t event = EVENT_VALID | types[s->injection] | s->vector | (s->has_error_code ? EVENT_ERROR_VALID : 0);
	write_eventinj(event, s->error_code);
	io->injected_nmi = s->injection == INJECT_KIND_NMI;
}

/* 15.7.2: "re-injecting (see Section 15.20) the fault recorded in EXITINTINFO": as it is. */
static void write_reinjection(struct step_io *io)
{
	const struct exit_record *o = io->last_exit;
	if (!o || !(o->idt_vectoring & EVENT_VALID)) {
		io->failed = o ? "EXITINTINFO of that exit is not valid" : "no such exit was recorded";
		return;
	}
	write_eventinj(o->idt_vectoring, o->idt_vectoring_error);
	io->injected_nmi = (o->idt_vectoring & EVENT_TYPE_MASK) == EVENT_TYPE_NMI;
}

/* INTERRUPT_SHADOW (15.21.5); the shadow of an STI that set IF, so IF = 1 too. */
static void write_shadow(const struct step *s, struct step_io *io)
{
	if (s->shadow == SHADOW_MOV_SS) {
		io->failed = "SVM has one interrupt shadow, not a MOV-SS one";
		return;
	}
	vmcb_write64(VMCB_INTERRUPT_SHADOW, s->shadow == SHADOW_STI ? VMCB_SHADOW_INTERRUPT : 0);
	if (s->shadow == SHADOW_STI)
		vmcb_write64(VMCB_RFLAGS, vmcb_read64(VMCB_RFLAGS) | RFLAGS_IF);
}

static void write_vnmi(const struct step *s)
{
	uint32_t v = vmcb_read32(VMCB_V_INTR) & ~(V_INTR_V_NMI_ENABLE | V_INTR_V_NMI | V_INTR_V_NMI_MASK);
	v |= (s->vnmi.enable ? V_INTR_V_NMI_ENABLE : 0) | (s->vnmi.pending ? V_INTR_V_NMI : 0) |
	     (s->vnmi.masked ? V_INTR_V_NMI_MASK : 0);
	vmcb_write32(VMCB_V_INTR, v);
}

/* VGIF (15.33.2): V_GIF_ENABLE with V_GIF = 1; CLGI and STGI stay unintercepted. */
static void write_vgif(const struct step *s)
{
	uint32_t v = vmcb_read32(VMCB_V_INTR) & ~(V_INTR_V_GIF_ENABLE | V_INTR_V_GIF);
	vmcb_write32(VMCB_V_INTR, v | (s->value ? V_INTR_V_GIF_ENABLE | V_INTR_V_GIF : 0));
}

static void write_gate(bool present)
{
	struct descriptor_pointer idt = present ? guest_idt_pointer() : guest_idt_without_nmi_pointer();
	vmcb_write64(VMCB_IDTR + VMCB_SEGMENT_BASE, idt.base);
}

static void execute_step(const struct step *s, struct step_io *io)
{
	switch (s->op) {
	case OP_SVM_INTERCEPTS:
		vmcb_set_bits32(VMCB_INTERCEPTS_1, INTERCEPT_NMI, s->intercepts.nmi);
		vmcb_set_bits32(VMCB_INTERCEPTS_1, INTERCEPT_IRET, s->intercepts.iret);
		return;
	case OP_INJECT: write_injection(s, io); return;
	case OP_EXC_EXITING: vmcb_set_bits32(VMCB_EXCEPTION_INTERCEPTS, 1u << s->vector, s->value); return;
	case OP_SHADOW: write_shadow(s, io); return;
	case OP_GUEST_IF:
		vmcb_write64(VMCB_RFLAGS, s->value ? vmcb_read64(VMCB_RFLAGS) | RFLAGS_IF
						   : vmcb_read64(VMCB_RFLAGS) & ~(uint64_t)RFLAGS_IF);
		return;
	case OP_NMI_GATE: write_gate(s->value); return;
	case OP_REINJECT: write_reinjection(io); return;
	case OP_GIF_AT_EXIT: hold_gif = true; return;
	case OP_VNMI: write_vnmi(s); return;
	case OP_VGIF: write_vgif(s); return;
	default: io->failed = "a step the SVM backend does not implement"; return;
	}
}

static void intercept_nmis(bool on) { vmcb_set_bits32(VMCB_INTERCEPTS_1, INTERCEPT_NMI, on); }

/* --- nested paging: not used (the guest shares the host's page tables, 15.25) --------- */

static bool no_frame_page(uint64_t guest_physical) { (void)guest_physical; return false; }
static bool nothing_to_restore(void) { return false; }
static void nothing_to_reblock(void) {}
static bool never_unblocked(const struct guest_exit *e) { (void)e; return false; }
static uint64_t no_linear_address(void) { return 0; }

/* --- start-up and diagnostics --------------------------------------------------------- */

/*
 * The guest's hypercall is VMCALL (0f 01 c1) in the image, for VMX; SVM's is VMMCALL
 * (0f 01 d9, APM 15.9, Table 15-7): the same length, only the last byte differs, so it
 * is patched in place and every anchor (vmcall_instruction, after_vmcall) stays where it
 * is. CPUID serializes before the patched code runs (the experimenter patches its own
 * code; the generator never runs it).
 */
static void use_vmmcall(void)
{
	volatile uint8_t *last_byte = (volatile uint8_t *)vmcall_instruction + 2;
	*last_byte = 0xd9;
	cpuid(0, 0);
}

static void start_guest(struct cpu *c, void (*entry)(void), const char **why)
{
	(void)why;
	use_vmmcall();
	svm_setup_vmcb(c);
	svm_reset_guest(c, entry);
	vmrun_rip = (uintptr_t)entry;
	printf("SVM: VMRUN into the guest (ASID 1)\n");
	svm_run(c);
}

static void reset_guest(struct cpu *c, void (*entry)(void)) { svm_reset_guest(c, entry); }

static void svm_dump(void)
{
	printf("VMCB: intercepts %#x %#x, exceptions %#x, ASID %u, V_INTR %#llx, INTERRUPT_SHADOW %#llx\n",
	       vmcb_read32(VMCB_INTERCEPTS_1), vmcb_read32(VMCB_INTERCEPTS_2), vmcb_read32(VMCB_EXCEPTION_INTERCEPTS),
	       vmcb_read32(VMCB_GUEST_ASID), (unsigned long long)vmcb_read64(VMCB_V_INTR),
	       (unsigned long long)vmcb_read64(VMCB_INTERRUPT_SHADOW));
	printf("VMCB: EXITCODE %#llx, EXITINFO1 %#llx, EXITINFO2 %#llx, EXITINTINFO %#llx, EVENTINJ %#llx, nRIP %#llx\n",
	       (unsigned long long)vmcb_read64(VMCB_EXITCODE), (unsigned long long)vmcb_read64(VMCB_EXITINFO1),
	       (unsigned long long)vmcb_read64(VMCB_EXITINFO2), (unsigned long long)vmcb_read64(VMCB_EXITINTINFO),
	       (unsigned long long)vmcb_read64(VMCB_EVENTINJ), (unsigned long long)vmcb_read64(VMCB_NRIP));
	printf("VMCB: RIP %#llx, RSP %#llx, RFLAGS %#llx, CR0 %#llx, CR3 %#llx, CR4 %#llx, EFER %#llx, CS %#x/%#x\n",
	       (unsigned long long)vmcb_read64(VMCB_RIP), (unsigned long long)vmcb_read64(VMCB_RSP),
	       (unsigned long long)vmcb_read64(VMCB_RFLAGS), (unsigned long long)vmcb_read64(VMCB_CR0),
	       (unsigned long long)vmcb_read64(VMCB_CR3), (unsigned long long)vmcb_read64(VMCB_CR4),
	       (unsigned long long)vmcb_read64(VMCB_EFER), vmcb_read16(VMCB_CS + VMCB_SEGMENT_SELECTOR),
	       vmcb_read16(VMCB_CS + VMCB_SEGMENT_ATTRIB));
}

const struct hv_backend svm_backend = {
	.name = "SVM",
	.exit_entry = svm_exit_entry,
	.init_ends_guest = false,
	.nmi_exit_consumes = false,
	.missing = svm_missing_feature,
	.start_guest = start_guest,
	.reset_guest = reset_guest,
	.set_exit_handler = set_exit_handler,
	.skip_instruction = skip_instruction,
	.resume_at = resume_at,
	.intercept_nmis = intercept_nmis,
	.baseline = baseline,
	.prepare_baseline_iret = prepare_baseline_iret,
	.arm_storm = arm_storm,
	.save_controls = save_controls,
	.restore_controls = restore_controls,
	.execute = execute_step,
	.clear_one_shot = clear_one_shot,
	.frame_page = 0,
	.in_frame_page = no_frame_page,
	.restore_frame_page = nothing_to_restore,
	.reblock_nmis = nothing_to_reblock,
	.exit_unblocked_nmis = never_unblocked,
	.fault_linear_address = no_linear_address,
	.dump = svm_dump,
};
