/* SPDX-License-Identifier: MIT */
/*
 * start.S: entry and exception stubs of thinvisor's test guests.
 *
 * thinvisor enters _start in 64-bit mode, CPL 0, interrupts off, with
 * RSI = boot_params (0x7000) and RSP = 0x7000. We move to a 64 KiB stack in
 * our bss (the loader zeroed it) and call tv_rt_main(boot_params).
 */

	.section .text.start, "ax"
	.code64
	.globl _start
_start:
	cli
	cld
	movabs	$tv_stack_top, %rsp
	xorl	%ebp, %ebp
	movq	%rsi, %rdi
	call	tv_rt_main
1:	cli
	hlt
	jmp	1b

/*
 * One 16-byte stub per vector at tv_isr_stubs + 16 * vector. Each pushes a
 * dummy error code where the CPU pushes none, then the vector number, so the
 * common path always sees the same frame (struct tv_frame in rt.h).
 */
	.text
	.balign 16
	.globl tv_isr_stubs
tv_isr_stubs:
	.set	vec, 0
	.rept	256
	.balign	16
	.if	!((vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30))
	pushq	$0
	.endif
	pushq	$vec
	jmp	tv_isr_common
	.set	vec, vec + 1
	.endr

tv_isr_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	/* The CPU aligned RSP to 16 before its pushes; 22 quadwords keep it so. */
	movq	%rsp, %rdi
	call	tv_isr_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp
	iretq

	.section .bss
	.balign 4096
	.globl tv_stack, tv_stack_top
tv_stack:
	.skip	65536
tv_stack_top:

	.section .note.GNU-stack, "", @progbits
