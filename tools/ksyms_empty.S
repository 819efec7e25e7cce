/* SPDX-License-Identifier: MIT */
/* ksyms_empty.S: the empty symbol table of the first kernel link pass. */
	.section .ksyms, "a"
	.balign 8
	.globl ksyms_count, ksyms_addr32, ksyms_names
ksyms_count:
	.quad 0
ksyms_addr32:
ksyms_names:
	.byte 0
