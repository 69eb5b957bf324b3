/*
 * A tiny assertion framework for the host-side unit tests. A failed check prints where it
 * was and what the values were, then the test carries on so one run reports every failure.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <stdbool.h>

#define CHECK(cond) unit_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_STR_EQ(a, b) unit_check_str((a), (b), #a, #b, __FILE__, __LINE__)
/* Compared as 64-bit signed; the failure message also shows hex for bit masks. */
#define CHECK_INT_EQ(a, b) \
	unit_check_int((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)

bool unit_check(bool ok, const char *expr, const char *file, int line);
/* NULL is a legal argument and only equals NULL. */
bool unit_check_str(const char *a, const char *b, const char *expr_a, const char *expr_b,
		    const char *file, int line);
bool unit_check_int(long long a, long long b, const char *expr_a, const char *expr_b,
		    const char *file, int line);

/* The test groups unit_main.c runs. */
void test_format(void);
void test_cmdline(void);
void test_controls(void);
void test_options(void);
void test_judge(void);
void test_catalogue(void);
void test_acpi(void);
void test_paging(void);
void test_calibration(void);
void test_topology(void);
void test_ept(void);
void test_model(void);
void test_svm_model(void);
void test_scenario(void);

#endif
