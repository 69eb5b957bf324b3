/*
 * Writes docs/catalogue.json from the catalogue itself (experiments/catalogue.c) and the
 * known deviations (experiments/deviations.c): the same facts as docs/experiments.md, for
 * programs. scripts/report takes every title, rule and SDM-derived flag from it, so a
 * report never depends on which experiments a log happens to contain. `make unit-test`
 * fails when the committed file differs from this program's output; `make docs` rewrites it.
 *
 * Schema (bump SCHEMA_VERSION when a field changes meaning or goes away; adding a field
 * does not need a bump, readers ignore fields they do not know):
 *   schema_version, project_version, document (the Markdown twin), expected_from (what
 *   "silicon" and "sdm" mean), platforms[] {key, banner},
 *   experiments[] {number, title, rule, sdm_derived, expected_from, needs_vmx, anchor,
 *                  steps[] {context, text}},
 *   deviations[] {platform, platform_banner, platform_name, experiment, note, evidence, confirmed,
 *   and for a confirmed one its signature: step (1-based) and observed}.
 */
#include <stdbool.h>
#include <stdio.h>

#include "experiments/deviations.h"
#include "experiments/experiment.h"
#include "tests/catalogue_common.h"

#define SCHEMA_VERSION 1

#ifndef PROJECT_VERSION
#define PROJECT_VERSION "unknown"
#endif

/* --- a minimal JSON writer: one value per line, two spaces per level --------------- */

#define MAX_DEPTH 8

static struct {
	unsigned depth;
	bool has_items[MAX_DEPTH];  /* whether the open object/array at that depth has any */
} out;

static void put_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			printf("\\n");
		else if (c == '\t')
			printf("\\t");
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);   /* UTF-8 passes through: JSON text is UTF-8 */
	}
	putchar('"');
}

/* Starts the next item of the open container: the comma, the newline, the indent and,
 * inside an object, the key. */
static void next_item(const char *key)
{
	if (out.depth) {
		printf(out.has_items[out.depth] ? ",\n" : "\n");
		out.has_items[out.depth] = true;
		printf("%*s", (int)(2 * out.depth), "");
	}
	if (key) {
		put_string(key);
		printf(": ");
	}
}

static void open_container(const char *key, char bracket)
{
	next_item(key);
	putchar(bracket);
	out.has_items[++out.depth] = false;
}

static void close_container(char bracket)
{
	bool had_items = out.has_items[out.depth--];
	if (had_items)
		printf("\n%*s", (int)(2 * out.depth), "");
	putchar(bracket);
	if (!out.depth)
		putchar('\n');
}

static void begin_object(const char *key) { open_container(key, '{'); }
static void end_object(void) { close_container('}'); }
static void begin_array(const char *key) { open_container(key, '['); }
static void end_array(void) { close_container(']'); }

static void field_string(const char *key, const char *value)
{
	next_item(key);
	if (value)
		put_string(value);
	else
		printf("null");
}

static void field_uint(const char *key, unsigned value)
{
	next_item(key);
	printf("%u", value);
}

static void field_bool(const char *key, bool value)
{
	next_item(key);
	printf(value ? "true" : "false");
}

/* --- the catalogue ------------------------------------------------------------------- */

static const char *expected_from(const struct experiment *x)
{
	return x->basis == BASIS_SDM ? "sdm" : x->basis == BASIS_APM ? "apm" : "silicon";
}

static void print_steps(const struct experiment *x)
{
	begin_array("steps");
	for (unsigned i = 0; i < x->nsteps; i++) {
		char text[200];
		step_describe_in(x, i, text, sizeof(text));
		begin_object(0);
		field_string("context", x->steps[i].ctx == IN_GUEST ? "G" : "H");
		field_string("text", text);
		end_object();
	}
	end_array();
}

static void print_experiment(const struct experiment *x)
{
	char anchor[32];
	experiment_anchor(x->number, anchor, sizeof(anchor));
	begin_object(0);
	field_uint("number", x->number);
	field_string("title", x->title);
	field_string("rule", x->rule);
	field_string("catalogue", catalogue_of(x->backend)->key);
	field_bool("sdm_derived", x->basis == BASIS_SDM);
	field_bool("apm_derived", x->basis == BASIS_APM);
	field_string("expected_from", expected_from(x));
	field_bool("needs_vmx", experiment_needs_vmx(x));
	field_string("anchor", anchor);
	print_steps(x);
	end_object();
}

static void field_quirks(unsigned quirks)
{
	begin_array("quirks");
	for (unsigned q = 1; q; q <<= 1)
		if (quirks & q)
			field_string(0, model_quirk_name(q));
	end_array();
}

/* Where a platform is expected to deviate: its model predicts otherwise for experiment x.
 * note and evidence are its quirks' (joined); step is where the events first part (0:
 * only a record differs) and observed what the platform's model predicts there. */
static void print_known(const struct platform_names *p, const struct experiment *x, const struct expected_difference *d)
{
	char note[1024] = "", evidence[2048] = "";
	int nn = 0, ne = 0;
	for (unsigned q = 1; q; q <<= 1) {
		const struct deviation *dev = deviation_of(p->kind, q);
		if (!dev || !(d->quirks & q))
			continue;
		nn += snprintf(note + nn, sizeof(note) - (unsigned)nn, "%s%s", nn ? "; " : "", dev->note);
		ne += snprintf(evidence + ne, sizeof(evidence) - (unsigned)ne, "%s%s", ne ? "; " : "", dev->evidence);
	}
	begin_object(0);
	field_string("platform", p->key);
	field_string("platform_banner", p->banner);
	field_string("platform_name", deviation_platform_name(p->kind));
	field_uint("experiment", x->number);
	field_string("note", note);
	field_string("evidence", evidence);
	field_bool("confirmed", true);
	field_bool("certain", d->certain);
	field_quirks(d->quirks);
	field_uint("step", d->step);
	field_string("observed", d->observed);
	end_object();
}

static void print_reported(const struct platform_names *p, const struct reported_deviation *r)
{
	begin_object(0);
	field_string("platform", p->key);
	field_string("platform_banner", p->banner);
	field_string("platform_name", r->platform_name);
	field_uint("experiment", r->experiment);
	field_string("note", r->note);
	field_string("evidence", r->evidence);
	field_bool("confirmed", false);
	end_object();
}

/* Both catalogues, VMX's first. */
static const struct experiment *experiment_at(unsigned i)
{
	return i < catalogue_size ? &catalogue[i] : i < catalogue_size + catalogue_svm_size ? &catalogue_svm[i - catalogue_size] : 0;
}

static void print_deviations(void)
{
	begin_array("deviations");
	for (unsigned p = 0; p < platform_names_count; p++)
		for (unsigned i = 0; experiment_at(i); i++) {
			const struct experiment *x = experiment_at(i);
			struct expected_difference d;
			const struct reported_deviation *r = reported_deviation_for(platform_names[p].kind, x->number);
			if (expected_deviation(x, platform_names[p].kind, &d))
				print_known(&platform_names[p], x, &d);
			else if (r)
				print_reported(&platform_names[p], r);
		}
	end_array();
}

/* The quirks themselves: one entry per platform and clause. */
static void print_quirk_list(void)
{
	begin_array("quirks");
	for (unsigned i = 0; i < deviation_count; i++) {
		const struct deviation *d = &deviations[i];
		begin_object(0);
		field_string("id", model_quirk_name(d->quirk));
		field_string("platform_name", d->platform_name);
		field_string("note", d->note);
		field_string("evidence", d->evidence);
		end_object();
	}
	end_array();
}

static void print_platforms(void)
{
	begin_array("platforms");
	for (unsigned p = 0; p < platform_names_count; p++) {
		begin_object(0);
		field_string("key", platform_names[p].key);
		field_string("banner", platform_names[p].banner);
		end_object();
	}
	end_array();
}

int main(void)
{
	begin_object(0);
	field_uint("schema_version", SCHEMA_VERSION);
	field_string("project_version", PROJECT_VERSION);
	field_string("generated_by", "tests/catalogue_json.c (make docs)");
	field_string("document", "docs/experiments.md");
	begin_object("expected_from");
	field_string("silicon", "what Intel silicon did (the original LHV work)");
	field_string("sdm", "what the Intel SDM prescribes; not yet confirmed on silicon");
	field_string("apm", "what AMD's APM prescribes (the SVM catalogue); not yet confirmed on silicon");
	end_object();
	print_platforms();
	begin_array("experiments");
	for (unsigned i = 0; experiment_at(i); i++)
		print_experiment(experiment_at(i));
	end_array();
	print_deviations();
	print_quirk_list();
	end_object();
	return 0;
}
