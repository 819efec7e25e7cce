/* SPDX-License-Identifier: MIT */
/* cr.h: control register accessors. */
#ifndef X86_CR_H
#define X86_CR_H

#include <tv/types.h>

#define CR0_PE (1ull << 0)
#define CR0_NE (1ull << 5)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_VMXE (1ull << 13)

#define CR_ACCESSORS(n)                                                                    \
	static inline u64 read_cr##n(void)                                                 \
	{                                                                                  \
		u64 v;                                                                     \
		__asm__ __volatile__("movq %%cr" #n ", %0" : "=r"(v));                   \
		return v;                                                                  \
	}                                                                                  \
	static inline void write_cr##n(u64 v)                                             \
	{                                                                                  \
		__asm__ __volatile__("movq %0, %%cr" #n : : "r"(v) : "memory");           \
	}
CR_ACCESSORS(0)
CR_ACCESSORS(2)
CR_ACCESSORS(3)
CR_ACCESSORS(4)
#undef CR_ACCESSORS

#endif
