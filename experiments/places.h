/*
 * The anchors' addresses: where in the kernel each place the experiments name is
 * (model/event.h names them), and the reverse, what an observed rip is called. The one
 * owner of that vocabulary; judge.c and the diagnostics use it.
 */
#ifndef EXPERIMENTS_PLACES_H
#define EXPERIMENTS_PLACES_H

#include <stdint.h>

#include "model/event.h"

/* The address of an anchor (vector: the handler's, for AT_G_HANDLER and AT_H_HANDLER);
 * 0 for AT_STEP and AT_ELSEWHERE. */
uintptr_t anchor_address(enum anchor a, uint8_t vector);
/* The anchor an observed rip is (and the handler's vector); AT_ELSEWHERE if it has no name. */
enum anchor anchor_of(uintptr_t rip, uint8_t *vector);
/* The host's VM-exit entry anchor is the backend's (hv->exit_entry); VMX's by default. */
void places_set_host_exit_entry(const char *address);
/* "0x208dbe (after HLT)", "0x20a060 (guest handler 0x21 entry)", or hex. Returns buf. */
const char *describe_rip(uintptr_t rip, char *buf, unsigned len);

#endif
