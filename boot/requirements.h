/*
 * The CPU features a boot path relies on before any C runs, as a table that the entry
 * code hands to check_requirements (boot/requirements.S). For .S files only.
 */
#ifndef BOOT_REQUIREMENTS_H
#define BOOT_REQUIREMENTS_H

/* CPUID output registers, as the table names them. */
#define REG_EAX 0
#define REG_EBX 1
#define REG_ECX 2
#define REG_EDX 3

/* One requirement: CPUID.leaf:reg[bit] must be 1, else the run ends with
 * "Bail out! message". The messages go to a section of their own, so that the table
 * stays a plain array of 16-byte entries. */
.macro REQUIRE leaf, reg, bit, message
	.long \leaf, \reg, \bit, .Lrequirement_message\@
	.pushsection .rodata.requirement_messages, "a"
.Lrequirement_message\@:
	.asciz "\message"
	.popsection
.endm

.macro END_REQUIREMENTS
	.long 0
.endm

#endif
