/*
 * Runs every test group and summarises. Failures go to stdout, like the summary, so they
 * stay in order and the summary really is the last line. Exits 1 if anything failed.
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit.h"

static int passed;
static int failed;

/* Counting happens in one place so every CHECK_* macro shares the same bookkeeping. */
static bool record(bool ok)
{
	if (ok)
		passed++;
	else
		failed++;
	return ok;
}

bool unit_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok)
		printf("%s:%d: CHECK(%s) failed\n", file, line, expr);
	return record(ok);
}

bool unit_check_str(const char *a, const char *b, const char *expr_a, const char *expr_b,
		    const char *file, int line)
{
	bool ok = (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;

	if (!ok)
		printf("%s:%d: CHECK_STR_EQ(%s, %s) failed\n  got:      \"%s\"\n  expected: \"%s\"\n",
			file, line, expr_a, expr_b, a ? a : "(NULL)", b ? b : "(NULL)");
	return record(ok);
}

bool unit_check_int(long long a, long long b, const char *expr_a, const char *expr_b,
		    const char *file, int line)
{
	bool ok = a == b;

	if (!ok)
		printf("%s:%d: CHECK_INT_EQ(%s, %s) failed\n  got:      %lld (0x%llx)\n  expected: %lld (0x%llx)\n",
			file, line, expr_a, expr_b, a, (unsigned long long)a, b,
			(unsigned long long)b);
	return record(ok);
}

int main(void)
{
	test_format();
	test_cmdline();
	test_controls();
	test_options();
	test_judge();
	test_catalogue();
	test_acpi();
	test_paging();
	test_calibration();
	test_topology();
	test_ept();
	test_model();
	test_svm_model();
	test_scenario();
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
