/* The VMX instructions. Each returns a VMX status: 0 success, or the failure kind
 * (SDM Vol. 3C 31.2: CF=1 VMfailInvalid, ZF=1 VMfailValid). */
#ifndef VMX_VMX_INSN_H
#define VMX_VMX_INSN_H

#include <stdint.h>

enum vmx_status { VMX_OK = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 };

static inline enum vmx_status vmx_status_from_flags(uint8_t cf, uint8_t zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

#define VMX_INSN_WITH_ADDRESS(name)                                                     \
	static inline enum vmx_status name(uint64_t physical_address)                   \
	{                                                                               \
		uint8_t cf, zf;                                                         \
		__asm__ volatile(#name " %2; setc %0; setz %1"                          \
				 : "=qm"(cf), "=qm"(zf) : "m"(physical_address) : "cc", "memory"); \
		return vmx_status_from_flags(cf, zf);                                   \
	}
VMX_INSN_WITH_ADDRESS(vmxon)
VMX_INSN_WITH_ADDRESS(vmclear)
VMX_INSN_WITH_ADDRESS(vmptrld)
#undef VMX_INSN_WITH_ADDRESS

static inline enum vmx_status vmread(uintptr_t field, uintptr_t *value)
{
	uint8_t cf, zf;
	__asm__ volatile("vmread %3, %0; setc %1; setz %2"
			 : "=rm"(*value), "=qm"(cf), "=qm"(zf) : "r"(field) : "cc");
	return vmx_status_from_flags(cf, zf);
}

static inline enum vmx_status vmwrite(uintptr_t field, uintptr_t value)
{
	uint8_t cf, zf;
	__asm__ volatile("vmwrite %2, %3; setc %0; setz %1"
			 : "=qm"(cf), "=qm"(zf) : "rm"(value), "r"(field) : "cc", "memory");
	return vmx_status_from_flags(cf, zf);
}

/* INVEPT's 128-bit descriptor (SDM 30.3, INVEPT): the EPTP, then 64 reserved bits. */
struct invept_descriptor {
	uint64_t eptp, reserved;
};

/* The type goes in a general register of the mode's width (32 bits on i386, 64 on
 * amd64): uintptr_t is that width in both builds. */
static inline enum vmx_status invept(uintptr_t type, const struct invept_descriptor *d)
{
	uint8_t cf, zf;
	__asm__ volatile("invept %2, %3; setc %0; setz %1"
			 : "=qm"(cf), "=qm"(zf) : "m"(*d), "r"(type) : "cc", "memory");
	return vmx_status_from_flags(cf, zf);
}

#endif
