/* SPDX-License-Identifier: MIT */
/*
 * svm_entry.S: the AMD-V world switch.
 *   svm_vmrun(vmcb_pa = rdi, regs = rsi (struct vcpu.regs), host_save_pa = rdx)
 * VMRUN switches RAX, RSP, RIP, RFLAGS, control and segment registers; the
 * other GPRs are ours to swap, and the state VMRUN leaves alone (FS/GS/TR/
 * LDTR bases, KernelGSBase, STAR family, SYSENTER) moves with VMSAVE/VMLOAD:
 * the host's into its own save page, the guest's into its VMCB. The caller
 * holds GIF clear, so nothing can interrupt the half-switched state.
 */
#include "asm-offsets.h"

	.text
	.globl svm_vmrun
svm_vmrun:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx		/* 16(%rsp): host save area */
	pushq %rsi		/* 8(%rsp): guest GPRs */
	pushq %rdi		/* 0(%rsp): guest VMCB */

	movq %rdx, %rax
	vmsave
	movq 0(%rsp), %rax
	vmload

	movq 8(%rsp), %rax
	movq GPR_RBX(%rax), %rbx
	movq GPR_RCX(%rax), %rcx
	movq GPR_RDX(%rax), %rdx
	movq GPR_RSI(%rax), %rsi
	movq GPR_RDI(%rax), %rdi
	movq GPR_RBP(%rax), %rbp
	movq GPR_R8(%rax), %r8
	movq GPR_R9(%rax), %r9
	movq GPR_R10(%rax), %r10
	movq GPR_R11(%rax), %r11
	movq GPR_R12(%rax), %r12
	movq GPR_R13(%rax), %r13
	movq GPR_R14(%rax), %r14
	movq GPR_R15(%rax), %r15
	movq 0(%rsp), %rax
	vmrun
	/* #VMEXIT: RAX = the VMCB again, RSP ours, the other GPRs the guest's */
	vmsave

	movq 8(%rsp), %rax
	movq %rbx, GPR_RBX(%rax)
	movq %rcx, GPR_RCX(%rax)
	movq %rdx, GPR_RDX(%rax)
	movq %rsi, GPR_RSI(%rax)
	movq %rdi, GPR_RDI(%rax)
	movq %rbp, GPR_RBP(%rax)
	movq %r8, GPR_R8(%rax)
	movq %r9, GPR_R9(%rax)
	movq %r10, GPR_R10(%rax)
	movq %r11, GPR_R11(%rax)
	movq %r12, GPR_R12(%rax)
	movq %r13, GPR_R13(%rax)
	movq %r14, GPR_R14(%rax)
	movq %r15, GPR_R15(%rax)
	/* Leave no guest values in registers for host code to speculate on. */
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d

	movq 16(%rsp), %rax
	vmload			/* host FS/GS bases again: the stack canary is at %fs:0x28 */
	addq $24, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
