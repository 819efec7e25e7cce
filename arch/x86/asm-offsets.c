// SPDX-License-Identifier: MIT
/*
 * asm-offsets.c: structure offsets for assembly, generated at build time
 * (compiled to assembly; the Makefile turns the markers into asm-offsets.h)
 * so .S files never hand-count them.
 */
#include <x86/percpu.h>

#define DEFINE(sym, val) __asm__ __volatile__("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define OFFSET(sym, type, member) DEFINE(sym, __builtin_offsetof(type, member))

void asm_offsets(void);
void asm_offsets(void)
{
	OFFSET(PERCPU_CANARY, struct percpu, stack_canary);
	OFFSET(PERCPU_SELF, struct percpu, self);
}
