/* SPDX-License-Identifier: MIT */
/*
 * isr.S: one entry stub per interrupt vector. Each pushes a zero error code
 * where the CPU pushes none, then its vector, and joins trap_common, which
 * saves the general registers into a struct trap_frame (trap.h) for
 * trap_dispatch. No user mode exists, so there is no swapgs.
 */
	.text

/* Exceptions that push an error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

/*
 * 256 stubs of exactly ISR_STUB_SIZE bytes each, so the IDT finds stub v at
 * isr_stubs_start + v * ISR_STUB_SIZE (desc.c) without a table.
 */
	.balign 16
	.globl isr_stubs_start
isr_stubs_start:
	.set v, 0
	.rept 256
	.balign 16
	.if HAS_ERR(v)
	.else
	pushq $0
	.endif
	pushq $v
	jmp trap_common
	.set v, v + 1
	.endr
	.balign 16
	.globl isr_stubs_end
isr_stubs_end:

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

