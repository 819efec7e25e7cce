// SPDX-License-Identifier: MIT
/*
 * svm_exit.c: handling AMD-V exits. One handler per exit code in a
 * designated-initializer table; each decodes what SVM reports and calls the
 * vendor-neutral vmm_* services. QEMU's SVM has neither NRIP save nor decode
 * assists, so instruction lengths come from decoding the guest's bytes
 * (vcpu_insn_end) unless the CPU reports the next RIP.
 */
#include <tv/arch_vmm.h>
#include <tv/log.h>
#include <tv/vmm.h>
#include <tv/x86emu.h>
#include "svm.h"
#include "svm_check.h"

#define EXC_DB 1
#define EXC_AC 17
#define EXC_MC 18

struct svm_exit_handler {
	int (*fn)(struct vcpu *v, struct vmcb *vmcb);
	enum vm_exit reason;
};

/* The intercepted instruction's length if the CPU saved the next RIP, else 0: decode. */
static unsigned cpu_len(struct vcpu *v)
{
	u64 next;

	if (svm_next_rip(v, &next) && next)
		return (unsigned)(next - v->regs[VREG_RIP]);
	return 0;
}

static int exit_nothing(struct vcpu *v, struct vmcb *vmcb)
{
	/* Host interrupt or NMI: the host takes it once GIF is set again. */
	(void)v;
	(void)vmcb;
	return 0;
}

static int exit_vintr(struct vcpu *v, struct vmcb *vmcb)
{
	(void)v;
	vmcb->ctl.int_ctl &= ~(SVM_INT_V_IRQ | SVM_INT_V_IGN_TPR |
			       (0xfull << SVM_INT_V_INTR_PRIO_SHIFT));
	vmcb->ctl.intercept_misc1 &= ~SVM_INTERCEPT1_VINTR;
	return 0;
}

/* The guest is about to IRET from the NMI we injected: NMIs unmask after it (svm.h). */
static int exit_iret(struct vcpu *v, struct vmcb *vmcb)
{
	to_svm(v)->nmi_iret = true;
	vmcb->ctl.intercept_misc1 &= ~SVM_INTERCEPT1_IRET;
	return 0;
}

static int exit_cpuid(struct vcpu *v, struct vmcb *vmcb)
{
	(void)vmcb;
	return vmm_exit_cpuid(v, cpu_len(v));
}

static int exit_hlt(struct vcpu *v, struct vmcb *vmcb)
{
	(void)vmcb;
	return vmm_exit_hlt(v, cpu_len(v));
}

static int exit_ioio(struct vcpu *v, struct vmcb *vmcb)
{
	u64 info = vmcb->ctl.exit_info1;
	unsigned size = (info >> SVM_IOIO_SIZE_SHIFT) & 7;    /* one-hot 1, 2, 4 */

	if (size != 1 && size != 2 && size != 4)
		size = 1;
	/*
	 * SVM reports the next RIP of I/O instructions even without NRIP save.
	 * String I/O is decoded generically: QEMU's SVM leaves the address size unset.
	 */
	return vmm_exit_io(v, (u16)(info >> SVM_IOIO_PORT_SHIFT), size, info & SVM_IOIO_IN,
			   info & SVM_IOIO_STR, vmcb->ctl.exit_info2);
}

static int exit_msr(struct vcpu *v, struct vmcb *vmcb)
{
	return vmm_exit_msr(v, vmcb->ctl.exit_info1 == 1, cpu_len(v));
}

static int exit_npf(struct vcpu *v, struct vmcb *vmcb)
{
	u64 err = vmcb->ctl.exit_info1, gpa = vmcb->ctl.exit_info2;

	if (err & SVM_NPF_RSVD) {
		v->exits[VMEXIT_MMIO]++;
		vmm_crash(v, "nested page table entry for %#llx is malformed",
			  (unsigned long long)gpa);
		return -1;
	}
	return vmm_nested_fault(v, gpa, vmcb->ctl.exit_int_info & SVM_EVT_VALID);
}

static int exit_shutdown(struct vcpu *v, struct vmcb *vmcb)
{
	(void)vmcb;
	vmm_crash(v, "triple fault (shutdown)");
	return -1;
}

static int exit_exception(struct vcpu *v, struct vmcb *vmcb)
{
	unsigned vec = (unsigned)(vmcb->ctl.exit_code - SVM_EXIT_EXCP_BASE);

	if (vec == EXC_MC) {
		vmm_crash(v, "machine check while the guest ran");
		return -1;
	}
	/*
	 * #DB and #AC are intercepted only so that a guest cannot make their
	 * delivery loop forever inside the CPU; give them straight back.
	 */
	svm_queue_exception(v, (u8)vec, vec == EXC_AC, (u32)vmcb->ctl.exit_info1);
	return 0;
}

static int exit_ud(struct vcpu *v, struct vmcb *vmcb)
{
	(void)vmcb;
	/* SVM itself, MONITOR/MWAIT, RDPRU...: not there for the guest. */
	vcpu_inject_ud(v);
	return 0;
}

static int exit_gp(struct vcpu *v, struct vmcb *vmcb)
{
	(void)vmcb;
	vcpu_inject_gp(v); /* RDPMC: no performance counters are offered */
	return 0;
}

static int exit_skip_invd(struct vcpu *v, struct vmcb *vmcb)
{
	return vmm_exit_skip(v, vmcb->ctl.exit_code == SVM_EXIT_INVD ? X86_OP_INVD : X86_OP_WBINVD,
			     cpu_len(v));
}

static int exit_xsetbv(struct vcpu *v, struct vmcb *vmcb)
{
	(void)vmcb;
	return vmm_exit_xsetbv(v, cpu_len(v));
}

static int exit_task_switch(struct vcpu *v, struct vmcb *vmcb)
{
	(void)vmcb;
	vmm_crash(v, "hardware task switch (not supported)");
	return -1;
}

static const struct svm_exit_handler handlers[SVM_EXIT_NR] = {
	[SVM_EXIT_EXCP_BASE + EXC_DB] = { exit_exception, VMEXIT_EXCEPTION },
	[SVM_EXIT_EXCP_BASE + EXC_AC] = { exit_exception, VMEXIT_EXCEPTION },
	[SVM_EXIT_EXCP_BASE + EXC_MC] = { exit_exception, VMEXIT_EXCEPTION },
	[SVM_EXIT_INTR] = { exit_nothing, VMEXIT_INTR },
	[SVM_EXIT_NMI] = { exit_nothing, VMEXIT_INTR },
	[SVM_EXIT_SMI] = { exit_nothing, VMEXIT_INTR },
	[SVM_EXIT_INIT] = { exit_nothing, VMEXIT_INTR },
	[SVM_EXIT_VINTR] = { exit_vintr, VMEXIT_IRQ_WINDOW },
	[SVM_EXIT_RDPMC] = { exit_gp, VMEXIT_OTHER },
	[SVM_EXIT_CPUID] = { exit_cpuid, VMEXIT_CPUID },
	[SVM_EXIT_RSM] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_IRET] = { exit_iret, VMEXIT_OTHER },
	[SVM_EXIT_INVD] = { exit_skip_invd, VMEXIT_OTHER },
	[SVM_EXIT_HLT] = { exit_hlt, VMEXIT_HLT },
	[SVM_EXIT_INVLPGA] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_IOIO] = { exit_ioio, VMEXIT_IO },
	[SVM_EXIT_MSR] = { exit_msr, VMEXIT_NR },  /* counted by direction inside */
	[SVM_EXIT_TASK_SWITCH] = { exit_task_switch, VMEXIT_OTHER },
	[SVM_EXIT_FERR_FREEZE] = { exit_nothing, VMEXIT_OTHER },
	[SVM_EXIT_SHUTDOWN] = { exit_shutdown, VMEXIT_SHUTDOWN },
	[SVM_EXIT_VMRUN] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_VMMCALL] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_VMLOAD] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_VMSAVE] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_STGI] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_CLGI] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_SKINIT] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_ICEBP] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_WBINVD] = { exit_skip_invd, VMEXIT_OTHER },
	[SVM_EXIT_MONITOR] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_MWAIT] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_MWAIT_COND] = { exit_ud, VMEXIT_UD },
	[SVM_EXIT_XSETBV] = { exit_xsetbv, VMEXIT_XSETBV },
	[SVM_EXIT_RDPRU] = { exit_ud, VMEXIT_UD },
};

/*
 * INTn, INT3 and INTO interrupted while being delivered: RIP is still on
 * the instruction, so it runs again and raises the event again. Injected
 * instead, the event would push the instruction's own address as the
 * return address (without NRIP, and QEMU ignores it): the guest's handler
 * would see RIP one instruction early (KVM makes the same choice).
 */
static bool soft_event(u64 intinfo)
{
	u64 type = intinfo & SVM_EVT_TYPE_MASK;
	unsigned vec = intinfo & 0xff;

	return type == SVM_EVT_TYPE_SOFT_INT || (type == SVM_EVT_TYPE_EXCEPTION && (vec == 3 || vec == 4));
}

int svm_handle_exit(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vmcb = s->vmcb;
	u64 code = vmcb->ctl.exit_code;
	u64 intinfo = vmcb->ctl.exit_int_info;
	const struct svm_exit_handler *h = NULL;

	/* The IRET that ended an NMI handler ran before this exit. */
	if (s->nmi_iret) {
		s->nmi_iret = false;
		s->nmi_masked = false;
	}
	/* The injected event was delivered, unless the exit interrupted its delivery. */
	s->event_pending = false;
	vmcb->ctl.event_inj = 0;
	if ((intinfo & SVM_EVT_VALID) && !soft_event(intinfo)) {
		vmcb->ctl.event_inj = intinfo;
		s->event_pending = true;
	}

	if (code == SVM_EXIT_NPF)
		return exit_npf(v, vmcb);    /* counted by vmm_nested_fault: RAM or MMIO */
	/* -1, which QEMU stores as 32 bits: compare the low half only. */
	if ((u32)code == (u32)SVM_EXIT_INVALID) {
		vmm_crash(v, "VMRUN refused the guest state (%s)", svm_check_state(vmcb));
		return -1;
	}
	if (code < SVM_EXIT_NR)
		h = &handlers[code];
	if (!h || !h->fn) {
		vmm_crash(v, "unexpected SVM exit %#llx (info1 %#llx, info2 %#llx)",
			  (unsigned long long)code, (unsigned long long)vmcb->ctl.exit_info1,
			  (unsigned long long)vmcb->ctl.exit_info2);
		return -1;
	}
	if (h->reason < VMEXIT_NR)
		v->exits[h->reason]++;
	return h->fn(v, vmcb);
}
