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

/* Every register of a struct gprs but the accumulator, from and to the frame at `frame`
 * (slot 0 is the accumulator: VMRUN takes the VMCB's address there and #VMEXIT gives it
 * back). The offsets follow PUSH_GPRS's order. */
.macro LOAD_GPRS_BUT_ACC frame
	movl 4(\frame), %ebx
	movl 8(\frame), %ecx
	movl 12(\frame), %edx
	movl 16(\frame), %esi
	movl 20(\frame), %edi
	movl 24(\frame), %ebp
.endm

.macro SAVE_GPRS_BUT_ACC frame
	movl %ebx, 4(\frame)
	movl %ecx, 8(\frame)
	movl %edx, 12(\frame)
	movl %esi, 16(\frame)
	movl %edi, 20(\frame)
	movl %ebp, 24(\frame)
.endm

#define GPRS_COUNT 7
