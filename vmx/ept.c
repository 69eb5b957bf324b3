#include "vmx/ept.h"

#include "hv/features.h"
#include "vmx/vmcs.h"
#include "vmx/vmx.h"
#include "machine/vmx_arch.h"

uint8_t ept_frame_page[4096] __attribute__((aligned(4096)));

static struct ept_tables tables;
static uint64_t frame_entry; /* the frame page's PTE when mapped */
static bool frame_revoked;

static unsigned frame_index(void)
{
	return ept_frame_index((uintptr_t)ept_frame_page);
}

void ept_init(ept_ram_test is_ram)
{
	ept_build(&tables, (uintptr_t)ept_frame_page, is_ram);
	frame_entry = tables.pt[frame_index()];
	frame_revoked = false;
}

/* Whether this CPU has everything EPT needs. */
static bool ept_usable(void)
{
	return vmx_missing_feature(FEATURE_EPT) == 0;
}

static uint64_t ept_vpid_cap(void)
{
	return vmx_current_caps()->ept_vpid;
}

static uint64_t current_eptp(void)
{
	return ept_pointer((uintptr_t)tables.pml4, ept_vpid_cap());
}

/* SDM 24.6.2: secondary controls count only while "activate secondary controls" is 1. */
void ept_enable(void)
{
	vmcs_write(EPT_POINTER, current_eptp());
	vmcs_set_bits(PROC_BASED_CONTROLS2, PROC2_ENABLE_EPT);
	vmcs_set_bits(PROC_BASED_CONTROLS, PROC_ACTIVATE_SECONDARY);
}

void ept_disable(void)
{
	vmcs_clear_bits(PROC_BASED_CONTROLS2, PROC2_ENABLE_EPT);
	if (!vmcs_read(PROC_BASED_CONTROLS2))
		vmcs_clear_bits(PROC_BASED_CONTROLS, PROC_ACTIVATE_SECONDARY);
}

static enum vmx_status invalidate(void)
{
	struct invept_descriptor d = { .eptp = current_eptp(), .reserved = 0 };
	return invept(ept_invept_type(ept_vpid_cap()), &d);
}

/* Not present (bits 2:0 = 0): any access is an EPT violation (SDM 28.2.3.2). Changing
 * the permissions from 1 to 0 requires INVEPT before the guest runs (28.3.3.4). */
enum vmx_status ept_revoke_frame_page(void)
{
	tables.pt[frame_index()] = 0;
	frame_revoked = true;
	return invalidate();
}

/* An entry that was not present is not cached, so INVEPT is not needed here (SDM
 * 28.3.3.4); done anyway, so every platform sees the same sequence. */
enum vmx_status ept_restore_frame_page(void)
{
	tables.pt[frame_index()] = frame_entry;
	frame_revoked = false;
	return invalidate();
}

bool ept_in_frame_page(uint64_t guest_physical)
{
	return (guest_physical & ~(uint64_t)(EPT_PAGE_4K - 1)) == (uintptr_t)ept_frame_page;
}

enum vmx_status ept_reset(void)
{
	if (!ept_usable())
		return VMX_OK;
	ept_disable();
	return frame_revoked ? ept_restore_frame_page() : VMX_OK;
}
