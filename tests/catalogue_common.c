#include "tests/catalogue_common.h"

#include <string.h>

#include "lib/printf.h"
#include "model/model.h"

/* Every platform_kind, in enum order; the banner names are lib/platform.c's
 * (tests/report/test_catalogue.py checks that they still appear there). */
const struct platform_names platform_names[] = {
	{ PLATFORM_BARE_METAL, "bare-metal", "bare metal" },
	{ PLATFORM_KVM, "kvm", "KVM" },
	{ PLATFORM_QEMU_TCG, "qemu-tcg", "QEMU TCG" },
	{ PLATFORM_VMWARE, "vmware", "VMware" },
	{ PLATFORM_HYPERV, "hyper-v", "Hyper-V" },
	{ PLATFORM_XEN, "xen", "Xen" },
	{ PLATFORM_VIRTUALBOX, "virtualbox", "VirtualBox" },
	{ PLATFORM_BOCHS, "bochs", "Bochs" },
	{ PLATFORM_OTHER_HYPERVISOR, "other-hypervisor", "unknown hypervisor" },
};
const unsigned platform_names_count = sizeof(platform_names) / sizeof(platform_names[0]);

_Static_assert(sizeof(platform_names) / sizeof(platform_names[0]) == PLATFORM_OTHER_HYPERVISOR + 1,
	       "platform_names must list every enum platform_kind");

void experiment_anchor(unsigned number, char *buf, unsigned len)
{
	snprintf(buf, len, "experiment-%u", number);
}

/* The first window where two predictions' events (or values) part, and the second's
 * events there; 0 when only records differ. */
static unsigned first_difference(const struct experiment *x, const struct prediction *sdm,
				 const struct prediction *platform, char *observed, unsigned len)
{
	for (unsigned w = 0; w <= x->nsteps; w++) {
		char a[240] = "", b[240] = "";
		int na = 0, nb = 0;
		for (unsigned i = 0; i < sdm->count; i++)
			if (sdm->items[i].step == w && obs_is_event(sdm->items[i].source))
				na += snprintf(a + na, sizeof(a) - (unsigned)na, "%s%s %s", na ? ", " : "",
					       obs_source_name(sdm->items[i].source), anchor_name(sdm->items[i].anchor));
		for (unsigned i = 0; i < platform->count; i++)
			if (platform->items[i].step == w && obs_is_event(platform->items[i].source))
				nb += snprintf(b + nb, sizeof(b) - (unsigned)nb, "%s%s %s", nb ? ", " : "",
					       obs_source_name(platform->items[i].source), anchor_name(platform->items[i].anchor));
		bool values_differ = w < x->nsteps && (sdm->values[w].value != platform->values[w].value ||
						       sdm->values[w].absent != platform->values[w].absent);
		if (strcmp(a, b) || values_differ) {
			snprintf(observed, len, "%s", values_differ ? "another value" : nb ? b : "none");
			return w + 1;
		}
	}
	snprintf(observed, len, "the same events, another exit record");
	return 0;
}

/*
 * Whether platform p's known deviations (its quirks, experiments/deviations.c) make the
 * model predict something else for x than the SDM does, for some choice the SDM leaves
 * to the processor (certain: for every one). Fills the quirks that make the difference,
 * and for the first such choice the first step (1-based; 0 if only a record differs)
 * where the predictions part and what the platform's model predicts there.
 */
bool expected_deviation(const struct experiment *x, enum platform_kind p, struct expected_difference *d)
{
	static struct prediction sdm, platform;
	unsigned quirks = platform_quirks(p, x->backend);
	*d = (struct expected_difference){ .certain = true };
	if (!quirks)
		return false;
	/* What the platforms these deviations are for offer: Bochs's AMD models save nRIP. */
	unsigned features = p == PLATFORM_BOCHS ? MODEL_FEATURE_NRIP_SAVE : 0;
	struct model_config c = { .vmx = true, .features = features };
	unsigned consulted = model_choices(x, &c), choices = 0;
	bool any = false;
	for (bool more = true; more; more = model_next_choices(consulted, &choices)) {
		struct model_config s = { .vmx = true, .choices = choices, .features = features }, q = s;
		q.quirks = quirks;
		model_predict(x, &s, &sdm);
		model_predict(x, &q, &platform);
		if (!model_predictions_differ(&sdm, &platform)) {
			d->certain = false;
			continue;
		}
		static struct prediction scratch;
		d->quirks |= model_quirks_that_matter(x, &q, &platform, &scratch);
		if (!any)
			d->step = first_difference(x, &sdm, &platform, d->observed, sizeof(d->observed));
		any = true;
	}
	return any;
}
