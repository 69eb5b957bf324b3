#ifndef EXPERIMENTS_SELFTEST_H
#define EXPERIMENTS_SELFTEST_H

#include "machine/cpu.h"

/* Host half of the VMX self-test: launches the guest's half and judges it; on success
 * hands the guest to the experiment engine, on failure ends the run. */
__attribute__((noreturn)) void selftest_run(struct cpu *c);

#endif
