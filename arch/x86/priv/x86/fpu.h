/* SPDX-License-Identifier: MIT */
/* fpu.h: moving a CPU's whole FPU state aside around firmware calls (fpu.c). */
#ifndef X86_FPU_H
#define X86_FPU_H

#include <tv/types.h>

/*
 * Bytes fpu_stash needs: every state component this CPU supports (valid
 * before and after arch_fpu_init). The area must be 64-byte aligned.
 */
u32 fpu_stash_size(void);
/*
 * Save this CPU's FPU/SSE/AVX registers, whoever they belong to (a vCPU's
 * stay in the hardware across exits), and the XCR0 in force, into area;
 * then leave the registers as UEFI expects them (x87 FCW 0x37f, MXCSR
 * 0x1f80). fpu_unstash puts everything back. Interrupts must be off.
 */
void fpu_stash(void *area);
void fpu_unstash(void *area);

#endif
