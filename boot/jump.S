/* SPDX-License-Identifier: MIT */
/*
 * jump.S: the last instructions of the loader. Runs identity-mapped, so the
 * switch to the kernel's boot page tables (which keep the identity map) is safe.
 * jump_to_kernel(cr3=rdi, entry=rsi, stack_top=rdx, fdt=rcx, magic=r8, kphys=r9)
 */
	.text
	.globl jump_to_kernel
jump_to_kernel:
	cli
	cld
	movq %rdi, %cr3
	movq %rdx, %rsp
	movq %rsi, %rax
	movq %rcx, %rdi
	movq %r8, %rsi
	movq %r9, %rdx
	xorl %ebp, %ebp
	pushq $0		/* no return address: backtraces stop here */
	jmpq *%rax
