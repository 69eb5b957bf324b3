/* See machine/amd64/gprs.h. */
.macro PUSH_GPRS
	pushl %ebp
	pushl %edi
	pushl %esi
	pushl %edx
	pushl %ecx
	pushl %ebx
	pushl %eax
.endm

.macro POP_GPRS
	popl %eax
	popl %ebx
	popl %ecx
	popl %edx
	popl %esi
	popl %edi
	popl %ebp
.endm

#define GPRS_COUNT 7
