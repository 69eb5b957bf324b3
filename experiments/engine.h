#ifndef EXPERIMENTS_ENGINE_H
#define EXPERIMENTS_ENGINE_H

#include <stdbool.h>

#include "machine/cpu.h"

/* Without VMX: runs the host-only experiments in place, skips the rest, ends the run. */
__attribute__((noreturn)) void engine_run_without_vmx(const char *reason);

/* With the VMCS set up and the self-test done: called from a VM-exit handler, takes
 * over the guest for the selected experiments. Returns into VMRESUME. A failed
 * self-test makes the run fail whatever the experiments say. */
void engine_begin(struct cpu *c, bool selftest_failed);

/* The run cannot go on: "Bail out! reason", the summary of what ran, the exit status.
 * Any CPU may call it (the watchdog does, from the generator). */
__attribute__((noreturn)) void engine_bail_out(const char *reason);

#endif
