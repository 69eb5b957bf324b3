#include "vmx/vmcs.h"

#include "lib/platform.h"
#include "lib/printf.h"
#include "machine/arch.h"
#include "vmx/vmx_insn.h"

enum field_width { WIDTH_16, WIDTH_64, WIDTH_32, WIDTH_NATURAL };

static const struct { enum vmcs_field field; const char *name; } field_names[] = {
#define VMCS_NAME_ENTRY(name, encoding) { name, #name },
	VMCS_FIELD_TABLE(VMCS_NAME_ENTRY)
#undef VMCS_NAME_ENTRY
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static enum field_width width_of(enum vmcs_field f)
{
	return (enum field_width)(((unsigned)f >> 13) & 3);
}

static const char *vmcs_field_name(enum vmcs_field field)
{
	for (unsigned i = 0; i < COUNT(field_names); i++)
		if (field_names[i].field == field)
			return field_names[i].name;
	return "unknown field";
}

static __attribute__((noreturn)) void access_failed(const char *op, enum vmcs_field f)
{
	uintptr_t error = 0;
	vmread(VM_INSTRUCTION_ERROR, &error);
	printf("FATAL: %s %s (%#x) failed: VM-instruction error %lu (%s)\n", op,
	       vmcs_field_name(f), (unsigned)f, (unsigned long)error,
	       vm_instruction_error_name((uint32_t)error));
	platform_exit(STATUS_FAIL);
}

static uintptr_t read_raw(enum vmcs_field f, uintptr_t encoding)
{
	uintptr_t v;
	if (vmread(encoding, &v) != VMX_OK)
		access_failed("VMREAD", f);
	return v;
}

static void write_raw(enum vmcs_field f, uintptr_t encoding, uintptr_t v)
{
	if (vmwrite(encoding, v) != VMX_OK)
		access_failed("VMWRITE", f);
}

uint64_t vmcs_read(enum vmcs_field f)
{
	uint64_t v = read_raw(f, f);
	/* Encoding + 1 is the "high" access to bits 63:32 of a 64-bit field. */
	if (width_of(f) == WIDTH_64 && !ARCH_IS_64BIT)
		v |= (uint64_t)read_raw(f, f + 1) << 32;
	return v;
}

void vmcs_write(enum vmcs_field f, uint64_t v)
{
	write_raw(f, f, (uintptr_t)v);
	if (width_of(f) == WIDTH_64 && !ARCH_IS_64BIT)
		write_raw(f, f + 1, (uintptr_t)(v >> 32));
}

void vmcs_set_bits(enum vmcs_field f, uint64_t bits) { vmcs_write(f, vmcs_read(f) | bits); }
void vmcs_clear_bits(enum vmcs_field f, uint64_t bits) { vmcs_write(f, vmcs_read(f) & ~bits); }

/* SDM Vol. 3C 31.4, Table 31-1. */
static const char *const instruction_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vm_instruction_error_name(uint32_t n)
{
	return n < COUNT(instruction_errors) && instruction_errors[n] ? instruction_errors[n]
								       : "unknown error number";
}

/* SDM Vol. 3D Appendix C (the ones we can meet). */
static const char *const exit_reasons[] = {
	[0] = "exception or NMI", [1] = "external interrupt", [2] = "triple fault",
	[3] = "INIT signal", [4] = "SIPI", [7] = "interrupt window", [8] = "NMI window",
	[9] = "task switch", [10] = "CPUID", [12] = "HLT", [14] = "INVLPG", [16] = "RDTSC",
	[18] = "VMCALL", [19] = "VMCLEAR", [20] = "VMLAUNCH", [21] = "VMPTRLD",
	[23] = "VMREAD", [24] = "VMRESUME", [25] = "VMWRITE", [26] = "VMXOFF", [27] = "VMXON",
	[28] = "control-register access", [29] = "MOV DR", [30] = "I/O instruction",
	[31] = "RDMSR", [32] = "WRMSR", [33] = "VM-entry failure: invalid guest state",
	[34] = "VM-entry failure: MSR loading", [36] = "MWAIT", [37] = "monitor trap flag", [39] = "MONITOR",
	[40] = "PAUSE", [41] = "VM-entry failure: machine-check event",
	[43] = "TPR below threshold", [48] = "EPT violation", [49] = "EPT misconfiguration",
	[52] = "VMX-preemption timer expired",
};

const char *exit_reason_name(uint32_t basic)
{
	return basic < COUNT(exit_reasons) && exit_reasons[basic] ? exit_reasons[basic]
								  : "unexpected exit reason";
}

void vmcs_dump(void)
{
	printf("VMCS dump:\n");
	for (unsigned i = 0; i < COUNT(field_names); i++) {
		uintptr_t lo = 0, hi = 0;
		enum vmcs_field f = field_names[i].field;
		if (vmread(f, &lo) != VMX_OK)
			continue; /* not supported on this CPU */
		if (width_of(f) == WIDTH_64 && !ARCH_IS_64BIT)
			vmread(f + 1, &hi);
		printf("  %-32s %#llx\n", field_names[i].name,
		       (unsigned long long)(((uint64_t)hi << 32) | lo));
	}
}
