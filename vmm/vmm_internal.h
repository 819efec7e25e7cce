/* SPDX-License-Identifier: MIT */
/* vmm_internal.h: functions shared between the files of vmm/ only. */
#ifndef VMM_INTERNAL_H
#define VMM_INTERNAL_H

#include <tv/vmm.h>

/* console.c */
int vm_console_init(struct vm *vm);
void vm_console_flush(struct vm *vm);
void vm_console_free(struct vm *vm);

/* platform.c: the emulated PC (devices, buses, interrupt routing) */
int vm_platform_init(struct vm *vm, char *why, size_t whylen);
void vm_platform_reset(struct vm *vm);
void vm_platform_free(struct vm *vm);
int vm_platform_vcpu_init(struct vcpu *v);
void vm_platform_vcpu_free(struct vcpu *v);
/* Typed input is queued and the UART has room for it. */
bool vm_console_pending(struct vm *vm);
/* xAPIC MMIO of the accessing vCPU; false if gpa is not its APIC page. */
bool vcpu_lapic_access(struct vcpu *v, u64 gpa, unsigned size, u64 *val, bool write);
/* Pending interrupt vector for the vCPU, or -1; accept moves it to in-service. */
int vcpu_irq_pending(struct vcpu *v);
void vcpu_irq_accept(struct vcpu *v, int vector);

/* TSC-deadline MSR, backed by the vCPU's local APIC timer */
u64 vcpu_tsc_deadline_read(struct vcpu *v);
void vcpu_tsc_deadline_write(struct vcpu *v, u64 val);
/* The local APIC's task priority (CR8 is its upper nibble). */
u8 vcpu_tpr_read(struct vcpu *v);
void vcpu_tpr_write(struct vcpu *v, u8 tpr);

/* vcpu.c */
int vcpu_create(struct vm *vm, unsigned id);
void vcpu_free(struct vcpu *v);
void vcpu_reset_common(struct vcpu *v, bool bsp);

/* vtimer.c */
void vm_timers_init(struct vm *vm);
void vm_timers_cancel_all(struct vm *vm);
bool vm_timers_due(struct vm *vm);

/* bus.c */
void vm_bus_free(struct vm *vm);

/* msr.c: the MSRs a vCPU owns, at power-on */
void vcpu_msr_reset(struct vcpu *v);

u64 vm_overhead(struct vm *vm);
/* Guest TSC now. */
u64 vm_guest_tsc(struct vm *vm);

#endif
