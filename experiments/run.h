/*
 * The state of the experiment being run, in plain memory shared by the host and the
 * guest (same address space): both halves of the interpreter read and write it.
 */
#ifndef EXPERIMENTS_RUN_H
#define EXPERIMENTS_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "experiments/experiment.h"
#include "experiments/judge.h"

#define MAX_MEASUREMENTS 4

/* Why an experiment run stops: the judge found no candidate left (its divergence from
 * the SDM's model), or the engine could not go on (an exception, a storm, the watchdog). */
struct failure {
	bool failed;
	unsigned step;             /* index into the experiment's steps */
	char expected[DIAG_LEN];
	char observed[DIAG_LEN];
};

struct run_state {
	const struct experiment *x;
	volatile unsigned step;      /* the step being executed (watchdog, diagnostics) */
	volatile unsigned progress;  /* bumped when a step starts: the watchdog's heartbeat */
	volatile bool active;        /* an experiment is running */
	const char *volatile phase;  /* what the experimenter is doing, while the watchdog watches */
	volatile unsigned watchdog_ms; /* set when the watchdog sent an INIT to end a stuck step */
	bool judge_failed;           /* the judge found no candidate left (experiments/judge.h) */
	/* VMENTRY: the step (index + 1) whose VM entry is under way, and the interpreter's
	 * signal to the engine to stop the run of H steps there (not judged yet). */
	unsigned vmentry_pending;
	bool stop_host_steps, not_judged;
	/* What a value step read, judged by step_execute. */
	struct {
		bool present;
		bool absent;              /* the exit it reads was not recorded */
		uint64_t value;
		void (*describe)(uint64_t v, char *buf, unsigned len);
	} read;
	/* HOST_AT_EXIT: the H steps ran inside that exit, which was observation number
	 * handoff_end - 1; the guest goes on with step guest_resume_step. */
	volatile bool handoff_done;
	unsigned handoff_end, guest_resume_step;
	/* EPT_ARM_IRET: the response to the EPT violation at page_iret, until it happens. */
	enum ept_response ept_response;
	/* ENTER_HLT: the next VM entry halts G; its bound is armed right before that entry.
	 * SEND_AFTER_ENTRY: what the generator sends, 1 ms after that entry. */
	bool hlt_entry;
	enum gen_event sends_after_entry[MAX_SENDS];
	unsigned nsends_after_entry;
	struct failure failure;
	unsigned nmeasured;          /* informational results, printed with the verdict */
	char measured[MAX_MEASUREMENTS][DIAG_LEN];
};

extern struct run_state run;

/* Runs step `index` of run.x in the current context; on a mismatch fills run.failure
 * and returns false. */
bool step_execute(unsigned index);
/* Right before the VM entry that ends a run of H steps: arms the bound of an entry into
 * HLT and starts the sends that follow the entry, so that the H steps after ENTER_HLT
 * and SEND_AFTER_ENTRY (however long they print) take none of their time. */
void steps_before_vm_entry(void);
/* That entry failed: it halted nothing, so its bound is off. */
void steps_after_failed_entry(void);

/* Records the experiment's failure at the current step; the first one wins. */
void run_fail(const char *expected, const char *observed);

/* Verbose trace (option "verbose"): printed as the steps run. */
void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
