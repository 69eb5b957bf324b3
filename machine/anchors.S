/*
 * The anchors whose code is the same in both builds (machine/<arch>/anchors.S has the
 * others): each is an instruction and a RET, which assemble alike in 32-bit and 64-bit
 * code.
 */
	.text

/*
 * void execute_clgi(void), void execute_stgi(void): GIF = 0 / 1 (AMD SVM; in a guest with
 * VGIF, V_GIF). What GIF = 0 held is taken right after the STGI, at after_stgi.
 */
	.global execute_clgi, execute_stgi, after_stgi
execute_clgi:
	clgi
	ret
execute_stgi:
	stgi
after_stgi:
	ret

/*
 * void execute_int2(void): INT 2, a software interrupt through the NMI gate: the NMI
 * handler runs, but the processor's NMI handling does not (SDM Vol. 3A 6.3.3). The
 * handler returns to after_int2.
 */
	.global execute_int2, after_int2
execute_int2:
	int $2
after_int2:
	ret
