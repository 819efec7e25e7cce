// SPDX-License-Identifier: MIT
/*
 * asm-offsets.c: structure offsets for assembly, generated at build time
 * (compiled to assembly; the Makefile turns the markers into asm-offsets.h)
 * so .S files never hand-count them.
 */
#include <x86/percpu.h>
#include <tv/vmm.h>
#include "vmx/vmcs.h"

#define DEFINE(sym, val) __asm__ __volatile__("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define OFFSET(sym, type, member) DEFINE(sym, __builtin_offsetof(type, member))

void asm_offsets(void);
void asm_offsets(void)
{
	OFFSET(PERCPU_CANARY, struct percpu, stack_canary);
	OFFSET(PERCPU_SELF, struct percpu, self);
	/* Guest GPR slots in struct vcpu.regs, for the world switches. */
#define GPR(r) DEFINE(GPR_##r, VREG_##r * 8)
	GPR(RAX);
	GPR(RBX);
	GPR(RCX);
	GPR(RDX);
	GPR(RSI);
	GPR(RDI);
	GPR(RBP);
	GPR(R8);
	GPR(R9);
	GPR(R10);
	GPR(R11);
	GPR(R12);
	GPR(R13);
	GPR(R14);
	GPR(R15);
#undef GPR
	DEFINE(VMCS_HOST_RSP, HOST_RSP);
}
