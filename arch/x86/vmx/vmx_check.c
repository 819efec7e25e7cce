// SPDX-License-Identifier: MIT
/*
 * vmx_check.c: why VMLAUNCH/VMRESUME refused the VMCS. The CPU reports only
 * an error number or exit reason 33; this walks the VM-entry checks of the
 * Intel SDM (Vol. 3C, "VM Entries") on a snapshot to name the first broken
 * rule. Pure code, unit-tested on the host.
 */
#include "vmx_check.h"

/* Pin-based, primary and secondary processor-based controls. */
#define PIN_EXT_INTR (1u << 0)
#define PIN_NMI_EXIT (1u << 3)
#define PIN_VIRT_NMI (1u << 5)
#define PIN_PREEMPT_TIMER (1u << 6)
#define PIN_POSTED_INTR (1u << 7)
#define PROC_TPR_SHADOW (1u << 21)
#define PROC_NMI_WINDOW (1u << 22)
#define PROC_IO_BITMAPS (1u << 25)
#define PROC_MTF (1u << 27)
#define PROC_MSR_BITMAPS (1u << 28)
#define PROC_SECONDARY (1u << 31)
#define SEC_APIC_ACCESS (1u << 0)
#define SEC_EPT (1u << 1)
#define SEC_X2APIC (1u << 4)
#define SEC_VPID (1u << 5)
#define SEC_UNRESTRICTED (1u << 7)
#define SEC_APIC_REG_VIRT (1u << 8)
#define SEC_VINTR_DELIVERY (1u << 9)
#define SEC_VMCS_SHADOW (1u << 14)
#define SEC_PML (1u << 17)
#define SEC_MBEC (1u << 22)
#define SEC_SPP (1u << 23)

/* VM-exit and VM-entry controls. */
#define EXIT_HOST_64 (1u << 9)
#define EXIT_ACK_INTR (1u << 15)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_LOAD_EFER (1u << 21)
#define EXIT_SAVE_TIMER (1u << 22)
#define ENTRY_LOAD_DEBUG (1u << 2)
#define ENTRY_IA32E (1u << 9)
#define ENTRY_SMM (1u << 10)
#define ENTRY_DUAL_MONITOR (1u << 11)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

/* The VM-entry interruption-information field. */
#define INTR_VALID (1u << 31)
#define INTR_DELIVER_CODE (1u << 11)
#define INTR_RESERVED 0x7ffff000u   /* bits 30:12 */
#define INTR_TYPE(i) (((i) >> 8) & 7)
#define INTR_VECTOR(i) ((i) & 0xff)
enum { EV_EXTINT, EV_RESERVED, EV_NMI, EV_HWEXC, EV_SWINT, EV_PRIV_SWEXC, EV_SWEXC, EV_OTHER };
/* #DF #TS #NP #SS #GP #PF #AC: the exceptions that push an error code. */
#define EXC_WITH_CODE ((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | \
		       (1u << 14) | (1u << 17))

/* Capability MSR bits. */
#define BASIC_ANY_ERRCODE (1ull << 56)
#define MISC_ACTIVITY_SHIFT 6         /* bits 8:6: HLT, shutdown, wait-for-SIPI */
#define MISC_ZERO_LEN_INJECT (1ull << 30)
#define EPT_CAP_WALK4 (1ull << 6)
#define EPT_CAP_WALK5 (1ull << 7)
#define EPT_CAP_UC (1ull << 8)
#define EPT_CAP_WB (1ull << 14)
#define EPT_CAP_AD (1ull << 21)
#define EPTP_AD (1ull << 6)
#define EPTP_RESERVED 0xf80ull        /* bits 11:7 */

/* Architectural register bits. */
#define CR0_PE (1ull << 0)
#define CR0_WP (1ull << 16)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_PCIDE (1ull << 17)
#define CR4_CET (1ull << 23)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_KNOWN 0xd01ull           /* SCE, LME, LMA, NXE: every bit Intel defines */
#define RFLAGS_FIXED1 (1ull << 1)
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_VM (1ull << 17)
#define RFLAGS_RESERVED ((~0ull << 22) | (1ull << 15) | (1ull << 5) | (1ull << 3))
#define DEBUGCTL_BTF (1ull << 1)
#define DEBUGCTL_RESERVED ((~0ull << 16) | (7ull << 3))   /* bit 2 is bus-lock detect on new parts */
#define PENDING_BS (1ull << 14)
#define PENDING_RESERVED ((~0ull << 17) | (1ull << 15) | (1ull << 13) | 0xff0ull)
#define PDPTE_RESERVED 0x1e6ull       /* bits 2:1 and 8:5 of a present PAE PDPTE */

/* Segment access rights in the VMCS format; selectors. */
#define AR_TYPE(a) ((a) & 0xf)
#define AR_S (1u << 4)
#define AR_DPL(a) (((a) >> 5) & 3)
#define AR_P (1u << 7)
#define AR_RSVD_11_8 (0xfu << 8)
#define AR_L (1u << 13)
#define AR_DB (1u << 14)
#define AR_G (1u << 15)
#define AR_UNUSABLE (1u << 16)
#define AR_RSVD_31_17 (~0u << 17)
#define SEL_RPL(s) ((s) & 3u)
#define SEL_TI (1u << 2)

enum { ACT_ACTIVE, ACT_HLT, ACT_SHUTDOWN, ACT_WAIT_SIPI };
#define BLOCK_STI (1u << 0)
#define BLOCK_MOVSS (1u << 1)
#define BLOCK_SMI (1u << 2)
#define BLOCK_NMI (1u << 3)
#define BLOCK_ENCLAVE (1u << 4)

/* One phrase per guest segment register, built at compile time (no formatting here). */
#define SEG_MSG(i, msg)                                                                  \
	((const char *const[VMX_NSEG]){ "guest ES: " msg, "guest CS: " msg, "guest SS: " msg, \
					"guest DS: " msg, "guest FS: " msg, "guest GS: " msg, \
					"guest LDTR: " msg, "guest TR: " msg }[(i)])
#define HOST_SEL_MSG(name) "host " name " selector: RPL/TI not zero"

static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_insn_error_str(u32 error)
{
	/* 14, 21 and 27 are not assigned by the SDM. */
	if (error < sizeof(insn_errors) / sizeof(insn_errors[0]) && insn_errors[error])
		return insn_errors[error];
	return "unknown VM-instruction error";
}

/* ---- helpers ---- */

/*
 * A control word against its capability MSR: the low half lists bits that
 * must be 1, the high half bits that may be 1 (SDM Appendix A.3-A.5).
 */
static const char *ctl_check(u32 v, u64 cap, const char *must, const char *may)
{
	if (~v & (u32)cap)
		return must;
	if (v & ~(u32)(cap >> 32))
		return may;
	return NULL;
}
#define CTL_CHECK(v, cap, name)                                                  \
	ctl_check(v, cap, name ": a bit the capability MSR requires is clear", \
		  name ": a bit the capability MSR does not allow is set")

/* 48-bit linear addresses: bits 63:47 all equal. */
static bool canonical(u64 a)
{
	u64 top = a >> 47;

	return top == 0 || top == 0x1ffff;
}

/* Bits set at or above the physical-address width (52 if the caps lack it). */
static bool beyond_phys(u64 a, const struct vmx_caps *c)
{
	unsigned w = c->phys_addr_bits;

	if (w == 0 || w > 52)
		w = 52;
	return (a >> w) != 0;
}

static bool page_addr_bad(u64 a, const struct vmx_caps *c)
{
	return (a & 0xfff) || beyond_phys(a, c);
}

/* Each PAT entry must be UC, WC, WT, WP, WB or UC- (0, 1, 4-7). */
static bool pat_valid(u64 pat)
{
	for (unsigned i = 0; i < 64; i += 8) {
		unsigned t = (pat >> i) & 0xff;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* The CPU ignores the secondary controls unless the primary ones activate them. */
static u32 proc2_of(const struct vmx_snapshot *s)
{
	return (s->proc & PROC_SECONDARY) ? s->proc2 : 0;
}

static bool injecting(const struct vmx_snapshot *s, unsigned type)
{
	return (s->entry_intr_info & INTR_VALID) && INTR_TYPE(s->entry_intr_info) == type;
}

static bool usable(const struct vmx_seg_state *r)
{
	return !(r->ar & AR_UNUSABLE);
}

/* ---- VM-execution, VM-exit and VM-entry control fields ---- */

static const char *check_eptp(u64 eptp, const struct vmx_caps *c)
{
	unsigned type = eptp & 7, walk = (eptp >> 3) & 7;

	if (type != 0 && type != 6)
		return "EPT pointer: memory type is neither UC (0) nor WB (6)";
	if (!(c->ept_vpid_cap & (type == 0 ? EPT_CAP_UC : EPT_CAP_WB)))
		return "EPT pointer: memory type not supported by IA32_VMX_EPT_VPID_CAP";
	if (!(walk == 3 && (c->ept_vpid_cap & EPT_CAP_WALK4)) &&
	    !(walk == 4 && (c->ept_vpid_cap & EPT_CAP_WALK5)))
		return "EPT pointer: page-walk length is not 4";
	if ((eptp & EPTP_AD) && !(c->ept_vpid_cap & EPT_CAP_AD))
		return "EPT pointer: A/D flags enabled but not supported";
	if (eptp & EPTP_RESERVED)
		return "EPT pointer: reserved bits 11:7 set";
	if (beyond_phys(eptp, c))
		return "EPT pointer: address beyond the physical-address width";
	return NULL;
}

static const char *check_injection(const struct vmx_snapshot *s, const struct vmx_caps *c)
{
	u32 info = s->entry_intr_info, type = INTR_TYPE(info), vec = INTR_VECTOR(info);
	bool code = info & INTR_DELIVER_CODE;
	/* Real mode (possible only with unrestricted guest) pushes no error codes. */
	bool prot = (s->cr0 & CR0_PE) || !(proc2_of(s) & SEC_UNRESTRICTED);

	if (!(info & INTR_VALID))
		return NULL;
	if (type == EV_RESERVED)
		return "entry interruption info: type 1 is reserved";
	if (type == EV_OTHER && !((c->proc >> 32) & PROC_MTF))
		return "entry interruption info: type 7 (other event) without monitor-trap-flag support";
	if (type == EV_NMI && vec != 2)
		return "entry interruption info: NMI with a vector other than 2";
	if (type == EV_HWEXC && vec > 31)
		return "entry interruption info: hardware exception vector above 31";
	if (type == EV_OTHER && vec != 0)
		return "entry interruption info: other event with a vector other than 0";
	if (type == EV_HWEXC && prot) {
		/* IA32_VMX_BASIC[56]: any hardware exception may carry a code or not. */
		bool pushes = EXC_WITH_CODE & (1u << vec);

		if (!(c->basic & BASIC_ANY_ERRCODE) && code && !pushes)
			return "entry interruption info: deliver-error-code set for an exception without one";
		if (!(c->basic & BASIC_ANY_ERRCODE) && !code && pushes)
			return "entry interruption info: deliver-error-code clear for an exception that pushes one";
	} else if (code) {
		return "entry interruption info: deliver-error-code set for a non-exception or in real mode";
	}
	if (code && (s->entry_exception_error >> 16))
		return "entry exception error code: bits 31:16 not zero";
	if (info & INTR_RESERVED)
		return "entry interruption info: reserved bits 30:12 not zero";
	if ((type == EV_SWINT || type == EV_PRIV_SWEXC || type == EV_SWEXC) &&
	    (s->entry_insn_len > 15 || (s->entry_insn_len == 0 && !(c->misc & MISC_ZERO_LEN_INJECT))))
		return "entry instruction length: not 1-15 for a software interrupt or exception";
	return NULL;
}

const char *vmx_check_controls(const struct vmx_snapshot *s, const struct vmx_caps *c)
{
	u32 proc2 = proc2_of(s);
	const char *why;

	/* SDM 27.2.1.1: VM-execution control fields. */
	if ((why = CTL_CHECK(s->pin, c->pin, "pin-based controls")) ||
	    (why = CTL_CHECK(s->proc, c->proc, "primary processor-based controls")) ||
	    ((s->proc & PROC_SECONDARY) &&
	     (why = CTL_CHECK(s->proc2, c->proc2, "secondary processor-based controls"))))
		return why;
	if (s->cr3_target_count > ((c->misc >> 16) & 0x1ff))
		return "CR3-target count: above IA32_VMX_MISC[24:16]";
	if ((s->proc & PROC_IO_BITMAPS) && page_addr_bad(s->io_bitmap_a, c))
		return "I/O bitmap A: not a 4K-aligned address within the physical-address width";
	if ((s->proc & PROC_IO_BITMAPS) && page_addr_bad(s->io_bitmap_b, c))
		return "I/O bitmap B: not a 4K-aligned address within the physical-address width";
	if ((s->proc & PROC_MSR_BITMAPS) && page_addr_bad(s->msr_bitmap, c))
		return "MSR bitmap: not a 4K-aligned address within the physical-address width";
	if (!(s->proc & PROC_TPR_SHADOW) && (proc2 & (SEC_X2APIC | SEC_APIC_REG_VIRT | SEC_VINTR_DELIVERY)))
		return "secondary controls: x2APIC mode, APIC-register virtualization or virtual-interrupt delivery without TPR shadow";
	if (!(s->pin & PIN_NMI_EXIT) && (s->pin & PIN_VIRT_NMI))
		return "pin-based controls: virtual NMIs without NMI exiting";
	if (!(s->pin & PIN_VIRT_NMI) && (s->proc & PROC_NMI_WINDOW))
		return "primary controls: NMI-window exiting without virtual NMIs";
	if ((proc2 & SEC_X2APIC) && (proc2 & SEC_APIC_ACCESS))
		return "secondary controls: virtualize x2APIC mode together with virtualize APIC accesses";
	if ((proc2 & SEC_VINTR_DELIVERY) && !(s->pin & PIN_EXT_INTR))
		return "secondary controls: virtual-interrupt delivery without external-interrupt exiting";
	if ((s->pin & PIN_POSTED_INTR) && (!(proc2 & SEC_VINTR_DELIVERY) || !(s->exit & EXIT_ACK_INTR)))
		return "pin-based controls: posted interrupts without virtual-interrupt delivery and acknowledge interrupt on exit";
	if ((proc2 & SEC_VPID) && s->vpid == 0)
		return "VPID: zero with enable VPID (VPID 0 is the host's)";
	if ((proc2 & SEC_EPT) && (why = check_eptp(s->ept_pointer, c)))
		return why;
	if (!(proc2 & SEC_EPT)) {
		if (proc2 & SEC_PML)
			return "secondary controls: enable PML without enable EPT";
		if (proc2 & SEC_UNRESTRICTED)
			return "secondary controls: unrestricted guest without enable EPT";
		if (proc2 & SEC_MBEC)
			return "secondary controls: mode-based execute control without enable EPT";
		if (proc2 & SEC_SPP)
			return "secondary controls: sub-page write permissions without enable EPT";
	}

	/* SDM 27.2.1.2: VM-exit control fields (the MSR areas are not in the snapshot). */
	if ((why = CTL_CHECK(s->exit, c->exit, "exit controls")))
		return why;
	if ((s->exit & EXIT_SAVE_TIMER) && !(s->pin & PIN_PREEMPT_TIMER))
		return "exit controls: save VMX-preemption timer value without activating the timer";

	/* SDM 27.2.1.3: VM-entry control fields. */
	if ((why = CTL_CHECK(s->entry, c->entry, "entry controls")) || (why = check_injection(s, c)))
		return why;
	/* thinvisor never runs in SMM, where alone these two may be set. */
	if (s->entry & (ENTRY_SMM | ENTRY_DUAL_MONITOR))
		return "entry controls: entry to SMM or deactivate dual-monitor treatment outside SMM";
	return NULL;
}

/* ---- host-state area ---- */

const char *vmx_check_host(const struct vmx_snapshot *s, const struct vmx_caps *c)
{
	static const char *const sel_rpl_ti[7] = {
		HOST_SEL_MSG("ES"), HOST_SEL_MSG("CS"), HOST_SEL_MSG("SS"), HOST_SEL_MSG("DS"),
		HOST_SEL_MSG("FS"), HOST_SEL_MSG("GS"), HOST_SEL_MSG("TR"),
	};

	/* thinvisor runs in IA-32e mode, so every exit must return to a 64-bit host (SDM 27.2.4). */
	if (!(s->exit & EXIT_HOST_64))
		return "exit controls: host address-space size (bit 9) clear on a 64-bit host";

	/* SDM 27.2.2: control registers and MSRs. */
	if (~s->host_cr0 & c->cr0_fixed0)
		return "host CR0: a bit IA32_VMX_CR0_FIXED0 requires is clear";
	if (s->host_cr0 & ~c->cr0_fixed1)
		return "host CR0: a bit IA32_VMX_CR0_FIXED1 forbids is set";
	if (~s->host_cr4 & c->cr4_fixed0)
		return "host CR4: a bit IA32_VMX_CR4_FIXED0 requires is clear";
	if (s->host_cr4 & ~c->cr4_fixed1)
		return "host CR4: a bit IA32_VMX_CR4_FIXED1 forbids is set";
	if ((s->host_cr4 & CR4_CET) && !(s->host_cr0 & CR0_WP))
		return "host CR4: CET set without CR0.WP";
	if (beyond_phys(s->host_cr3, c))
		return "host CR3: bits set beyond the physical-address width";
	if (!canonical(s->host_sysenter_esp))
		return "host IA32_SYSENTER_ESP: not canonical";
	if (!canonical(s->host_sysenter_eip))
		return "host IA32_SYSENTER_EIP: not canonical";
	if ((s->exit & EXIT_LOAD_PAT) && !pat_valid(s->host_pat))
		return "host IA32_PAT: an entry is not a valid memory type (0, 1, 4-7)";
	if ((s->exit & EXIT_LOAD_EFER) && (s->host_efer & ~EFER_KNOWN))
		return "host IA32_EFER: reserved bits set";
	if ((s->exit & EXIT_LOAD_EFER) && (~s->host_efer & (EFER_LMA | EFER_LME)))
		return "host IA32_EFER: LMA and LME must both equal host address-space size (1)";

	/* SDM 27.2.3: segment and descriptor-table registers. SS may be 0 on a 64-bit host. */
	for (unsigned i = 0; i < 7; i++)
		if (s->host_sel[i] & 7)
			return sel_rpl_ti[i];
	if (s->host_sel[1] == 0)
		return "host CS selector: zero";
	if (s->host_sel[6] == 0)
		return "host TR selector: zero";
	if (!canonical(s->host_fs_base))
		return "host FS base: not canonical";
	if (!canonical(s->host_gs_base))
		return "host GS base: not canonical";
	if (!canonical(s->host_gdtr_base))
		return "host GDTR base: not canonical";
	if (!canonical(s->host_idtr_base))
		return "host IDTR base: not canonical";
	if (!canonical(s->host_tr_base))
		return "host TR base: not canonical";

	/* SDM 27.2.4: a 64-bit host needs PAE and a canonical RIP. */
	if (!(s->host_cr4 & CR4_PAE))
		return "host CR4: PAE clear with host address-space size 1";
	if (!canonical(s->host_rip))
		return "host RIP: not canonical";
	return NULL;
}

/* ---- guest-state area ---- */

/* Rules shared by every usable segment register (and CS always). */
static const char *seg_common(unsigned i, const struct vmx_seg_state *r, bool system)
{
	if (!system && !(r->ar & AR_S))
		return SEG_MSG(i, "S clear (must be a code or data segment)");
	if (system && (r->ar & AR_S))
		return SEG_MSG(i, "S set (must be a system segment)");
	if (!(r->ar & AR_P))
		return SEG_MSG(i, "not present");
	if (r->ar & AR_RSVD_11_8)
		return SEG_MSG(i, "access-rights bits 11:8 not zero");
	if ((r->ar & AR_G) && (r->limit & 0xfff) != 0xfff)
		return SEG_MSG(i, "G set but limit bits 11:0 not all ones");
	if (!(r->ar & AR_G) && (r->limit >> 20))
		return SEG_MSG(i, "G clear but limit above 0xfffff");
	if (r->ar & AR_RSVD_31_17)
		return SEG_MSG(i, "access-rights bits 31:17 not zero");
	return NULL;
}

/* CS, SS, DS, ES, FS, GS outside virtual-8086 mode. */
static const char *seg_code_data(const struct vmx_snapshot *s, unsigned i, bool ug, bool ia32e)
{
	const struct vmx_seg_state *r = &s->seg[i];
	unsigned type = AR_TYPE(r->ar), dpl = AR_DPL(r->ar), ss_dpl = AR_DPL(s->seg[VMX_SS].ar);

	if (i == VMX_CS) {
		/* Accessed code; with unrestricted guest also read/write data (real mode). */
		if (type != 9 && type != 11 && type != 13 && type != 15 && !(ug && type == 3))
			return "guest CS: type must be 9, 11, 13 or 15 (or 3 with unrestricted guest)";
		if (type == 3 && dpl != 0)
			return "guest CS: type 3 with DPL not 0";
		if ((type == 9 || type == 11) && dpl != ss_dpl)
			return "guest CS: non-conforming code with DPL differing from SS.DPL";
		if ((type == 13 || type == 15) && dpl > ss_dpl)
			return "guest CS: conforming code with DPL above SS.DPL";
		if (ia32e && (r->ar & AR_L) && (r->ar & AR_DB))
			return "guest CS: L and D/B both set in IA-32e mode";
	} else if (i == VMX_SS) {
		if (type != 3 && type != 7)
			return "guest SS: type must be 3 or 7 (read/write accessed data)";
	} else {
		if (!(type & 1))
			return SEG_MSG(i, "type not accessed (bit 0 clear)");
		if ((type & 8) && !(type & 2))
			return SEG_MSG(i, "execute-only code segment (must be readable)");
		/* Data and non-conforming code (types 0-11) only: RPL may not exceed DPL. */
		if (!ug && type <= 11 && dpl < SEL_RPL(r->selector))
			return SEG_MSG(i, "DPL below selector RPL");
	}
	return seg_common(i, r, false);
}

static const char *check_segments(const struct vmx_snapshot *s, bool ug, bool ia32e)
{
	const struct vmx_seg_state *g = s->seg, *cs = &g[VMX_CS], *ss = &g[VMX_SS];
	const struct vmx_seg_state *tr = &g[VMX_TR], *ldtr = &g[VMX_LDTR];
	bool v86 = s->rflags & RFLAGS_VM;
	const char *why;

	/* Selectors. */
	if (tr->selector & SEL_TI)
		return "guest TR selector: TI set";
	if (usable(ldtr) && (ldtr->selector & SEL_TI))
		return "guest LDTR selector: TI set";
	if (!v86 && !ug && SEL_RPL(ss->selector) != SEL_RPL(cs->selector))
		return "guest SS selector: RPL differs from CS RPL";

	/* Bases. */
	for (unsigned i = 0; i < VMX_NSEG; i++) {
		const struct vmx_seg_state *r = &g[i];

		if (v86 && i <= VMX_GS && r->base != (u64)r->selector << 4)
			return SEG_MSG(i, "base not selector * 16 in virtual-8086 mode");
		if ((i == VMX_FS || i == VMX_GS || i == VMX_TR || (i == VMX_LDTR && usable(r))) &&
		    !canonical(r->base))
			return SEG_MSG(i, "base not canonical");
		if ((i == VMX_CS || ((i == VMX_SS || i == VMX_DS || i == VMX_ES) && usable(r))) &&
		    (r->base >> 32))
			return SEG_MSG(i, "base bits 63:32 not zero");
	}

	/* CS, SS, DS, ES, FS, GS: limits and access rights. */
	if (!v86) {
		/* SS.DPL is the CPL the guest will run at. */
		if (!ug && AR_DPL(ss->ar) != SEL_RPL(ss->selector))
			return "guest SS: DPL differs from selector RPL";
		if ((AR_TYPE(cs->ar) == 3 || !(s->cr0 & CR0_PE)) && AR_DPL(ss->ar) != 0)
			return "guest SS: DPL not 0 in real mode or with a type-3 CS";
	}
	for (unsigned i = VMX_ES; i <= VMX_GS; i++) {
		if (v86) {
			if (g[i].limit != 0xffff)
				return SEG_MSG(i, "limit not 0xffff in virtual-8086 mode");
			if (g[i].ar != 0xf3)
				return SEG_MSG(i, "access rights not 0xf3 in virtual-8086 mode");
		} else if ((i == VMX_CS || usable(&g[i])) && (why = seg_code_data(s, i, ug, ia32e))) {
			return why;
		}
	}

	/* TR: always usable, a busy TSS (only the 64-bit one in IA-32e mode). */
	if (tr->ar & AR_UNUSABLE)
		return "guest TR: unusable";
	if (AR_TYPE(tr->ar) != 11 && (ia32e || AR_TYPE(tr->ar) != 3))
		return "guest TR: type must be a busy TSS (11, or 3 outside IA-32e mode)";
	if ((why = seg_common(VMX_TR, tr, true)))
		return why;

	/* LDTR: checked only when usable. */
	if (usable(ldtr) && AR_TYPE(ldtr->ar) != 2)
		return "guest LDTR: type must be 2 (LDT)";
	if (usable(ldtr) && (why = seg_common(VMX_LDTR, ldtr, true)))
		return why;
	return NULL;
}

/* Injections the activity state would not block (SDM 27.3.1.5). */
static bool inject_allowed(u32 activity, u32 info)
{
	u32 type = INTR_TYPE(info), vec = INTR_VECTOR(info);

	switch (activity) {
	case ACT_HLT:
		return type == EV_EXTINT || type == EV_NMI || (type == EV_OTHER && vec == 0) ||
		       (type == EV_HWEXC && (vec == 1 || vec == 18));
	case ACT_SHUTDOWN:
		return type == EV_NMI || (type == EV_HWEXC && vec == 18);
	case ACT_WAIT_SIPI:
		return false;
	default:
		return true;
	}
}

static const char *check_nonreg(const struct vmx_snapshot *s, const struct vmx_caps *c)
{
	u32 act = s->activity, intr = s->interruptibility;

	if (act > ACT_WAIT_SIPI)
		return "guest activity state: not 0-3";
	if (act != ACT_ACTIVE && !((c->misc >> (MISC_ACTIVITY_SHIFT + act - 1)) & 1))
		return "guest activity state: not supported by IA32_VMX_MISC[8:6]";
	if (act == ACT_HLT && AR_DPL(s->seg[VMX_SS].ar) != 0)
		return "guest activity state: HLT with SS.DPL not 0";
	if (act != ACT_ACTIVE && (intr & (BLOCK_STI | BLOCK_MOVSS)))
		return "guest activity state: not active with blocking by STI or MOV SS";
	if ((s->entry_intr_info & INTR_VALID) && !inject_allowed(act, s->entry_intr_info))
		return "guest activity state: the injected event is blocked in this state";

	if (intr & ~0x1fu)
		return "guest interruptibility state: reserved bits 31:5 not zero";
	if ((intr & BLOCK_STI) && (intr & BLOCK_MOVSS))
		return "guest interruptibility state: blocking by both STI and MOV SS";
	if ((intr & BLOCK_STI) && !(s->rflags & RFLAGS_IF))
		return "guest interruptibility state: blocking by STI with RFLAGS.IF clear";
	if (injecting(s, EV_EXTINT) && (intr & (BLOCK_STI | BLOCK_MOVSS)))
		return "guest interruptibility state: blocking by STI or MOV SS while injecting an external interrupt";
	if (injecting(s, EV_NMI) && (intr & BLOCK_MOVSS))
		return "guest interruptibility state: blocking by MOV SS while injecting an NMI";
	if (intr & BLOCK_SMI)
		return "guest interruptibility state: blocking by SMI outside SMM";
	if (injecting(s, EV_NMI) && (s->pin & PIN_VIRT_NMI) && (intr & BLOCK_NMI))
		return "guest interruptibility state: blocking by NMI while injecting a virtual NMI";
	if ((intr & BLOCK_ENCLAVE) && (intr & BLOCK_MOVSS))
		return "guest interruptibility state: enclave interruption with blocking by MOV SS";

	if (s->pending_dbg & PENDING_RESERVED)
		return "guest pending debug exceptions: reserved bits set";
	/* A single step pending across STI/MOV SS/HLT must show in BS, and only then. */
	if ((intr & (BLOCK_STI | BLOCK_MOVSS)) || act == ACT_HLT) {
		bool step = (s->rflags & RFLAGS_TF) && !(s->debugctl & DEBUGCTL_BTF);

		if (step != !!(s->pending_dbg & PENDING_BS))
			return "guest pending debug exceptions: BS does not match RFLAGS.TF and DEBUGCTL.BTF";
	}

	/* Any value but all ones names a VMCS the CPU then checks; thinvisor never links one. */
	if (s->link_pointer != ~0ull && !(proc2_of(s) & SEC_VMCS_SHADOW))
		return "guest VMCS link pointer: not FFFFFFFF_FFFFFFFFH (no VMCS shadowing)";
	if (s->link_pointer != ~0ull && page_addr_bad(s->link_pointer, c))
		return "guest VMCS link pointer: not a 4K-aligned address within the physical-address width";
	return NULL;
}

const char *vmx_check_guest(const struct vmx_snapshot *s, const struct vmx_caps *c)
{
	static const char *const pdpte_bad[4] = {
		"guest PDPTE0: reserved bits set", "guest PDPTE1: reserved bits set",
		"guest PDPTE2: reserved bits set", "guest PDPTE3: reserved bits set",
	};
	u32 proc2 = proc2_of(s);
	bool ug = proc2 & SEC_UNRESTRICTED, ia32e = s->entry & ENTRY_IA32E;
	/* VM entry never changes CD and NW, so they are not checked (SDM 27.3.1.1). */
	u64 cr0_must = c->cr0_fixed0 & ~(CR0_NW | CR0_CD);
	const char *why;

	/* Unrestricted guest lets PE and PG be 0: real mode and unpaged protected mode. */
	if (ug)
		cr0_must &= ~(CR0_PE | CR0_PG);

	/* SDM 27.3.1.1: control registers, debug registers and MSRs. */
	if (~s->cr0 & cr0_must)
		return "guest CR0: a bit IA32_VMX_CR0_FIXED0 requires is clear";
	if (s->cr0 & ~(c->cr0_fixed1 | CR0_NW | CR0_CD))
		return "guest CR0: a bit IA32_VMX_CR0_FIXED1 forbids is set";
	if ((s->cr0 & CR0_PG) && !(s->cr0 & CR0_PE))
		return "guest CR0: PG set without PE";
	if (~s->cr4 & c->cr4_fixed0)
		return "guest CR4: a bit IA32_VMX_CR4_FIXED0 requires is clear";
	if (s->cr4 & ~c->cr4_fixed1)
		return "guest CR4: a bit IA32_VMX_CR4_FIXED1 forbids is set";
	if ((s->cr4 & CR4_CET) && !(s->cr0 & CR0_WP))
		return "guest CR4: CET set without CR0.WP";
	if ((s->entry & ENTRY_LOAD_DEBUG) && (s->debugctl & DEBUGCTL_RESERVED))
		return "guest IA32_DEBUGCTL: reserved bits set";
	if (ia32e && !(s->cr0 & CR0_PG))
		return "guest CR0: PG clear with IA-32e mode guest";
	if (ia32e && !(s->cr4 & CR4_PAE))
		return "guest CR4: PAE clear with IA-32e mode guest";
	if (!ia32e && (s->cr4 & CR4_PCIDE))
		return "guest CR4: PCIDE set without IA-32e mode guest";
	if (beyond_phys(s->cr3, c))
		return "guest CR3: bits set beyond the physical-address width";
	if ((s->entry & ENTRY_LOAD_DEBUG) && (s->dr7 >> 32))
		return "guest DR7: bits 63:32 not zero";
	if (!canonical(s->sysenter_esp))
		return "guest IA32_SYSENTER_ESP: not canonical";
	if (!canonical(s->sysenter_eip))
		return "guest IA32_SYSENTER_EIP: not canonical";
	if ((s->entry & ENTRY_LOAD_PAT) && !pat_valid(s->pat))
		return "guest IA32_PAT: an entry is not a valid memory type (0, 1, 4-7)";
	if (s->entry & ENTRY_LOAD_EFER) {
		if (s->efer & ~EFER_KNOWN)
			return "guest IA32_EFER: reserved bits set";
		if (!(s->efer & EFER_LMA) != !ia32e)
			return "entry controls: bit 9 (IA-32e mode guest) differs from guest EFER.LMA";
		if ((s->cr0 & CR0_PG) && !(s->efer & EFER_LME) != !(s->efer & EFER_LMA))
			return "guest IA32_EFER: LME differs from LMA with CR0.PG set";
	}

	/*
	 * SDM 27.3.1.4, RFLAGS, ahead of the segments: its VM flag decides which
	 * segment rules apply, and the SDM allows any order.
	 */
	if (s->rflags & RFLAGS_RESERVED)
		return "guest RFLAGS: reserved bits (63:22, 15, 5, 3) set";
	if (!(s->rflags & RFLAGS_FIXED1))
		return "guest RFLAGS: bit 1 clear";
	if ((s->rflags & RFLAGS_VM) && (ia32e || !(s->cr0 & CR0_PE)))
		return "guest RFLAGS: VM set in IA-32e mode or with CR0.PE clear";
	if (injecting(s, EV_EXTINT) && !(s->rflags & RFLAGS_IF))
		return "guest RFLAGS: IF clear while injecting an external interrupt";

	/* SDM 27.3.1.2 and 27.3.1.3: segment and descriptor-table registers. */
	if ((why = check_segments(s, ug, ia32e)))
		return why;
	if (!canonical(s->gdtr_base))
		return "guest GDTR: base not canonical";
	if (!canonical(s->idtr_base))
		return "guest IDTR: base not canonical";
	if (s->gdtr_limit >> 16)
		return "guest GDTR: limit bits 31:16 not zero";
	if (s->idtr_limit >> 16)
		return "guest IDTR: limit bits 31:16 not zero";

	/* RIP: 64 bits only in 64-bit mode (IA-32e and CS.L), then canonical. */
	if (!(ia32e && (s->seg[VMX_CS].ar & AR_L)) && (s->rip >> 32))
		return "guest RIP: bits 63:32 not zero outside 64-bit mode";
	if (!canonical(s->rip))
		return "guest RIP: not canonical";

	/* SDM 27.3.1.5: activity, interruptibility, pending debug exceptions, link pointer. */
	if ((why = check_nonreg(s, c)))
		return why;

	/* SDM 27.3.1.6: with EPT, PAE paging takes its PDPTEs from the VMCS. */
	if ((s->cr0 & CR0_PG) && (s->cr4 & CR4_PAE) && !ia32e && (proc2 & SEC_EPT)) {
		for (unsigned i = 0; i < 4; i++)
			if ((s->pdpte[i] & 1) &&
			    ((s->pdpte[i] & PDPTE_RESERVED) || beyond_phys(s->pdpte[i], c)))
				return pdpte_bad[i];
	}
	return NULL;
}
