// SPDX-License-Identifier: MIT
/*
 * vmx_diag.c: a failed VM entry, explained. The VMCS is copied into a
 * snapshot that vmx_check.c (pure, unit-tested) walks for the SDM check
 * the entry broke; the VM crashes with that reason, never the host.
 */
#include <tv/heap.h>
#include <tv/string.h>
#include <tv/vmm.h>
#include "vmcs.h"
#include "vmx.h"
#include "vmx_check.h"

static void snapshot(struct vmx_snapshot *n, struct vcpu *v)
{
	memset(n, 0, sizeof(*n));
	n->pin = vmcs_read32(PIN_BASED_VM_EXEC_CONTROL);
	n->proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);
	n->proc2 = vmcs_read32(SECONDARY_VM_EXEC_CONTROL);
	n->exit = vmcs_read32(VM_EXIT_CONTROLS);
	n->entry = vmcs_read32(VM_ENTRY_CONTROLS);
	n->exception_bitmap = vmcs_read32(EXCEPTION_BITMAP);
	n->cr3_target_count = vmcs_read32(CR3_TARGET_COUNT);
	n->entry_intr_info = vmcs_read32(VM_ENTRY_INTR_INFO);
	n->entry_exception_error = vmcs_read32(VM_ENTRY_EXCEPTION_ERROR_CODE);
	n->entry_insn_len = vmcs_read32(VM_ENTRY_INSTRUCTION_LEN);
	n->exit_msr_store_count = vmcs_read32(VM_EXIT_MSR_STORE_COUNT);
	n->exit_msr_load_count = vmcs_read32(VM_EXIT_MSR_LOAD_COUNT);
	n->entry_msr_load_count = vmcs_read32(VM_ENTRY_MSR_LOAD_COUNT);
	n->io_bitmap_a = vmcs_read64(IO_BITMAP_A);
	n->io_bitmap_b = vmcs_read64(IO_BITMAP_B);
	n->msr_bitmap = vmcs_read64(MSR_BITMAP);
	n->tsc_offset = vmcs_read64(TSC_OFFSET);
	n->ept_pointer = vmcs_read64(EPT_POINTER);
	n->vpid = to_vmx(v)->vpid ? vmcs_read16(VIRTUAL_PROCESSOR_ID) : 0;
	n->cr0_mask = vmcs_readl(CR0_GUEST_HOST_MASK);
	n->cr4_mask = vmcs_readl(CR4_GUEST_HOST_MASK);
	n->cr0_shadow = vmcs_readl(CR0_READ_SHADOW);
	n->cr4_shadow = vmcs_readl(CR4_READ_SHADOW);
	n->host_cr0 = vmcs_readl(HOST_CR0);
	n->host_cr3 = vmcs_readl(HOST_CR3);
	n->host_cr4 = vmcs_readl(HOST_CR4);
	for (unsigned i = 0; i < 7; i++)
		n->host_sel[i] = (u16)__vmcs_read(HOST_ES_SELECTOR + 2 * i);
	n->host_fs_base = vmcs_readl(HOST_FS_BASE);
	n->host_gs_base = vmcs_readl(HOST_GS_BASE);
	n->host_tr_base = vmcs_readl(HOST_TR_BASE);
	n->host_gdtr_base = vmcs_readl(HOST_GDTR_BASE);
	n->host_idtr_base = vmcs_readl(HOST_IDTR_BASE);
	n->host_sysenter_esp = vmcs_readl(HOST_IA32_SYSENTER_ESP);
	n->host_sysenter_eip = vmcs_readl(HOST_IA32_SYSENTER_EIP);
	n->host_rsp = vmcs_readl(HOST_RSP);
	n->host_rip = vmcs_readl(HOST_RIP);
	n->host_pat = vmcs_read64(HOST_IA32_PAT);
	n->host_efer = vmcs_read64(HOST_IA32_EFER);
	n->cr0 = vmcs_readl(GUEST_CR0);
	n->cr3 = vmcs_readl(GUEST_CR3);
	n->cr4 = vmcs_readl(GUEST_CR4);
	n->dr7 = vmcs_readl(GUEST_DR7);
	n->rsp = vmcs_readl(GUEST_RSP);
	n->rip = vmcs_readl(GUEST_RIP);
	n->rflags = vmcs_readl(GUEST_RFLAGS);
	n->debugctl = vmcs_read64(GUEST_IA32_DEBUGCTL);
	n->pat = vmcs_read64(GUEST_IA32_PAT);
	n->efer = vmcs_read64(GUEST_IA32_EFER);
	n->link_pointer = vmcs_read64(VMCS_LINK_POINTER);
	n->pending_dbg = vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS);
	n->sysenter_esp = vmcs_readl(GUEST_SYSENTER_ESP);
	n->sysenter_eip = vmcs_readl(GUEST_SYSENTER_EIP);
	n->sysenter_cs = vmcs_read32(GUEST_SYSENTER_CS);
	for (unsigned i = 0; i < VMX_NSEG; i++) {
		n->seg[i].selector = (u16)__vmcs_read(VMCS_SEG(GUEST_ES_SELECTOR, i));
		n->seg[i].limit = (u32)__vmcs_read(VMCS_SEG(GUEST_ES_LIMIT, i));
		n->seg[i].ar = (u32)__vmcs_read(VMCS_SEG(GUEST_ES_AR_BYTES, i));
		n->seg[i].base = __vmcs_read(VMCS_SEG(GUEST_ES_BASE, i));
	}
	n->gdtr_base = vmcs_readl(GUEST_GDTR_BASE);
	n->idtr_base = vmcs_readl(GUEST_IDTR_BASE);
	n->gdtr_limit = vmcs_read32(GUEST_GDTR_LIMIT);
	n->idtr_limit = vmcs_read32(GUEST_IDTR_LIMIT);
	n->interruptibility = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	n->activity = vmcs_read32(GUEST_ACTIVITY_STATE);
}

void vmx_entry_failed(struct vcpu *v, u32 insn_error, bool guest_state)
{
	struct vmx_snapshot *n = kzalloc(sizeof(*n));
	const char *why = NULL;

	if (n) {
		snapshot(n, v);
		if (guest_state)
			why = vmx_check_guest(n, &vmx_caps);
		else if (insn_error == 7)
			why = vmx_check_controls(n, &vmx_caps);
		else if (insn_error == 8)
			why = vmx_check_host(n, &vmx_caps);
		kfree(n);
	}
	if (guest_state)
		vmm_crash(v, "VM entry refused the guest state (%s)",
			  why ? why : "no check names the cause");
	else
		vmm_crash(v, "VM entry failed: error %u, %s (%s)", insn_error,
			  vmx_insn_error_str(insn_error), why ? why : "no check names the cause");
}
