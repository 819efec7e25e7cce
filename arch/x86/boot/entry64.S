/* SPDX-License-Identifier: MIT */
/*
 * entry64.S: the kernel's 64-bit entry (contract in tv/boot.h), used by the
 * UEFI loader; the multiboot2 path joins at boot_cpu_setup. Moves to the
 * kernel's own boot stack and gives C code its per-CPU area and canary.
 */
#include <tv/boot.h>
#include "asm-offsets.h"

	.section .text.boot, "ax"
	.code64
	.globl _start
_start:
	cli
	cld
	leaq boot_stack_top(%rip), %rsp
	movq %rdi, %r12
	movq %rsi, %r13
	movq %rdx, %r14
	call boot_cpu_setup
	movq %r12, %rdi
	movq %r13, %rsi
	movq %r14, %rdx
	xorl %ebp, %ebp
	call kmain
1:	cli
	hlt
	jmp 1b

/*
 * FS and GS bases -> the boot CPU's per-CPU area, whose stack canary (at
 * %fs:0x28, where GCC and Debian's libfdt.a look) gets a TSC-derived value.
 * Must run before the first C function compiled with the stack protector.
 * Clobbers rax, rcx, rdx.
 */
	.globl boot_cpu_setup
boot_cpu_setup:
	leaq bsp_percpu(%rip), %rax
	movq %rax, %rdx
	shrq $32, %rdx
	movl $0xc0000100, %ecx
	wrmsr
	movl $0xc0000101, %ecx
	wrmsr
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movabsq $0x9e3779b97f4a7c15, %rcx
	imulq %rcx, %rax
	movb $0, %al		/* a NUL byte stops string overflows reading it */
	movq %rax, bsp_percpu + PERCPU_CANARY(%rip)
	ret

	.bss
	.balign 16
	.globl boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
