/* Reading and writing the current VMCS, and describing it when something goes wrong. */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

#include <stdint.h>

#include "vmx/vmcs_fields.h"

/* 64-bit fields are split into two accesses on i386 (SDM 24.11.2). A failing access is
 * a bug in this hypervisor: it prints the field and ends the run. */
uint64_t vmcs_read(enum vmcs_field field);
void vmcs_write(enum vmcs_field field, uint64_t value);
void vmcs_set_bits(enum vmcs_field field, uint64_t bits);
void vmcs_clear_bits(enum vmcs_field field, uint64_t bits);

const char *vm_instruction_error_name(uint32_t number);
const char *exit_reason_name(uint32_t basic_reason);
/* Prints every field in the table that this CPU supports. */
void vmcs_dump(void);

#endif
