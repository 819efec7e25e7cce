/* SPDX-License-Identifier: MIT */
/*
 * smp_tramp.S: where application processors start. A SIPI starts an AP in
 * real mode at a page below 1 MiB; smp.c copies smp_tramp_start..end there
 * and fills in the data slots. The AP goes straight from real mode to long
 * mode (PAE, LME, then PE and PG in one write, which the SDM permits) on
 * page tables below 4 GiB that map this page 1:1 and the kernel's upper
 * half, jumps to ap_entry64 in the kernel and takes the kernel's own CR3.
 */
#include "asm-offsets.h"

#define CR4_PAE (1 << 5)
#define EFER_LME (1 << 8)
#define CR0_PE_ET_PG 0x80000011

	.section .rodata, "a"
	.code16
	.balign 16
	.globl smp_tramp_start
smp_tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tr_gdtr - smp_tramp_start
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl tr_cr3 - smp_tramp_start, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $EFER_LME, %eax
	orl tr_efer - smp_tramp_start, %eax	/* NXE: kernel PTEs carry NX */
	wrmsr
	movl $CR0_PE_ET_PG, %eax
	movl %eax, %cr0
	ljmpl *(tr_ljmp - smp_tramp_start)

	.code64
tr_long:
	movq tr_target(%rip), %rax
	jmp *%rax

	.balign 8
tr_gdt:
	.quad 0
	.quad 0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff		/* 0x10: data */
tr_gdt_end:
	.globl smp_tramp_gdtr
tr_gdtr:
smp_tramp_gdtr:
	.word tr_gdt_end - tr_gdt - 1
	.long 0					/* base: page + (tr_gdt - start) */
	.globl smp_tramp_cr3, smp_tramp_efer, smp_tramp_ljmp, smp_tramp_target
	.balign 4
tr_cr3:
smp_tramp_cr3:
	.long 0
tr_efer:
smp_tramp_efer:
	.long 0
tr_ljmp:
smp_tramp_ljmp:
	.long 0					/* page + (tr_long - start) */
	.word 0x08
	.balign 8
tr_target:
smp_tramp_target:
	.quad 0
	.globl smp_tramp_long, smp_tramp_gdt
	.set smp_tramp_long, tr_long
	.set smp_tramp_gdt, tr_gdt
	.globl smp_tramp_end
smp_tramp_end:

/*
 * ap_entry64: upper half, still on the trampoline's page tables. Takes the
 * kernel's CR3, the stack and per-CPU area smp.c prepared for this AP
 * (FS and GS bases, as boot_cpu_setup does for the boot CPU) and calls
 * ap_main(percpu), which never returns.
 */
	.text
	.globl ap_entry64
ap_entry64:
	movq smp_boot_cr3(%rip), %rax
	movq %rax, %cr3
	movq smp_boot_stack(%rip), %rsp
	movq smp_boot_percpu(%rip), %rdi
	movq %rdi, %rax
	movq %rdi, %rdx
	shrq $32, %rdx
	movl $0xc0000100, %ecx
	wrmsr
	movl $0xc0000101, %ecx
	wrmsr
	xorl %ebp, %ebp
	call ap_main
1:	cli
	hlt
	jmp 1b
