#include <stdint.h>

#include "tests/unit.h"
#include "vmx/controls.h"

/* IA32_VMX_PINBASED_CTLS as Bochs and many CPUs report it: bits 1, 2 and 4 must be 1,
 * bits 0-6 may be 1, nothing above (no posted interrupts, no preemption timer). */
#define PIN_CAP 0x0000007f00000016ULL
#define PIN_MUST_BE_ONE 0x16u

/* A primary processor-based capability with the usual default-1 bits required and
 * everything allowed except NMI-window exiting (bit 22). */
#define PROC_MUST_BE_ONE 0x0401e172u
#define NMI_WINDOW_EXITING (1u << 22)
#define HLT_EXITING (1u << 7)
#define PROC_CAP ((uint64_t)(0xffffffffu & ~NMI_WINDOW_EXITING) << 32 | PROC_MUST_BE_ONE)

#define ALL_ALLOWED_CAP 0xffffffff00000000ULL

static void test_pin_based(void)
{
	struct control_choice c = vmx_adjust_controls(PIN_CAP, 0);
	CHECK_INT_EQ(c.value, PIN_MUST_BE_ONE);
	CHECK_INT_EQ(c.refused, 0);

	/* External-interrupt exiting (0) and NMI exiting (3) are allowed. */
	c = vmx_adjust_controls(PIN_CAP, 1u << 0 | 1u << 3);
	CHECK_INT_EQ(c.value, 0x1f);
	CHECK_INT_EQ(c.refused, 0);

	/* Posted interrupts (7) and the preemption timer (6 is allowed here, 7 is not). */
	c = vmx_adjust_controls(PIN_CAP, 1u << 6 | 1u << 7);
	CHECK_INT_EQ(c.refused, 1u << 7);
	CHECK_INT_EQ(c.value, PIN_MUST_BE_ONE | 1u << 6);

}

static void test_proc_based(void)
{
	struct control_choice c = vmx_adjust_controls(PROC_CAP, NMI_WINDOW_EXITING | HLT_EXITING);
	CHECK_INT_EQ(c.refused, NMI_WINDOW_EXITING);
	CHECK_INT_EQ(c.value & NMI_WINDOW_EXITING, 0);
	CHECK_INT_EQ(c.value, PROC_MUST_BE_ONE | HLT_EXITING);

	c = vmx_adjust_controls(PROC_CAP, HLT_EXITING);
	CHECK_INT_EQ(c.refused, 0);
	CHECK_INT_EQ(c.value, PROC_MUST_BE_ONE | HLT_EXITING);
}

static void test_all_allowed(void)
{
	struct control_choice c = vmx_adjust_controls(ALL_ALLOWED_CAP, 0xdeadbeef);
	CHECK_INT_EQ(c.value, 0xdeadbeef);
	CHECK_INT_EQ(c.refused, 0);

	/* Nothing allowed to be 1: every wanted bit is refused. */
	c = vmx_adjust_controls(0, 0x12345678);
	CHECK_INT_EQ(c.refused, 0x12345678);
	CHECK_INT_EQ(c.value, 0);
}

/* Whatever is wanted, the required bits are in .value, refused bits are not, and when
 * nothing is refused the result is a legal setting. */
static void test_must_be_one_always_set(void)
{
	static const uint64_t caps[] = { PIN_CAP, PROC_CAP, ALL_ALLOWED_CAP };
	static const uint32_t wanted[] = { 0, 1, 0x80, HLT_EXITING, NMI_WINDOW_EXITING,
					   0xffffffff, 0x55555555, 0xaaaaaaaa };

	for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		uint32_t must_be_one = (uint32_t)caps[i];
		for (unsigned j = 0; j < sizeof(wanted) / sizeof(wanted[0]); j++) {
			struct control_choice c = vmx_adjust_controls(caps[i], wanted[j]);
			CHECK_INT_EQ(c.value & must_be_one, must_be_one);
			CHECK_INT_EQ(c.value & c.refused, 0);
			CHECK_INT_EQ(c.refused & ~wanted[j], 0);
			CHECK_INT_EQ(c.value | c.refused, c.value | wanted[j]);
			if (c.refused == 0)  /* a legal setting: nothing the CPU forbids */
				CHECK_INT_EQ(c.value & ~(uint32_t)(caps[i] >> 32), 0);
		}
	}
}

/* IA32_FEATURE_CONTROL: unlocked, locked with VMXON outside SMX, only inside SMX (TXT), off. */
static void test_feature_control(void)
{
	const char *why = "(none)";
	CHECK(vmx_feature_control_allows_vmxon(0, &why));
	CHECK(vmx_feature_control_allows_vmxon(0x5, &why));
	CHECK(vmx_feature_control_allows_vmxon(0x7, &why));
	CHECK(!vmx_feature_control_allows_vmxon(0x3, &why));
	CHECK_STR_EQ(why, "the firmware allows VMX only inside SMX, in an Intel TXT measured launch "
			  "(IA32_FEATURE_CONTROL locked with bit 1 set, bit 2 clear); enable VT-x itself, "
			  "not only TXT, in the firmware setup");
	CHECK(!vmx_feature_control_allows_vmxon(0x1, &why));
	CHECK_STR_EQ(why, "VMX disabled by firmware (IA32_FEATURE_CONTROL locked with VMXON off); "
			  "enable VT-x in the firmware setup");
}

void test_controls(void)
{
	test_feature_control();
	test_pin_based();
	test_proc_based();
	test_all_allowed();
	test_must_be_one_always_set();
}
