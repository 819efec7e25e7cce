/* SPDX-License-Identifier: MIT */
/* svm.h: the AMD-V backend's private state (arch/x86/svm only). */
#ifndef SVM_SVM_H
#define SVM_SVM_H

#include <tv/vmm.h>
#include "vmcb.h"

struct svm_vcpu {
	struct vmcb *vmcb;
	paddr_t vmcb_pa;
	u64 guest_efer;           /* as the guest sees it: without SVME */
	bool flush_tlb;           /* next VMRUN flushes this ASID's TLB entries */
	bool event_pending;       /* ctl.event_inj holds an event not yet delivered */
	int last_cpu;             /* where it last ran: arriving elsewhere flushes */
	/*
	 * The guest handles an NMI we injected: no other until its IRET. SVM
	 * keeps no NMI mask for injected NMIs that we could read (QEMU none at
	 * all), so IRET is intercepted while this is set; nmi_iret: it was
	 * seen, and NMIs are unmasked at the next exit, after it executed.
	 */
	bool nmi_masked, nmi_iret;
};

struct svm_vm {
	paddr_t npt_root;
	unsigned asid;
	u64 npt_pages;            /* nested page-table pages, for overhead figures */
};

static inline struct svm_vcpu *to_svm(struct vcpu *v)
{
	return v->arch.vendor;
}

static inline struct svm_vm *to_svm_vm(struct vm *vm)
{
	return vm->arch.vendor;
}

/* svm_entry.S: one world switch. GIF must be clear (clgi) around it. */
/*
 * regs: struct vcpu.regs. VMRUN itself switches RAX, RSP and RIP through
 * the VMCB; svm_vcpu_enter copies those three between the two.
 */
void svm_vmrun(paddr_t vmcb_pa, u64 *regs, paddr_t host_save_pa);

/* svm_exit.c: the exit dispatch table. */
int svm_handle_exit(struct vcpu *v);
/* svm.c: the next RIP the CPU saved (NRIP save), if it has that feature. */
bool svm_next_rip(struct vcpu *v, u64 *next_rip);
/* svm.c: queue an exception for the next VMRUN. */
void svm_queue_exception(struct vcpu *v, u8 vector, bool has_err, u32 err);

#endif
