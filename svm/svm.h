/* SVM bring-up: detection, EFER.SVME and VM_HSAVE_PA, the VMCB for our guest, VMRUN. */
#ifndef SVM_SVM_H
#define SVM_SVM_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/arch.h"
#include "machine/cpu.h"

/* Whether CPUID offers SVM on an AMD (or Hygon) CPU: the catalogue a run uses. Touches
 * no state; any CPU may ask. */
bool svm_offered(void);
/* Whether this CPU can use SVM now (APM 15.4, "Enabling SVM": CPUID, then VM_CR.SVMDIS);
 * *why says why not. */
bool svm_available(const char **why);
/* EFER.SVME, VM_HSAVE_PA, the host's VMLOAD state saved; reads the SVM features. */
bool svm_enable(struct cpu *c, const char **why);
void svm_print_caps(void);

/* CPUID 8000_000Ah:EDX as svm_enable read it (machine/svm_arch.h bits). */
uint32_t svm_features(void);
/* Of `features` (enum hv_feature), the first this CPU lacks, named with its CPUID bit. */
const char *svm_missing_feature(unsigned features);

/* The guest in the VMCB: the control area's baseline, and a full guest state that shares
 * our code, page tables and address space, with its own IDT, stack and TSS, at `entry`. */
void svm_setup_vmcb(struct cpu *c);
void svm_reset_guest(struct cpu *c, void (*entry)(void));
/* The baseline of every control an experiment may change. */
void svm_baseline_controls(void);

/* Enters the guest for the first time; every #VMEXIT comes back through svm_exit_received()
 * and svm_exit_dispatch() (svm/backend.h), then VMRUN again. Never returns. */
__attribute__((noreturn)) void svm_run(struct cpu *c);

/* svm/<arch>/vmrun.S: the loop, the physical addresses it uses, and the anchor where a
 * held NMI lands after the STGI that follows #VMEXIT. */
__attribute__((noreturn)) void svm_enter(struct gprs *frame);
extern uintptr_t svm_vmcb_pa, svm_host_state_pa;
extern const char svm_exit_entry[];

#endif
