/* SPDX-License-Identifier: MIT */
/*
 * mb2_entry.S: the multiboot2 entry. GRUB enters in 32-bit protected mode,
 * paging off, eax = magic, ebx = physical address of the boot information.
 * Build page tables like the UEFI loader's (identity and direct map of the
 * first 4 GiB, the kernel window), enter long mode and continue in C
 * (mb2.c), which turns GRUB's tags into the common boot-info FDT.
 * Until paging is on, every address is physical: PA() converts link-time
 * (virtual) addresses.
 */
#include <tv/boot.h>

#define PA(x) ((x) - KERNEL_VMA_BASE + KERNEL_LMA_DEFAULT)
#define MB2_BOOT_MAGIC 0x36d76289
#define PTE_PW 0x03
#define PTE_PWS 0x83
#define COM1 0x3f8

	.section .text.boot, "ax"
	.code32
	.globl mb2_entry
mb2_entry:
	cli
	cld
	movl $PA(boot_stack_top), %esp
	movl %ebx, PA(mb2_info_pa)
	cmpl $MB2_BOOT_MAGIC, %eax
	movl $PA(msg_magic), %esi
	jne die32

	/* Long mode? (CPUID 0x80000001 EDX bit 29) */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	movl $PA(msg_longmode), %esi
	jb die32
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc die32

	/* 2048 2-MiB pages: [0, 4 GiB) */
	movl $PA(boot_pd), %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $PTE_PWS, %eax
	movl %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 1b

	movl $PA(boot_pdpt), %edi
	movl $(PA(boot_pd) + PTE_PW), %eax
	xorl %ecx, %ecx
2:	movl %eax, (%edi, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jb 2b

	/* identity (slot 0) and direct map (slot 256) share the PDPT */
	movl $PA(boot_pml4), %edi
	movl $(PA(boot_pdpt) + PTE_PW), %eax
	movl %eax, 0(%edi)
	movl %eax, 256 * 8(%edi)
	movl $(PA(boot_kpdpt) + PTE_PW), %eax
	movl %eax, 511 * 8(%edi)
	movl $(PA(boot_kpd) + PTE_PW), %eax
	movl %eax, PA(boot_kpdpt) + 510 * 8

	/* kernel window: KERNEL_VMA_BASE -> KERNEL_LMA_DEFAULT, 2 MiB pages */
	movl $PA(boot_kpd), %edi
	movl $(KERNEL_LMA_DEFAULT + PTE_PWS), %eax
	xorl %ecx, %ecx
3:	movl %eax, (%edi, %ecx, 8)
	addl $0x200000, %eax
	incl %ecx
	movl %eax, %edx
	andl $0xfffff000, %edx
	cmpl $PA(__kernel_end), %edx
	jb 3b

	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl $PA(boot_pml4), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	orl $(1 << 8), %eax
	wrmsr
	movl %cr0, %eax
	andl $~((1 << 30) | (1 << 29)), %eax	/* caches on (CD, NW clear) */
	orl $((1 << 31) | (1 << 16) | (1 << 5) | 1), %eax	/* PG WP NE PE */
	movl %eax, %cr0
	lgdt PA(boot_gdt_desc)
	ljmp $0x08, $PA(mb2_long)

/* Print the NUL-terminated message at esi on COM1 and the VGA text screen, halt. */
die32:
	movl $0xb8000, %edi
4:	lodsb
	testb %al, %al
	jz 6f
	movb %al, %bl
	movw $(COM1 + 5), %dx
5:	inb %dx, %al
	testb $0x20, %al
	jz 5b
	movw $COM1, %dx
	movb %bl, %al
	outb %al, %dx
	movb %bl, (%edi)
	movb $0x4f, 1(%edi)
	addl $2, %edi
	jmp 4b
6:	cli
	hlt
	jmp 6b

	.code64
mb2_long:
	movabsq $mb2_high, %rax
	jmpq *%rax
mb2_high:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	leaq boot_stack_top(%rip), %rsp
	call boot_cpu_setup
	movl mb2_info_pa(%rip), %edi
	xorl %ebp, %ebp
	call mb2_main		/* builds the FDT, calls kmain; never returns */
7:	cli
	hlt
	jmp 7b

	.section .rodata
msg_magic:
	.asciz "thinvisor: not started by a multiboot2 loader"
msg_longmode:
	.asciz "thinvisor: this CPU has no 64-bit long mode"

	.data
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdt_desc:
	.short boot_gdt_end - boot_gdt - 1
	.long PA(boot_gdt)
mb2_info_pa:
	.long 0

	.bss
	.balign 4096
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
boot_kpdpt:
	.skip 4096
boot_kpd:
	.skip 4096
