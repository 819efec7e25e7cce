/* SPDX-License-Identifier: MIT */
/*
 * vmx_entry.S: the VT-x world switch.
 *   int vmx_vmrun(regs = rdi (struct vcpu.regs), launched = esi)
 * VM entry loads RSP, RIP, RFLAGS, control and segment registers from the
 * VMCS; the other GPRs are ours to swap. A VM exit lands at vmx_exit_point
 * (HOST_RIP) with RSP = HOST_RSP, which we set to this frame just before
 * entering, so the exit finds the regs pointer on top of the stack.
 * The caller holds interrupts off; a VM exit leaves them off (RFLAGS = 2).
 */
#include "asm-offsets.h"

	.text
	.globl vmx_vmrun
vmx_vmrun:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi		/* 0(%rsp): guest GPRs, found again at the exit */

	movq $VMCS_HOST_RSP, %rax
	vmwrite %rsp, %rax
	jbe .Lfail_early	/* CF or ZF: VMfail */

	testl %esi, %esi
	movq GPR_RAX(%rdi), %rax
	movq GPR_RBX(%rdi), %rbx
	movq GPR_RCX(%rdi), %rcx
	movq GPR_RDX(%rdi), %rdx
	movq GPR_RSI(%rdi), %rsi
	movq GPR_RBP(%rdi), %rbp
	movq GPR_R8(%rdi), %r8
	movq GPR_R9(%rdi), %r9
	movq GPR_R10(%rdi), %r10
	movq GPR_R11(%rdi), %r11
	movq GPR_R12(%rdi), %r12
	movq GPR_R13(%rdi), %r13
	movq GPR_R14(%rdi), %r14
	movq GPR_R15(%rdi), %r15
	movq GPR_RDI(%rdi), %rdi	/* last: it was the pointer; MOVs leave ZF from the test */
	jnz 1f
	vmlaunch
	jmp .Lfail
1:	vmresume
.Lfail:
	/* Falling through is VMfail: no guest state was loaded, nothing to save. */
	movq 0(%rsp), %rdi
	xorl %eax, %eax
	movq %rax, %rbx			/* scrub what we loaded for the guest */
	movq %rax, %rcx
	movq %rax, %rdx
	movq %rax, %rsi
	movq %rax, %r8
	movq %rax, %r9
	movq %rax, %r10
	movq %rax, %r11
.Lfail_early:
	movl $1, %eax
	jmp .Lout

	.globl vmx_exit_point
vmx_exit_point:
	/* RSP = HOST_RSP: the regs pointer is on top; every GPR but RSP is the guest's. */
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, GPR_RAX(%rdi)
	movq %rbx, GPR_RBX(%rdi)
	movq %rcx, GPR_RCX(%rdi)
	movq %rdx, GPR_RDX(%rdi)
	movq %rsi, GPR_RSI(%rdi)
	movq %rbp, GPR_RBP(%rdi)
	movq %r8, GPR_R8(%rdi)
	movq %r9, GPR_R9(%rdi)
	movq %r10, GPR_R10(%rdi)
	movq %r11, GPR_R11(%rdi)
	movq %r12, GPR_R12(%rdi)
	movq %r13, GPR_R13(%rdi)
	movq %r14, GPR_R14(%rdi)
	movq %r15, GPR_R15(%rdi)
	popq %rax
	movq %rax, GPR_RDI(%rdi)
	/* Leave no guest values in registers for host code to speculate on. */
	xorl %eax, %eax
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
.Lout:
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
