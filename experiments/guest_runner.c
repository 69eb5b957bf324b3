/*
 * The guest half of the step interpreter. The host starts the guest here, on a fresh
 * stack, for every experiment; the guest runs its G steps and hands each run of H steps
 * to the host with one VMCALL.
 */
#include "experiments/guest_runner.h"

#include "experiments/run.h"
#include "guest/hypercall.h"
#include "machine/anchors.h"

void guest_experiment_main(void)
{
	const struct experiment *x = run.x;
	unsigned i = 0;
	while (i < x->nsteps && !run.failure.failed) {
		if (x->steps[i].ctx == IN_HOST) {
			obs_set_window(i); /* the VMCALL's exit is the first H step's */
			i = (unsigned)hypercall(HC_HOST_STEPS, i);
			continue;
		}
		step_execute(i);
		/* HOST_AT_EXIT: the H steps after step i already ran, inside its exit. */
		i = x->steps[i].host_at_exit && run.handoff_done ? run.guest_resume_step : i + 1;
	}
	guest_end_experiment();
}

void guest_end_experiment(void)
{
	obs_set_window(run.x->nsteps); /* the end: the last VMCALL */
	hypercall(HC_EXPERIMENT_DONE, 0);
	for (;;)
		wait_halted(); /* not reached: the host restarts the guest for the next one */
}

void guest_baseline_main(void)
{
	execute_iret();
	hypercall(HC_BASELINE_DONE, 0);
	for (;;)
		wait_halted(); /* not reached: the host restarts the guest for the experiment */
}
