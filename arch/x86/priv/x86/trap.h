/* SPDX-License-Identifier: MIT */
/* trap.h: the register frame isr.S builds, and interrupt vector assignments. */
#ifndef X86_TRAP_H
#define X86_TRAP_H

#include <tv/types.h>

/* Pushed by isr.S (general registers, vector, error code) and the CPU (the rest). */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout matches isr.S");

/* Vectors: 0-31 exceptions, 0x30.. device IRQs by GSI, the top for the kernel. */
#define VEC_NMI 2
#define VEC_PF 14
#define VEC_IRQ_BASE 0x30
#define VEC_IPI_STOP 0xf0     /* panic: stop this CPU */
#define VEC_TIMER 0xf1
#define VEC_KICK 0xf2       /* leave the guest / wake from halt: the scheduler looks */
#define VEC_CALL 0xf3       /* run a function for another CPU (TLB shootdown) */
#define VEC_SPURIOUS 0xff

typedef void (*irq_handler_t)(struct trap_frame *tf);

/* Install a handler for an interrupt vector (>= 32); the handler's EOI is done for it. */
void trap_set_handler(unsigned vector, irq_handler_t fn);
void trap_dispatch(struct trap_frame *tf);
const char *trap_name(unsigned vector);

#endif
