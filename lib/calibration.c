#include "lib/calibration.h"

#include <stdarg.h>

#include "lib/printf.h"
#include "lib/string.h"

#define MAX_SOURCES 16

bool calibration_agree(uint64_t a, uint64_t b)
{
	uint64_t hi = a > b ? a : b, lo = a > b ? b : a;
	return lo > 0 && (hi - lo) * 50 <= hi;
}

__attribute__((format(printf, 2, 3)))
static void note(struct tsc_decision *d, const char *fmt, ...)
{
	size_t used = strlen(d->note);
	if (used + 3 >= sizeof(d->note))
		return;
	if (used) {
		memcpy(d->note + used, "; ", 3);
		used += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->note + used, sizeof(d->note) - used, fmt, ap);
	va_end(ap);
}

static const char *kind_name(enum tsc_source_kind k)
{
	return k == TSC_EXACT ? "exact" : k == TSC_NOMINAL ? "nominal" : "measured";
}

/* A claim (exact or nominal) that agrees with s[i]. */
static bool claim_supports(const struct tsc_source *s, unsigned n, unsigned i)
{
	for (unsigned c = 0; c < n; c++)
		if (s[c].kind != TSC_MEASURED && s[c].khz && calibration_agree(s[c].khz, s[i].khz))
			return true;
	return false;
}

/* Two or more measurements: the first, when all agree; else the one a claim backs. */
static int settle_measurements(const struct tsc_source *s, unsigned n, const unsigned *m,
			       unsigned nm, bool *confirmed, struct tsc_decision *d)
{
	bool all_agree = true;
	for (unsigned k = 1; k < nm; k++)
		all_agree &= calibration_agree(s[m[0]].khz, s[m[k]].khz);
	if (all_agree) {
		*confirmed = true;
		return (int)m[0];
	}
	int backed = -1;
	for (unsigned k = 0; k < nm; k++) {
		if (!claim_supports(s, n, m[k]))
			continue;
		if (backed >= 0)
			backed = -2;  /* claims back different measurements: no way to tell */
		else if (backed == -1)
			backed = (int)m[k];
	}
	if (backed < 0) {
		note(d, "the %s measured %llu kHz but the %s %llu kHz, and no CPUID figure settles which is right",
		     s[m[0]].name, (unsigned long long)s[m[0]].khz, s[m[1]].name,
		     (unsigned long long)s[m[1]].khz);
		return -1;
	}
	for (unsigned k = 0; k < nm; k++)
		if ((int)m[k] != backed)
			note(d, "the %s measured %llu kHz, which nothing else confirms: ignored", s[m[k]].name,
			     (unsigned long long)s[m[k]].khz);
	return backed;
}

/* The chosen measurement against every claim. */
static bool check_claims(const struct tsc_source *s, unsigned n, unsigned chosen, bool confirmed,
			 struct tsc_decision *d)
{
	for (unsigned c = 0; c < n; c++) {
		if (s[c].kind == TSC_MEASURED || !s[c].khz || calibration_agree(s[c].khz, s[chosen].khz))
			continue;
		if (s[c].kind == TSC_EXACT && !confirmed) {
			d->note[0] = 0;
			note(d, "the %s measured %llu kHz but %s says %llu kHz exactly", s[chosen].name,
			     (unsigned long long)s[chosen].khz, s[c].name, (unsigned long long)s[c].khz);
			return false;
		}
		note(d, "%s says %llu kHz (%s), not what the %s measured: ignored", s[c].name,
		     (unsigned long long)s[c].khz, kind_name(s[c].kind), s[chosen].name);
	}
	return true;
}

static int first_claim(const struct tsc_source *s, unsigned n, enum tsc_source_kind kind)
{
	for (unsigned c = 0; c < n; c++)
		if (s[c].kind == kind && s[c].khz)
			return (int)c;
	return -1;
}

bool calibration_choose(const struct tsc_source *s, unsigned n, struct tsc_decision *d)
{
	d->chosen = -1;
	d->note[0] = 0;
	unsigned m[MAX_SOURCES], nm = 0;
	for (unsigned i = 0; i < n && i < MAX_SOURCES; i++)
		if (s[i].kind == TSC_MEASURED && s[i].khz)
			m[nm++] = i;
	if (nm) {
		bool confirmed = false;
		int chosen = nm == 1 ? (int)m[0] : settle_measurements(s, n, m, nm, &confirmed, d);
		if (chosen < 0 || !check_claims(s, n, (unsigned)chosen, confirmed, d))
			return false;
		d->chosen = chosen;
		return true;
	}
	int c = first_claim(s, n, TSC_EXACT);
	if (c < 0 && (c = first_claim(s, n, TSC_NOMINAL)) >= 0)
		note(d, "no clock could be measured: %s's nominal figure is used, not a measurement",
		     s[c].name);
	if (c < 0) {
		note(d, "no clock could be measured and the CPU states no TSC frequency");
		return false;
	}
	d->chosen = c;
	return true;
}
