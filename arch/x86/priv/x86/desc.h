/* SPDX-License-Identifier: MIT */
/* desc.h: segment descriptors, the TSS and the IDT for x86-64. */
#ifndef X86_DESC_H
#define X86_DESC_H

#include <tv/compiler.h>
#include <tv/types.h>

/* GDT layout, the same on every CPU; VMX host state and SYSCALL never change these. */
#define GDT_NULL 0
#define GDT_KCODE 1
#define GDT_KDATA 2
#define GDT_TSS 3            /* two slots */
#define GDT_ENTRIES 5
#define SEL_KCODE (GDT_KCODE * 8)
#define SEL_KDATA (GDT_KDATA * 8)
#define SEL_TSS (GDT_TSS * 8)

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];              /* ist[0] is IST1 */
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

_Static_assert(sizeof(struct tss64) == 104, "TSS size");
_Static_assert(__builtin_offsetof(struct tss64, ist) == 0x24, "TSS IST offset");

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

/* Load the IDT shared by all CPUs (built on first call). */
void idt_load(void);
/* Set the IST index of a vector's gate (0 = current stack). */
void idt_set_ist(unsigned vector, unsigned ist);

#endif
