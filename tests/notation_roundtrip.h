/* The catalogue and scenarios printed back as C (tests/notation_reprint.c), compiled into
 * tests/notation_roundtrip.c, which checks them against the originals. */
#ifndef TESTS_NOTATION_ROUNDTRIP_H
#define TESTS_NOTATION_ROUNDTRIP_H

#include <stdint.h>

#include "experiments/experiment.h"
#include "hv/features.h"

#define ROUNDTRIP_SEED 1
#define ROUNDTRIP_SCENARIOS 300
#define ROUNDTRIP_VOCABULARIES 2

/* Every feature, then VMX with none of the optional ones. */
static const unsigned roundtrip_features[ROUNDTRIP_VOCABULARIES] = { 0xffu, FEATURE_NMI_EXITING };

extern const struct experiment reprinted_catalogue[];
extern const struct experiment reprinted_scenarios[];

#endif
