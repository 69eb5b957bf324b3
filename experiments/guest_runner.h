#ifndef EXPERIMENTS_GUEST_RUNNER_H
#define EXPERIMENTS_GUEST_RUNNER_H

/* Where the host starts the guest for each experiment (reads run.x). */
void guest_experiment_main(void);
/* Where the host starts the guest before each experiment, under (1,1,0,0): an IRET
 * clears any virtual-NMI blocking a previous experiment left behind. */
void guest_baseline_main(void);
/* Tells the host the experiment is over; does not return. Also the landing place when
 * an unexpected exception aborts the guest's steps. */
__attribute__((noreturn)) void guest_end_experiment(void);

#endif
