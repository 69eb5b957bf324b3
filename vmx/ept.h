/*
 * EPT for the experiments that need it: an identity map of guest-physical [0, 4 GiB),
 * built once at VMX bring-up and turned on only while such an experiment runs, and one
 * dedicated page (the frame page) that the host can make not present to the guest.
 * The host's own accesses do not go through EPT, so it can always read and write the
 * frame page; the guest reaches it only while it is mapped.
 */
#ifndef VMX_EPT_H
#define VMX_EPT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/ept_map.h"
#include "vmx/vmx_insn.h"

/* A page-aligned 4 KiB page that nothing else uses (virtual = physical). */
extern uint8_t ept_frame_page[4096];

/* Builds the tables; is_ram says which memory is RAM (boot/ knows the memory map). */
void ept_init(ept_ram_test is_ram);

/* Secondary control "enable EPT" and the EPT pointer, or "enable EPT" cleared. */
void ept_enable(void);
void ept_disable(void);

/* The frame page's EPT entry made not present, or its identity entry put back; each
 * followed by INVEPT (SDM 28.3.3.4). Returns INVEPT's status. */
enum vmx_status ept_revoke_frame_page(void);
enum vmx_status ept_restore_frame_page(void);
/* Whether a guest-physical address lies in the frame page. */
bool ept_in_frame_page(uint64_t guest_physical);

/* EPT off, the frame page mapped again (the baseline); does nothing on a CPU without
 * EPT. Returns INVEPT's status, VMX_OK when none was needed. */
enum vmx_status ept_reset(void);

#endif
