// SPDX-License-Identifier: MIT
/*
 * realmode.c: a guest may leave long mode for real mode, as firmware and
 * boot loaders do. From 64-bit code it drops to 32-bit compatibility mode,
 * turns paging off, clears EFER.LME (an intercepted WRMSR), goes through
 * 16-bit protected mode to real mode, and there checks segmentation
 * (two segment:offset pairs naming one linear address), reads CR0.PE
 * back with SMSW, prints its verdict with plain OUTs and powers off. Under
 * VT-x this needs unrestricted guest; under AMD-V it is native.
 */
#include "rt.h"

TV_TEST_NAME("realmode");

#define STUB_BASE 0x2000ul       /* free low RAM in the VM layout, below 64 KiB */
#define SEL_CODE32 0x08
#define SEL_CODE16 0x10
#define SEL_DATA16 0x18

/*
 * The stub runs at STUB_BASE once copied there; every absolute address in
 * it is written as (label - rm_stub + STUB_BASE). Interrupts stay off: real
 * mode has no IDT of ours.
 */
__asm__(
	".section .rodata\n"
	".globl rm_stub, rm_stub_end\n"
	".code64\n"
	"rm_stub:\n"
	"	lgdt rm_gdtr(%rip)\n"
	"	pushq $0x08\n"
	"	pushq $(rm_pm32 - rm_stub + 0x2000)\n"
	"	lretq\n"
	".code32\n"
	"rm_pm32:\n"                          /* compatibility mode, paging still on */
	"	movl %cr0, %eax\n"
	"	andl $0x7fffffff, %eax\n"
	"	movl %eax, %cr0\n"                /* paging off: long mode ends, LMA clears */
	"	movl $0xc0000080, %ecx\n"
	"	rdmsr\n"
	"	andl $0xfffffeff, %eax\n"
	"	wrmsr\n"                          /* EFER.LME off */
	"	ljmp $0x10, $(rm_pm16 - rm_stub + 0x2000)\n"
	".code16\n"
	"rm_pm16:\n"                          /* 16-bit protected mode */
	"	movw $0x18, %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %es\n"
	"	movw %ax, %ss\n"
	"	movl %cr0, %eax\n"
	"	andl $0xfffffffe, %eax\n"
	"	movl %eax, %cr0\n"                /* PE off */
	"	ljmp $0, $(rm_real - rm_stub + 0x2000)\n"
	"rm_real:\n"
	"	xorw %ax, %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %ss\n"
	"	movw $0x1ff0, %sp\n"
	"	movw $0x1000, %ax\n"              /* 0x1000:0x0000 and 0x0fff:0x0010 are both 0x10000 */
	"	movw %ax, %es\n"
	"	movw $0x0fff, %ax\n"
	"	movw %ax, %fs\n"
	"	movw $0x5aa5, %es:0\n"
	"	movw $(rm_fail_seg - rm_stub + 0x2000), %si\n"
	"	cmpw $0x5aa5, %fs:0x10\n"
	"	jne 2f\n"
	"	smsw %ax\n"
	"	movw $(rm_fail_pe - rm_stub + 0x2000), %si\n"
	"	testw $1, %ax\n"
	"	jnz 2f\n"
	"	movw $(rm_pass - rm_stub + 0x2000), %si\n"
	"2:	movw $0x3f8, %dx\n"
	"3:	lodsb\n"
	"	testb %al, %al\n"
	"	jz 4f\n"
	"	outb %al, %dx\n"
	"	jmp 3b\n"
	"4:	movw $0x604, %dx\n"
	"	movw $0x3400, %ax\n"              /* SLP_TYP 5, SLP_EN: S5 */
	"	outw %ax, %dx\n"
	"5:	hlt\n"
	"	jmp 5b\n"
	".balign 8\n"
	"rm_gdt:\n"
	"	.quad 0\n"
	"	.quad 0x00cf9b000000ffff\n"       /* 0x08: 32-bit code, base 0, 4 GiB */
	"	.quad 0x00009b000000ffff\n"       /* 0x10: 16-bit code, base 0, 64 KiB */
	"	.quad 0x000093000000ffff\n"       /* 0x18: 16-bit data, base 0, 64 KiB */
	"rm_gdtr:\n"
	"	.word rm_gdtr - rm_gdt - 1\n"
	"	.quad rm_gdt - rm_stub + 0x2000\n"
	"rm_pass: .asciz \"realmode: in real mode: segments ok, CR0.PE clear\\nTV-TEST realmode: PASS\\n\"\n"
	"rm_fail_seg: .asciz \"TV-TEST realmode: FAIL 0x1000:0 and 0x0fff:0x10 differ in real mode\\n\"\n"
	"rm_fail_pe: .asciz \"TV-TEST realmode: FAIL SMSW shows CR0.PE set in real mode\\n\"\n"
	"rm_stub_end:\n"
	".code64\n"
	".previous\n");

extern const u8 rm_stub[], rm_stub_end[];

void guest_main(const u8 *boot_params)
{
	(void)boot_params;
	tv_printf("realmode: leaving long mode through compatibility and 16-bit protected mode\n");
	memcpy((void *)STUB_BASE, rm_stub, (unsigned long)(rm_stub_end - rm_stub));
	((void (*)(void))STUB_BASE)();
	tv_printf("TV-TEST realmode: FAIL came back from the real-mode stub\n");
	poweroff();
}
