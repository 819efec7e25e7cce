// SPDX-License-Identifier: MIT
/*
 * asm-offsets.c: structure offsets for assembly, generated at build time
 * (compiled to assembly; the Makefile turns the markers into asm-offsets.h)
 * so .S files never hand-count them.
 */
#include <x86/percpu.h>
#include "svm/svm.h"

#define DEFINE(sym, val) __asm__ __volatile__("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define OFFSET(sym, type, member) DEFINE(sym, __builtin_offsetof(type, member))

void asm_offsets(void);
void asm_offsets(void)
{
	OFFSET(PERCPU_CANARY, struct percpu, stack_canary);
	OFFSET(PERCPU_SELF, struct percpu, self);
	OFFSET(SVM_GPR_RBX, struct svm_gprs, rbx);
	OFFSET(SVM_GPR_RCX, struct svm_gprs, rcx);
	OFFSET(SVM_GPR_RDX, struct svm_gprs, rdx);
	OFFSET(SVM_GPR_RSI, struct svm_gprs, rsi);
	OFFSET(SVM_GPR_RDI, struct svm_gprs, rdi);
	OFFSET(SVM_GPR_RBP, struct svm_gprs, rbp);
	OFFSET(SVM_GPR_R8, struct svm_gprs, r8);
	OFFSET(SVM_GPR_R9, struct svm_gprs, r9);
	OFFSET(SVM_GPR_R10, struct svm_gprs, r10);
	OFFSET(SVM_GPR_R11, struct svm_gprs, r11);
	OFFSET(SVM_GPR_R12, struct svm_gprs, r12);
	OFFSET(SVM_GPR_R13, struct svm_gprs, r13);
	OFFSET(SVM_GPR_R14, struct svm_gprs, r14);
	OFFSET(SVM_GPR_R15, struct svm_gprs, r15);
}
