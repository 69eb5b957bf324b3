/*
 * MSR accesses that may fault: an MSR the CPU (or the hypervisor under us) does not
 * implement raises #GP(0), and on silicon that is how its absence shows. The faulting
 * RDMSR/WRMSR has an entry in the fix-up table (machine/trap.h), so the #GP handler
 * resumes after it and the call returns false instead of ending the run.
 */
#ifndef MACHINE_MSR_H
#define MACHINE_MSR_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_IA32_BIOS_SIGN_ID 0x8b    /* Intel: microcode update signature (bits 63:32) */
#define MSR_AMD_PATCH_LEVEL 0x8b      /* AMD: microcode patch level (bits 31:0) */
#define MSR_PLATFORM_INFO 0xce        /* Intel: bits 15:8 maximum non-turbo ratio */
#define MSR_IA32_PAT 0x277
#define MSR_SMI_COUNT 0x34            /* Intel: SMIs since reset (bits 31:0) */

/* Returns false (and *value = 0) when RDMSR raised #GP. */
bool rdmsr_safe(uint32_t msr, uint64_t *value);
/* Returns false when WRMSR raised #GP (the MSR kept its value). */
bool wrmsr_safe(uint32_t msr, uint64_t value);

#endif
