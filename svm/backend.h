/* The SVM backend of hv/hv.h. */
#ifndef SVM_BACKEND_H
#define SVM_BACKEND_H

#include <stdbool.h>

#include "hv/hv.h"
#include "machine/arch.h"

extern const struct hv_backend svm_backend;

/* Called by svm/<arch>/vmrun.S with GIF = 0 right after #VMEXIT: reads the exit from the
 * VMCB, returns whether to set GIF now (else it stays 0 for the H steps: GIF_AT_EXIT). */
bool svm_exit_received(struct gprs *regs);
/* Called by vmrun.S after that: the engine's answer; then VMRUN. */
void svm_exit_dispatch(struct gprs *regs);

#endif
