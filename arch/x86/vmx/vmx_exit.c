// SPDX-License-Identifier: MIT
/*
 * vmx_exit.c: handling VT-x exits. One handler per basic exit reason in a
 * designated-initializer table; each decodes what VMX reports (exit
 * qualification, instruction length) and calls the vendor-neutral vmm_*
 * services, which the AMD-V backend shares.
 */
#include <tv/arch_vmm.h>
#include <tv/log.h>
#include <tv/vmm.h>
#include <tv/x86emu.h>
#include <x86/cr.h>
#include <x86/msr.h>
#include "vmx.h"

#define EXC_DB 1
#define EXC_NMI 2
#define EXC_AC 17
#define EXC_MC 18
#define CR0_TS (1ull << 3)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)

struct vmx_exit_handler {
	int (*fn)(struct vcpu *v);
	enum vm_exit reason;
};

static unsigned len(struct vcpu *v)
{
	return to_vmx(v)->insn_len;
}

static int exit_nothing(struct vcpu *v)
{
	/* A host interrupt (or the preemption timer): the host takes it once IF is restored. */
	(void)v;
	return 0;
}

static int exit_exception(struct vcpu *v)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);
	u8 vec = info & INTR_INFO_VECTOR_MASK;

	if ((info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI) {
		/* The host's NMI, consumed by the exit: hand it to the host's handler. */
		__asm__ __volatile__("int $2");
		return 0;
	}
	if (vec == EXC_MC) {
		vmm_crash(v, "machine check while the guest ran");
		return -1;
	}
	/*
	 * #DB and #AC are intercepted only so that a guest cannot make their
	 * delivery loop forever inside the CPU; give them straight back.
	 */
	vmx_queue_event(v, vec | INTR_TYPE_HW_EXCEPTION |
				   (info & INTR_INFO_DELIVER_CODE),
			vmcs_read32(VM_EXIT_INTR_ERROR_CODE), 0);
	return 0;
}

static int exit_triple_fault(struct vcpu *v)
{
	vmm_crash(v, "triple fault (shutdown)");
	return -1;
}

static int exit_intr_window(struct vcpu *v)
{
	(void)v;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
		     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_INTR_WINDOW_EXITING);
	return 0;
}

static int exit_task_switch(struct vcpu *v)
{
	vmm_crash(v, "hardware task switch (not supported)");
	return -1;
}

static int exit_cpuid(struct vcpu *v)
{
	return vmm_exit_cpuid(v, len(v));
}

static int exit_hlt(struct vcpu *v)
{
	return vmm_exit_hlt(v, len(v));
}

static int exit_invd(struct vcpu *v)
{
	return vmm_exit_skip(v, to_vmx(v)->exit_reason == EXIT_REASON_INVD ? X86_OP_INVD
								      : X86_OP_WBINVD, len(v));
}

static int exit_ud(struct vcpu *v)
{
	/* VMX itself, GETSEC, MONITOR/MWAIT...: not there for the guest. */
	vcpu_inject_ud(v);
	return 0;
}

static int exit_gp(struct vcpu *v)
{
	vcpu_inject_gp(v); /* RDPMC: no performance counters are offered */
	return 0;
}

static int exit_rdmsr(struct vcpu *v)
{
	return vmm_exit_msr(v, false, len(v));
}

static int exit_wrmsr(struct vcpu *v)
{
	return vmm_exit_msr(v, true, len(v));
}

static int exit_xsetbv(struct vcpu *v)
{
	return vmm_exit_xsetbv(v, len(v));
}

static int exit_io(struct vcpu *v)
{
	u64 q = vmcs_readl(EXIT_QUALIFICATION);
	unsigned size = IO_QUAL_SIZE(q);

	if (size == 3)
		size = 4; /* encoding 3 is a doubleword */
	return vmm_exit_io(v, IO_QUAL_PORT(q), size, q & IO_QUAL_IN, q & IO_QUAL_STRING,
			   v->regs[VREG_RIP] + len(v));
}

static int exit_ept_violation(struct vcpu *v)
{
	return vmm_nested_fault(v, vmcs_read64(GUEST_PHYSICAL_ADDRESS),
				vmcs_read32(IDT_VECTORING_INFO) & INTR_INFO_VALID);
}

static int exit_ept_misconfig(struct vcpu *v)
{
	vmm_crash(v, "EPT entry for %#llx is malformed",
		  (unsigned long long)vmcs_read64(GUEST_PHYSICAL_ADDRESS));
	return -1;
}

static int exit_invalid_state(struct vcpu *v)
{
	vmx_entry_failed(v, 0, true);
	return -1;
}

static int exit_entry_failed(struct vcpu *v)
{
	vmm_crash(v, "VM entry failed (exit reason %u, qualification %#llx)",
		  to_vmx(v)->exit_reason, (unsigned long long)vmcs_readl(EXIT_QUALIFICATION));
	return -1;
}

/* MOV to CR0: what hardware would refuse with #GP, else the new value. */
static int guest_write_cr0(struct vcpu *v, u64 val)
{
	u64 old = vmx_get_cr0(), efer = vcpu_get(v, VREG_EFER);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return -1;
	vmx_set_cr0(v, val);
	/* Paging switched with EFER.LME set: long mode follows (unless the CPU did it). */
	if (((old ^ val) & CR0_PG) && (efer & EFER_LME))
		vcpu_set(v, VREG_EFER, (val & CR0_PG) ? efer | EFER_LMA : efer & ~EFER_LMA);
	return 0;
}

static int guest_write_cr4(struct vcpu *v, u64 val)
{
	/* VMX is not offered; bits the CPU cannot hold in VMX operation are reserved. */
	if ((val & CR4_VMXE) || (val & ~vmx_host.cr4_fixed1))
		return -1;
	vmx_set_cr4(v, val);
	return 0;
}

static int exit_cr_access(struct vcpu *v)
{
	u64 q = vmcs_readl(EXIT_QUALIFICATION), cr0;
	unsigned cr = CR_QUAL_NR(q), gpr = CR_QUAL_GPR(q);
	int r = 0;

	switch (CR_QUAL_TYPE(q)) {
	case 0: /* MOV to CR */
		if (cr == 8)
			return vmm_exit_cr8(v, true, gpr, len(v));
		r = cr == 0 ? guest_write_cr0(v, v->regs[gpr])
		    : cr == 4 ? guest_write_cr4(v, v->regs[gpr]) : -1;
		break;
	case 1: /* MOV from CR: only CR8 exits */
		if (cr == 8)
			return vmm_exit_cr8(v, false, gpr, len(v));
		r = -1;
		break;
	case 2: /* CLTS */
		vmx_set_cr0(v, vmx_get_cr0() & ~CR0_TS);
		break;
	default: /* LMSW: sets PE MP EM TS, never clears PE */
		cr0 = vmx_get_cr0();
		vmx_set_cr0(v, (cr0 & ~0xeull) | (CR_QUAL_LMSW_DATA(q) & 0xf) | (cr0 & CR0_PE));
		break;
	}
	if (r)
		vcpu_inject_gp(v);
	else
		v->regs[VREG_RIP] += len(v);
	return 0;
}

static const struct vmx_exit_handler handlers[EXIT_REASON_NR] = {
	[EXIT_REASON_EXCEPTION_NMI] = { exit_exception, VMEXIT_EXCEPTION },
	[EXIT_REASON_EXTERNAL_INTERRUPT] = { exit_nothing, VMEXIT_INTR },
	[EXIT_REASON_TRIPLE_FAULT] = { exit_triple_fault, VMEXIT_SHUTDOWN },
	[EXIT_REASON_INIT] = { exit_nothing, VMEXIT_INTR },
	[EXIT_REASON_SIPI] = { exit_nothing, VMEXIT_INTR },
	[EXIT_REASON_IO_SMI] = { exit_nothing, VMEXIT_INTR },
	[EXIT_REASON_OTHER_SMI] = { exit_nothing, VMEXIT_INTR },
	[EXIT_REASON_INTERRUPT_WINDOW] = { exit_intr_window, VMEXIT_IRQ_WINDOW },
	[EXIT_REASON_TASK_SWITCH] = { exit_task_switch, VMEXIT_OTHER },
	[EXIT_REASON_CPUID] = { exit_cpuid, VMEXIT_CPUID },
	[EXIT_REASON_GETSEC] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_HLT] = { exit_hlt, VMEXIT_HLT },
	[EXIT_REASON_INVD] = { exit_invd, VMEXIT_OTHER },
	[EXIT_REASON_RDPMC] = { exit_gp, VMEXIT_OTHER },
	[EXIT_REASON_RSM] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_VMCALL] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_VMCLEAR] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_VMLAUNCH] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_VMPTRLD] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_VMPTRST] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_VMREAD] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_VMRESUME] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_VMWRITE] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_VMXOFF] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_VMXON] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_CR_ACCESS] = { exit_cr_access, VMEXIT_CR_ACCESS },
	[EXIT_REASON_IO_INSTRUCTION] = { exit_io, VMEXIT_IO },
	[EXIT_REASON_MSR_READ] = { exit_rdmsr, VMEXIT_NR },  /* counted inside */
	[EXIT_REASON_MSR_WRITE] = { exit_wrmsr, VMEXIT_NR },
	[EXIT_REASON_INVALID_STATE] = { exit_invalid_state, VMEXIT_OTHER },
	[EXIT_REASON_MSR_LOAD_FAIL] = { exit_entry_failed, VMEXIT_OTHER },
	[EXIT_REASON_MWAIT] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_MONITOR] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_MCE_DURING_VMENTRY] = { exit_entry_failed, VMEXIT_OTHER },
	[EXIT_REASON_EPT_VIOLATION] = { exit_ept_violation, VMEXIT_NR },  /* counted inside: RAM or MMIO */
	[EXIT_REASON_EPT_MISCONFIG] = { exit_ept_misconfig, VMEXIT_OTHER },
	[EXIT_REASON_INVEPT] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_INVVPID] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_PREEMPTION_TIMER] = { exit_nothing, VMEXIT_INTR },
	[EXIT_REASON_WBINVD] = { exit_invd, VMEXIT_OTHER },
	[EXIT_REASON_XSETBV] = { exit_xsetbv, VMEXIT_XSETBV },
	[EXIT_REASON_VMFUNC] = { exit_ud, VMEXIT_UD },
	[EXIT_REASON_ENCLS] = { exit_ud, VMEXIT_UD },
};

/* An event the exit interrupted goes back into the next entry, as hardware would deliver it. */
static void requeue_vectoring(struct vcpu *v)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO);
	u32 type = info & INTR_INFO_TYPE_MASK, ilen = 0;

	to_vmx(v)->event_pending = false;
	if (!(info & INTR_INFO_VALID))
		return;
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_SW_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		ilen = len(v);
	vmx_queue_event(v, info & (INTR_INFO_VECTOR_MASK | INTR_INFO_TYPE_MASK |
				   INTR_INFO_DELIVER_CODE),
			vmcs_read32(IDT_VECTORING_ERROR_CODE), ilen);
}

/*
 * An exception or EPT violation during an IRET that had unblocked virtual
 * NMIs: the IRET will run again, so NMIs are blocked again (SDM 27.2.3).
 */
static void reblock_nmi_after_iret(u32 basic)
{
	bool unblocked = false;

	if (!(vmx_host.pin & PIN_VIRTUAL_NMIS) || (vmcs_read32(IDT_VECTORING_INFO) & INTR_INFO_VALID))
		return;
	if (basic == EXIT_REASON_EXCEPTION_NMI)
		unblocked = vmcs_read32(VM_EXIT_INTR_INFO) & INTR_INFO_NMI_UNBLOCKED_IRET;
	else if (basic == EXIT_REASON_EPT_VIOLATION)
		unblocked = vmcs_readl(EXIT_QUALIFICATION) & EPT_QUAL_NMI_UNBLOCKED_IRET;
	if (unblocked)
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) | INTERRUPTIBILITY_NMI);
}

int vmx_handle_exit(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);
	u32 reason = vmcs_read32(VM_EXIT_REASON), basic = EXIT_REASON_BASIC(reason);
	const struct vmx_exit_handler *h = NULL;

	s->exit_reason = basic;
	s->insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	reblock_nmi_after_iret(basic);
	requeue_vectoring(v);
	if (basic < EXIT_REASON_NR)
		h = &handlers[basic];
	if (!h || !h->fn) {
		vmm_crash(v, "unexpected VMX exit %u%s (qualification %#llx)", basic,
			  (reason & EXIT_REASON_ENTRY_FAILURE) ? " at VM entry" : "",
			  (unsigned long long)vmcs_readl(EXIT_QUALIFICATION));
		return -1;
	}
	if (h->reason < VMEXIT_NR)
		v->exits[h->reason]++;
	return h->fn(v);
}
