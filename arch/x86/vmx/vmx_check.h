/* SPDX-License-Identifier: MIT */
/*
 * vmx_check.h: turning a failed VM entry into text (vmx_check.c, pure code,
 * unit-tested on the host). VMLAUNCH/VMRESUME report only an error number
 * (VMfailValid) or "invalid guest state" (exit reason 33); these functions
 * walk the checks of Intel SDM Vol. 3 chapter 27 ("VM Entries", 27.2 and
 * 27.3 in recent editions) on a snapshot of the VMCS to name the rule broken.
 */
#ifndef VMX_CHECK_H
#define VMX_CHECK_H

#include <tv/types.h>

/* The VMX capability MSRs the checks depend on (values as RDMSR returns them). */
struct vmx_caps {
	u64 basic;                    /* IA32_VMX_BASIC */
	u64 pin, proc, exit, entry;   /* the TRUE_ variants when BASIC[55] is set */
	u64 proc2;                    /* IA32_VMX_PROCBASED_CTLS2, 0 if absent */
	u64 misc;                     /* IA32_VMX_MISC */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;             /* IA32_VMX_EPT_VPID_CAP, 0 if absent */
	unsigned phys_addr_bits;      /* CPUID 0x80000008 EAX[7:0] */
};

/* Segment registers in VMCS order. */
enum vmx_seg { VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_LDTR, VMX_TR, VMX_NSEG };

struct vmx_seg_state {
	u16 selector;
	u32 limit;
	u32 ar;                       /* access rights, VMCS format (bit 16: unusable) */
	u64 base;
};

/* Everything the entry checks read, copied out of the current VMCS. */
struct vmx_snapshot {
	/* controls */
	u32 pin, proc, proc2, exit, entry;
	u32 exception_bitmap, cr3_target_count;
	u32 entry_intr_info, entry_exception_error, entry_insn_len;
	u32 exit_msr_store_count, exit_msr_load_count, entry_msr_load_count;
	u64 io_bitmap_a, io_bitmap_b, msr_bitmap, tsc_offset;
	u64 ept_pointer;
	u16 vpid;
	u64 cr0_mask, cr4_mask, cr0_shadow, cr4_shadow;
	/* host state */
	u64 host_cr0, host_cr3, host_cr4;
	u16 host_sel[7];              /* ES CS SS DS FS GS TR */
	u64 host_fs_base, host_gs_base, host_tr_base, host_gdtr_base, host_idtr_base;
	u64 host_sysenter_esp, host_sysenter_eip, host_rsp, host_rip;
	u64 host_pat, host_efer;
	/* guest state */
	u64 cr0, cr3, cr4, dr7, rsp, rip, rflags;
	u64 debugctl, pat, efer, link_pointer, pending_dbg;
	u64 sysenter_esp, sysenter_eip;
	u32 sysenter_cs;
	struct vmx_seg_state seg[VMX_NSEG];
	u64 gdtr_base, idtr_base;
	u32 gdtr_limit, idtr_limit;
	u32 interruptibility, activity;
	u64 pdpte[4];
};

/* The VM-instruction error number (VMCS field 0x4400) as a phrase (SDM 31.4). */
const char *vmx_insn_error_str(u32 error);

/*
 * The first check of the VM-execution, VM-exit and VM-entry control fields
 * (SDM 27.2.1) the snapshot fails, or NULL if none is found.
 */
const char *vmx_check_controls(const struct vmx_snapshot *s, const struct vmx_caps *c);

/* The first host-state check (SDM 27.2.2, 27.2.3) failed, or NULL. */
const char *vmx_check_host(const struct vmx_snapshot *s, const struct vmx_caps *c);

/*
 * The first guest-state check (SDM 27.3.1: control registers, debug
 * registers and MSRs, segment registers, descriptor tables, RIP and RFLAGS,
 * non-register state, PDPTEs) failed, or NULL. Phrases name the field and
 * the rule, e.g. "guest CS: L and D/B both set in IA-32e mode".
 */
const char *vmx_check_guest(const struct vmx_snapshot *s, const struct vmx_caps *c);

#endif
