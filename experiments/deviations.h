/* Known deviations: platforms that are known to disagree with silicon (or the SDM) on an
 * experiment. A failure listed here is reported as a known failure (TAP TODO), with the
 * observed-vs-expected all the same; a pass says the deviation did not show. */
#ifndef EXPERIMENTS_DEVIATIONS_H
#define EXPERIMENTS_DEVIATIONS_H

#include "lib/platform.h"

struct deviation {
	enum platform_kind platform;
	unsigned experiment;
	const char *platform_name;
	const char *note;       /* what the platform does instead */
	const char *reference;  /* where the evidence is */
};

const struct deviation *deviation_for(enum platform_kind platform, unsigned experiment);

#endif
