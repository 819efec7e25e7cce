/* SPDX-License-Identifier: MIT */
/* vmx.h: the Intel VT-x backend's private state (arch/x86/vmx only). */
#ifndef VMX_VMX_H
#define VMX_VMX_H

#include <tv/vmm.h>
#include "vmcs.h"

/*
 * MSRs VMX does not switch and the host never uses (no SYSCALL, no SWAPGS):
 * the guest's values stay in the CPU and move only when another vCPU takes
 * it (vcpu_load/vcpu_put), like its FPU state.
 */
enum { LAZY_STAR, LAZY_LSTAR, LAZY_CSTAR, LAZY_SFMASK, LAZY_KERNEL_GS_BASE, LAZY_NR };

struct vmx_vcpu {
	void *vmcs;
	paddr_t vmcs_pa;
	int cpu;                  /* the CPU the VMCS is active on, -1 none */
	int host_cpu;             /* whose host state the VMCS holds, -1 none */
	int last_cpu;             /* where it last entered: moving on means flushing */
	bool launched;            /* VMRESUME, not VMLAUNCH */
	bool event_pending;       /* VM_ENTRY_INTR_INFO holds an event not yet delivered */
	bool flush_tlb;           /* INVVPID before the next entry */
	u16 vpid;                 /* 0: none, flush on every entry */
	u64 cr2;                  /* the guest's: VMX does not switch CR2 */
	u64 exit_rip;             /* GUEST_RIP as the last exit left it */
	u64 lazy_msr[LAZY_NR];
	u32 exit_reason;          /* of the last exit */
	u32 insn_len;             /* VM_EXIT_INSTRUCTION_LEN of the last exit */
};

struct vmx_vm {
	paddr_t ept_root;
	u64 eptp;
	u64 ept_pages;            /* for overhead figures */
};

/* Capabilities and host values read once at enable time (vmx.c). */
struct vmx_host {
	u32 pin, proc, proc2, exit, entry;   /* the controls every VMCS uses */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 cr0_mask, cr4_mask;              /* guest CR bits the host owns */
	u32 revision;
	unsigned preempt_shift;              /* VMX-preemption timer rate: TSC >> this */
	bool unrestricted, vpid;
	bool invept_single;                  /* else all-context */
	u64 pat, efer;
	paddr_t msr_bitmap, io_bitmap_a, io_bitmap_b;
};
extern struct vmx_host vmx_host;

static inline struct vmx_vcpu *to_vmx(struct vcpu *v)
{
	return v->arch.vendor;
}

static inline struct vmx_vm *to_vmx_vm(struct vm *vm)
{
	return vm->arch.vendor;
}

/*
 * vmx_entry.S: enter the guest with GPRs from regs (struct vcpu.regs, RSP
 * and RIP excepted: those are VMCS fields). 0 after a VM exit; 1 when the
 * VMLAUNCH/VMRESUME itself failed (VMfail: VM_INSTRUCTION_ERROR says why).
 */
int vmx_vmrun(u64 *regs, bool launched);
void vmx_exit_point(void);

/* vmx_exit.c: the exit dispatch table. */
int vmx_handle_exit(struct vcpu *v);
/* vmx.c */
void vmx_queue_event(struct vcpu *v, u32 intr_info, u32 error, u32 insn_len);
void vmx_set_cr0(struct vcpu *v, u64 val);
void vmx_set_cr4(struct vcpu *v, u64 val);
u64 vmx_get_cr0(void);
u64 vmx_get_cr4(void);
void vmx_entry_failed(struct vcpu *v, u32 insn_error, bool guest_state);
/* The capability MSRs as read at the first enable (vmx.c), for vmx_diag.c. */
extern struct vmx_caps vmx_caps;

#endif
