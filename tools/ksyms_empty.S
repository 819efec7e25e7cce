/* SPDX-License-Identifier: MIT */
/* ksyms_empty.S: the empty symbol table of the first kernel link pass. */
	.section .ksyms, "a"
	.balign 8
	.globl ksyms_count, ksyms_table, ksyms_names
ksyms_count:
	.quad 0
ksyms_table:
ksyms_names:
	.byte 0
