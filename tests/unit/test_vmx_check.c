// SPDX-License-Identifier: MIT
/*
 * test_vmx_check.c: naming the VM-entry check a VMCS breaks
 * (arch/x86/vmx/vmx_check.c). A 64-bit guest as the Linux boot protocol
 * starts it, on a Skylake-like CPU, passes all three walks; then each rule
 * is broken on its own and must be named.
 */
#include "test.h"

#include "../../arch/x86/vmx/vmx_check.h"

#define CR0_PE (1ull << 0)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_VMXE (1ull << 13)
#define CR4_PCIDE (1ull << 17)
#define CR4_CET (1ull << 23)

#define PIN_EXT_INTR (1u << 0)
#define PIN_NMI_EXIT (1u << 3)
#define PIN_VIRT_NMI (1u << 5)
#define PIN_POSTED (1u << 7)
#define PROC_HLT (1u << 7)
#define PROC_TPR_SHADOW (1u << 21)
#define PROC_NMI_WINDOW (1u << 22)
#define PROC_IO_BITMAPS (1u << 25)
#define PROC_MSR_BITMAPS (1u << 28)
#define PROC_SECONDARY (1u << 31)
#define SEC_APIC_ACCESS (1u << 0)
#define SEC_EPT (1u << 1)
#define SEC_RDTSCP (1u << 3)
#define SEC_X2APIC (1u << 4)
#define SEC_VPID (1u << 5)
#define SEC_UG (1u << 7)
#define SEC_VINTR (1u << 9)
#define SEC_INVPCID (1u << 12)
#define SEC_XSAVES (1u << 20)
#define EXIT_HOST_64 (1u << 9)
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)
#define EXIT_SAVE_TIMER (1u << 22)
#define ENTRY_LOAD_DEBUG (1u << 2)
#define ENTRY_IA32E (1u << 9)
#define ENTRY_SMM (1u << 10)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

#define VALID (1u << 31)
#define ERRCODE (1u << 11)
#define EXTINT(v) (VALID | (0u << 8) | (v))
#define NMI(v) (VALID | (2u << 8) | (v))
#define HWEXC(v) (VALID | (3u << 8) | (v))
#define SWINT(v) (VALID | (4u << 8) | (v))
#define SWEXC(v) (VALID | (6u << 8) | (v))

#define PAT_DEFAULT 0x0007040600070406ull
#define HIGH_HALF 0xffff800000000000ull

static struct vmx_snapshot snap;
static struct vmx_caps caps;

/* IA32_VMX_* as a Skylake server (Bochs corei7_skylake_x) reports them, TRUE variants. */
static void skylake(void)
{
	memset(&caps, 0, sizeof(caps));
	caps.basic = 0x00da040000000004ull;
	caps.pin = 0x0000007f00000016ull;
	caps.proc = 0xfff9fffe04006172ull;
	caps.proc2 = 0x005fffff00000000ull;   /* no PML, mode-based EPT, SPP */
	caps.exit = 0x01ffffff00036dfbull;
	caps.entry = 0x0003ffff000011fbull;
	caps.misc = 0x200401e7ull;            /* HLT/shutdown/SIPI, 4 CR3 targets, no 0-length injection */
	caps.cr0_fixed0 = 0x80000021ull;
	caps.cr0_fixed1 = 0xffffffffull;
	caps.cr4_fixed0 = 0x2000ull;
	caps.cr4_fixed1 = 0x3727ffull;
	caps.ept_vpid_cap = 0x00000f0106734141ull;   /* walk 4, UC, WB, 2M/1G, A/D, INVEPT */
	caps.phys_addr_bits = 39;
}

static void seg(int i, u16 sel, u32 ar, u32 limit, u64 base)
{
	snap.seg[i] = (struct vmx_seg_state){ .selector = sel, .limit = limit, .ar = ar, .base = base };
}

/* The VMCS the VMM builds for a Linux kernel entered at its 64-bit entry point. */
static void good(void)
{
	skylake();
	memset(&snap, 0, sizeof(snap));
	snap.pin = 0x16 | PIN_EXT_INTR | PIN_NMI_EXIT;
	snap.proc = 0x04006172 | PROC_HLT | PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY;
	snap.proc2 = SEC_EPT | SEC_RDTSCP | SEC_VPID | SEC_UG | SEC_INVPCID | SEC_XSAVES;
	snap.exit = 0x36dfb | EXIT_HOST_64 | EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER |
		    EXIT_LOAD_EFER;
	snap.entry = 0x11fb | ENTRY_IA32E | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER;
	snap.io_bitmap_a = 0x100000;
	snap.io_bitmap_b = 0x101000;
	snap.msr_bitmap = 0x102000;
	snap.ept_pointer = 0x200000 | 6 | (3 << 3) | (1 << 6);   /* WB, 4 levels, A/D */
	snap.vpid = 1;

	snap.host_cr0 = 0x80050033;
	snap.host_cr3 = 0x1000000;
	snap.host_cr4 = CR4_PAE | CR4_VMXE | 0x80 | 0x600 | 0x40000;   /* + PGE, OSFXSR/XMM, OSXSAVE */
	snap.host_sel[0] = 0x10;   /* ES */
	snap.host_sel[1] = 0x08;   /* CS */
	snap.host_sel[2] = 0x10;
	snap.host_sel[3] = 0x10;
	snap.host_sel[4] = 0x10;
	snap.host_sel[5] = 0x10;
	snap.host_sel[6] = 0x28;   /* TR */
	snap.host_fs_base = 0;
	snap.host_gs_base = HIGH_HALF | 0x200000;
	snap.host_tr_base = HIGH_HALF | 0x201000;
	snap.host_gdtr_base = HIGH_HALF | 0x202000;
	snap.host_idtr_base = HIGH_HALF | 0x203000;
	snap.host_sysenter_esp = 0;
	snap.host_sysenter_eip = 0;
	snap.host_rsp = HIGH_HALF | 0x300000;
	snap.host_rip = 0xffffffff80100000ull;
	snap.host_pat = PAT_DEFAULT;
	snap.host_efer = 0xd01;

	snap.cr0 = 0x80000031;
	snap.cr3 = 0x9000;
	snap.cr4 = CR4_PAE | CR4_VMXE;
	snap.dr7 = 0x400;
	snap.rip = 0x1000000;
	snap.rsp = 0x8f000;
	snap.rflags = 2;
	snap.pat = PAT_DEFAULT;
	snap.efer = 0x500;
	snap.link_pointer = ~0ull;
	seg(VMX_CS, 0x10, 0xa09b, 0xffffffff, 0);
	seg(VMX_DS, 0x18, 0xc093, 0xffffffff, 0);
	seg(VMX_ES, 0x18, 0xc093, 0xffffffff, 0);
	seg(VMX_SS, 0x18, 0xc093, 0xffffffff, 0);
	seg(VMX_FS, 0x18, 0xc093, 0xffffffff, 0);
	seg(VMX_GS, 0x18, 0xc093, 0xffffffff, 0);
	seg(VMX_TR, 0, 0x8b, 0xffff, 0);
	seg(VMX_LDTR, 0, 0x10000, 0, 0);
	snap.gdtr_base = 0x1000;
	snap.gdtr_limit = 0x27;
}

/* A 32-bit protected-mode guest with paging (PAE) and no IA-32e mode. */
static void good32(void)
{
	good();
	snap.entry &= ~ENTRY_IA32E;
	snap.efer = 0;
	seg(VMX_CS, 0x10, 0xc09b, 0xffffffff, 0);
}

/* The state at reset under unrestricted guest: real mode, CS base 0xffff0000. */
static void reset_state(void)
{
	good();
	snap.entry &= ~ENTRY_IA32E;
	snap.efer = 0;
	snap.cr0 = CR0_ET | CR0_NE;
	snap.cr4 = CR4_VMXE;
	snap.cr3 = 0;
	snap.rip = 0xfff0;
	seg(VMX_CS, 0xf000, 0x9b, 0xffff, 0xffff0000);
	for (int i = VMX_ES; i <= VMX_GS; i++)
		if (i != VMX_CS)
			seg(i, 0, 0x93, 0xffff, 0);
	seg(VMX_TR, 0, 0x8b, 0xffff, 0);
	snap.gdtr_base = 0;
	snap.gdtr_limit = 0xffff;
	snap.idtr_limit = 0xffff;
}

static const char *ctl(void)
{
	return vmx_check_controls(&snap, &caps);
}

static const char *host(void)
{
	return vmx_check_host(&snap, &caps);
}

static const char *guest(void)
{
	return vmx_check_guest(&snap, &caps);
}

static bool has(const char *s, const char *sub)
{
	return s && strstr(s, sub);
}

TEST(valid_states)
{
	good();
	CHECK(ctl() == NULL);
	CHECK(host() == NULL);
	CHECK(guest() == NULL);

	/* Events the VMM injects: #PF with code, an external interrupt, INT3, an NMI. */
	snap.entry_intr_info = HWEXC(14) | ERRCODE;
	snap.entry_exception_error = 0x2;
	CHECK(ctl() == NULL);
	snap.entry_intr_info = EXTINT(0x30);
	snap.rflags = 0x202;
	CHECK(ctl() == NULL);
	CHECK(guest() == NULL);
	snap.entry_intr_info = SWEXC(3);
	snap.entry_insn_len = 1;
	CHECK(ctl() == NULL);
	snap.entry_intr_info = NMI(2);
	CHECK(ctl() == NULL);
	CHECK(guest() == NULL);

	/* A guest halted waiting for an interrupt, which then arrives. */
	good();
	snap.activity = 1;
	snap.rflags = 0x202;
	CHECK(guest() == NULL);
	snap.entry_intr_info = EXTINT(0x20);
	CHECK(guest() == NULL);

	/* Compatibility mode: IA-32e with a 32-bit CS. */
	good();
	seg(VMX_CS, 0x10, 0xc09b, 0xffffffff, 0);
	CHECK(guest() == NULL);
	/* 32-bit paged guest; null data segments marked unusable with stale bases. */
	good32();
	CHECK(guest() == NULL);
	seg(VMX_DS, 0, 0x10000, 0, 0x123456789ull);
	seg(VMX_FS, 0, 0x10000, 0, 0);
	CHECK(guest() == NULL);
	/* SS may be unusable (a null SS in 64-bit mode) but its DPL still counts. */
	good();
	seg(VMX_SS, 0, 0x10000, 0, 0);
	CHECK(guest() == NULL);
	/* CD and NW are never checked; a usable LDT is fine. */
	good();
	snap.cr0 |= CR0_CD | CR0_NW;
	seg(VMX_LDTR, 0x20, 0x82, 0xfff, HIGH_HALF);
	CHECK(guest() == NULL);
}

TEST(insn_errors)
{
	CHECK_STR(vmx_insn_error_str(7), "VM entry with invalid control field(s)");
	CHECK_STR(vmx_insn_error_str(8), "VM entry with invalid host-state field(s)");
	CHECK_STR(vmx_insn_error_str(26), "VM entry with events blocked by MOV SS");
	CHECK_STR(vmx_insn_error_str(1), "VMCALL executed in VMX root operation");
	CHECK_STR(vmx_insn_error_str(28), "invalid operand to INVEPT/INVVPID");
	CHECK_STR(vmx_insn_error_str(0), "unknown VM-instruction error");
	CHECK_STR(vmx_insn_error_str(14), "unknown VM-instruction error");
	CHECK_STR(vmx_insn_error_str(29), "unknown VM-instruction error");
	CHECK_STR(vmx_insn_error_str(0xffffffff), "unknown VM-instruction error");
}

TEST(reserved_controls)
{
	good();
	snap.pin &= ~0x2u;
	CHECK_STR(ctl(), "pin-based controls: a bit the capability MSR requires is clear");
	good();
	snap.pin |= 1u << 8;
	CHECK_STR(ctl(), "pin-based controls: a bit the capability MSR does not allow is set");
	good();
	snap.proc &= ~0x04000000u;
	CHECK(has(ctl(), "primary processor-based controls: a bit the capability MSR requires"));
	good();
	snap.proc |= 1u << 17;
	CHECK(has(ctl(), "primary processor-based controls: a bit the capability MSR does not allow"));
	good();
	snap.proc2 |= 1u << 21;
	CHECK_STR(ctl(), "secondary processor-based controls: a bit the capability MSR does not allow is set");
	/* Without activation the secondary field is ignored, garbage and all. */
	good();
	snap.proc &= ~PROC_SECONDARY;
	snap.proc2 = 0xffffffff;
	CHECK(ctl() == NULL);
	good();
	caps.proc2 = 0;
	CHECK(has(ctl(), "secondary processor-based controls"));
	good();
	snap.exit &= ~1u;
	CHECK_STR(ctl(), "exit controls: a bit the capability MSR requires is clear");
	good();
	snap.exit |= 1u << 30;
	CHECK_STR(ctl(), "exit controls: a bit the capability MSR does not allow is set");
	good();
	snap.entry &= ~(1u << 12);
	CHECK_STR(ctl(), "entry controls: a bit the capability MSR requires is clear");
	good();
	snap.entry |= 1u << 20;
	CHECK_STR(ctl(), "entry controls: a bit the capability MSR does not allow is set");
	good();
	snap.entry |= ENTRY_SMM;
	CHECK_STR(ctl(), "entry controls: entry to SMM or deactivate dual-monitor treatment outside SMM");
}

TEST(execution_controls)
{
	good();
	snap.cr3_target_count = 5;
	CHECK_STR(ctl(), "CR3-target count: above IA32_VMX_MISC[24:16]");
	snap.cr3_target_count = 4;
	CHECK(ctl() == NULL);

	good();
	snap.io_bitmap_a = 0x100800;
	CHECK(has(ctl(), "I/O bitmap A: not a 4K-aligned"));
	good();
	snap.io_bitmap_b = 1ull << 39;
	CHECK(has(ctl(), "I/O bitmap B:"));
	good();
	snap.msr_bitmap |= 8;
	CHECK(has(ctl(), "MSR bitmap: not a 4K-aligned"));
	/* Addresses of unused bitmaps are not looked at. */
	snap.proc &= ~(PROC_IO_BITMAPS | PROC_MSR_BITMAPS);
	snap.io_bitmap_a = 3;
	CHECK(ctl() == NULL);

	good();
	snap.pin = (snap.pin & ~PIN_NMI_EXIT) | PIN_VIRT_NMI;
	CHECK_STR(ctl(), "pin-based controls: virtual NMIs without NMI exiting");
	good();
	snap.proc |= PROC_NMI_WINDOW;
	CHECK_STR(ctl(), "primary controls: NMI-window exiting without virtual NMIs");
	snap.pin |= PIN_VIRT_NMI;
	CHECK(ctl() == NULL);

	good();
	snap.proc2 |= SEC_VINTR;
	CHECK(has(ctl(), "without TPR shadow"));
	snap.proc |= PROC_TPR_SHADOW;
	CHECK(ctl() == NULL);
	snap.pin &= ~PIN_EXT_INTR;
	CHECK_STR(ctl(), "secondary controls: virtual-interrupt delivery without external-interrupt exiting");
	good();
	snap.proc |= PROC_TPR_SHADOW;
	snap.proc2 |= SEC_X2APIC | SEC_APIC_ACCESS;
	CHECK_STR(ctl(), "secondary controls: virtualize x2APIC mode together with virtualize APIC accesses");
	good();
	caps.pin |= (u64)PIN_POSTED << 32;
	snap.pin |= PIN_POSTED;
	CHECK(has(ctl(), "posted interrupts without virtual-interrupt delivery"));

	good();
	snap.vpid = 0;
	CHECK_STR(ctl(), "VPID: zero with enable VPID (VPID 0 is the host's)");
	snap.proc2 &= ~SEC_VPID;
	CHECK(ctl() == NULL);

	good();
	snap.proc2 &= ~SEC_EPT;
	CHECK_STR(ctl(), "secondary controls: unrestricted guest without enable EPT");
	snap.proc2 &= ~SEC_UG;
	snap.ept_pointer = 0;   /* unused without EPT */
	CHECK(ctl() == NULL);
	caps.proc2 |= 0x00c20000ull << 32;   /* a CPU with PML, mode-based execute, SPP */
	snap.proc2 |= 1u << 17;
	CHECK_STR(ctl(), "secondary controls: enable PML without enable EPT");
	snap.proc2 ^= (1u << 17) | (1u << 22);
	CHECK_STR(ctl(), "secondary controls: mode-based execute control without enable EPT");
	snap.proc2 ^= (1u << 22) | (1u << 23);
	CHECK_STR(ctl(), "secondary controls: sub-page write permissions without enable EPT");
	snap.proc2 |= SEC_EPT;
	snap.ept_pointer = 0x200000 | 6 | (3 << 3);
	CHECK(ctl() == NULL);
}

TEST(ept_pointer)
{
	good();
	snap.ept_pointer = (snap.ept_pointer & ~7ull) | 1;
	CHECK_STR(ctl(), "EPT pointer: memory type is neither UC (0) nor WB (6)");
	good();
	snap.ept_pointer &= ~7ull;   /* UC */
	CHECK(ctl() == NULL);
	caps.ept_vpid_cap &= ~(1ull << 8);
	CHECK_STR(ctl(), "EPT pointer: memory type not supported by IA32_VMX_EPT_VPID_CAP");
	good();
	caps.ept_vpid_cap &= ~(1ull << 14);
	CHECK_STR(ctl(), "EPT pointer: memory type not supported by IA32_VMX_EPT_VPID_CAP");
	good();
	snap.ept_pointer = (snap.ept_pointer & ~0x38ull) | (2 << 3);   /* 3 levels */
	CHECK_STR(ctl(), "EPT pointer: page-walk length is not 4");
	snap.ept_pointer = (snap.ept_pointer & ~0x38ull) | (4 << 3);   /* 5 levels, unsupported */
	CHECK_STR(ctl(), "EPT pointer: page-walk length is not 4");
	caps.ept_vpid_cap |= 1ull << 7;
	CHECK(ctl() == NULL);
	good();
	caps.ept_vpid_cap &= ~(1ull << 21);
	CHECK_STR(ctl(), "EPT pointer: A/D flags enabled but not supported");
	snap.ept_pointer &= ~(1ull << 6);
	CHECK(ctl() == NULL);
	good();
	snap.ept_pointer |= 1ull << 7;
	CHECK_STR(ctl(), "EPT pointer: reserved bits 11:7 set");
	good();
	snap.ept_pointer |= 1ull << 11;
	CHECK_STR(ctl(), "EPT pointer: reserved bits 11:7 set");
	good();
	snap.ept_pointer |= 1ull << 39;
	CHECK_STR(ctl(), "EPT pointer: address beyond the physical-address width");
	caps.phys_addr_bits = 46;
	CHECK(ctl() == NULL);
}

TEST(exit_controls)
{
	good();
	snap.exit |= EXIT_SAVE_TIMER;
	CHECK_STR(ctl(), "exit controls: save VMX-preemption timer value without activating the timer");
	snap.pin |= 1u << 6;
	CHECK(ctl() == NULL);
}

TEST(event_injection)
{
	good();
	snap.entry_intr_info = VALID | (1u << 8);
	CHECK_STR(ctl(), "entry interruption info: type 1 is reserved");
	snap.entry_intr_info = VALID | (7u << 8);
	CHECK(ctl() == NULL);   /* pending MTF VM exit: MTF is allowed */
	caps.proc &= ~(1ull << (32 + 27));
	CHECK(has(ctl(), "type 7 (other event) without monitor-trap-flag support"));
	good();
	snap.entry_intr_info = VALID | (7u << 8) | 1;
	CHECK_STR(ctl(), "entry interruption info: other event with a vector other than 0");
	snap.entry_intr_info = NMI(3);
	CHECK_STR(ctl(), "entry interruption info: NMI with a vector other than 2");
	snap.entry_intr_info = HWEXC(32);
	CHECK_STR(ctl(), "entry interruption info: hardware exception vector above 31");

	snap.entry_intr_info = HWEXC(13);
	CHECK_STR(ctl(), "entry interruption info: deliver-error-code clear for an exception that pushes one");
	snap.entry_intr_info = HWEXC(6) | ERRCODE;
	CHECK_STR(ctl(), "entry interruption info: deliver-error-code set for an exception without one");
	caps.basic |= 1ull << 56;   /* newer CPUs: any vector, code or not */
	CHECK(ctl() == NULL);
	snap.entry_intr_info = HWEXC(13);
	CHECK(ctl() == NULL);
	good();
	snap.entry_intr_info = EXTINT(0x20) | ERRCODE;
	CHECK(has(ctl(), "deliver-error-code set for a non-exception or in real mode"));
	/* Real mode under unrestricted guest: no error codes even for #GP. */
	good();
	snap.cr0 &= ~(CR0_PE | CR0_PG);
	snap.entry_intr_info = HWEXC(13) | ERRCODE;
	CHECK(has(ctl(), "deliver-error-code set for a non-exception or in real mode"));
	snap.entry_intr_info = HWEXC(13);
	CHECK(ctl() == NULL);

	good();
	snap.entry_intr_info = HWEXC(14) | ERRCODE;
	snap.entry_exception_error = 0x10000;
	CHECK_STR(ctl(), "entry exception error code: bits 31:16 not zero");
	snap.entry_exception_error = 0x8000;   /* bit 15 (SGX) is fine */
	CHECK(ctl() == NULL);
	snap.entry_intr_info |= 1u << 12;
	CHECK_STR(ctl(), "entry interruption info: reserved bits 30:12 not zero");

	good();
	snap.entry_intr_info = SWINT(0x80);
	snap.entry_insn_len = 0;
	CHECK_STR(ctl(), "entry instruction length: not 1-15 for a software interrupt or exception");
	caps.misc |= 1ull << 30;
	CHECK(ctl() == NULL);
	snap.entry_insn_len = 16;
	CHECK_STR(ctl(), "entry instruction length: not 1-15 for a software interrupt or exception");
	snap.entry_intr_info = HWEXC(6);   /* length unused for hardware exceptions */
	CHECK(ctl() == NULL);
}

TEST(host_state)
{
	good();
	snap.exit &= ~EXIT_HOST_64;
	CHECK_STR(host(), "exit controls: host address-space size (bit 9) clear on a 64-bit host");
	good();
	snap.host_cr0 &= ~CR0_NE;
	CHECK_STR(host(), "host CR0: a bit IA32_VMX_CR0_FIXED0 requires is clear");
	good();
	snap.host_cr0 |= 1ull << 32;
	CHECK_STR(host(), "host CR0: a bit IA32_VMX_CR0_FIXED1 forbids is set");
	good();
	snap.host_cr4 &= ~CR4_VMXE;
	CHECK_STR(host(), "host CR4: a bit IA32_VMX_CR4_FIXED0 requires is clear");
	good();
	snap.host_cr4 |= 1ull << 22;
	CHECK_STR(host(), "host CR4: a bit IA32_VMX_CR4_FIXED1 forbids is set");
	good();
	caps.cr4_fixed1 |= CR4_CET;
	snap.host_cr4 |= CR4_CET;
	snap.host_cr0 &= ~CR0_WP;
	CHECK_STR(host(), "host CR4: CET set without CR0.WP");
	good();
	snap.host_cr3 = 1ull << 39;
	CHECK_STR(host(), "host CR3: bits set beyond the physical-address width");
	good();
	snap.host_sysenter_esp = 0x0000800000000000ull;
	CHECK_STR(host(), "host IA32_SYSENTER_ESP: not canonical");
	good();
	snap.host_sysenter_eip = 0xfff0000000000000ull;
	CHECK_STR(host(), "host IA32_SYSENTER_EIP: not canonical");
	good();
	snap.host_pat = 0x0007040600070402ull;
	CHECK(has(host(), "host IA32_PAT: an entry is not a valid memory type"));
	snap.exit &= ~EXIT_LOAD_PAT;
	CHECK(host() == NULL);
	good();
	snap.host_efer |= 2;
	CHECK_STR(host(), "host IA32_EFER: reserved bits set");
	good();
	snap.host_efer &= ~0x400ull;
	CHECK(has(host(), "host IA32_EFER: LMA and LME must both equal"));
	snap.exit &= ~EXIT_LOAD_EFER;
	CHECK(host() == NULL);

	good();
	snap.host_sel[1] = 0x0b;
	CHECK_STR(host(), "host CS selector: RPL/TI not zero");
	good();
	snap.host_sel[0] = 0x13;
	CHECK_STR(host(), "host ES selector: RPL/TI not zero");
	good();
	snap.host_sel[6] = 0x2c;
	CHECK_STR(host(), "host TR selector: RPL/TI not zero");
	good();
	snap.host_sel[1] = 0;
	CHECK_STR(host(), "host CS selector: zero");
	good();
	snap.host_sel[6] = 0;
	CHECK_STR(host(), "host TR selector: zero");
	good();
	snap.host_sel[2] = 0;   /* a null SS is fine on a 64-bit host */
	snap.host_sel[3] = snap.host_sel[4] = 0;
	CHECK(host() == NULL);
	good();
	snap.host_fs_base = 0x0001000000000000ull;
	CHECK_STR(host(), "host FS base: not canonical");
	good();
	snap.host_gs_base = 0x7fff800000000000ull;
	CHECK_STR(host(), "host GS base: not canonical");
	good();
	snap.host_idtr_base = 0xfffe800000000000ull;
	CHECK_STR(host(), "host IDTR base: not canonical");
	good();
	snap.host_gdtr_base = 0x7fff800000000000ull;
	CHECK_STR(host(), "host GDTR base: not canonical");
	good();
	snap.host_tr_base = 0x8000000000000000ull;
	CHECK_STR(host(), "host TR base: not canonical");
	good();
	snap.host_cr4 &= ~CR4_PAE;
	CHECK_STR(host(), "host CR4: PAE clear with host address-space size 1");
	good();
	snap.host_rip = 0x0000800000000000ull;
	CHECK_STR(host(), "host RIP: not canonical");
}

TEST(guest_control_registers)
{
	good();
	snap.cr0 &= ~CR0_NE;
	CHECK_STR(guest(), "guest CR0: a bit IA32_VMX_CR0_FIXED0 requires is clear");
	good();
	snap.cr0 |= 1ull << 40;
	CHECK_STR(guest(), "guest CR0: a bit IA32_VMX_CR0_FIXED1 forbids is set");
	good();
	snap.cr0 &= ~CR0_PE;   /* unrestricted guest: allowed, but PG needs PE */
	CHECK_STR(guest(), "guest CR0: PG set without PE");
	good();
	snap.cr4 &= ~CR4_VMXE;
	CHECK_STR(guest(), "guest CR4: a bit IA32_VMX_CR4_FIXED0 requires is clear");
	good();
	snap.cr4 |= 1ull << 22;
	CHECK_STR(guest(), "guest CR4: a bit IA32_VMX_CR4_FIXED1 forbids is set");
	good();
	caps.cr4_fixed1 |= CR4_CET;
	snap.cr4 |= CR4_CET;
	CHECK_STR(guest(), "guest CR4: CET set without CR0.WP");
	snap.cr0 |= CR0_WP;
	CHECK(guest() == NULL);
	good();
	snap.cr4 &= ~CR4_PAE;
	CHECK_STR(guest(), "guest CR4: PAE clear with IA-32e mode guest");
	good();
	snap.cr0 &= ~CR0_PG;
	CHECK_STR(guest(), "guest CR0: PG clear with IA-32e mode guest");
	good32();
	snap.cr4 |= CR4_PCIDE;
	CHECK_STR(guest(), "guest CR4: PCIDE set without IA-32e mode guest");
	good();
	snap.cr3 = 1ull << 39;
	CHECK_STR(guest(), "guest CR3: bits set beyond the physical-address width");

	good();
	snap.debugctl = 1ull << 16;
	CHECK(guest() == NULL);   /* not loaded without "load debug controls" */
	snap.entry |= ENTRY_LOAD_DEBUG;
	CHECK_STR(guest(), "guest IA32_DEBUGCTL: reserved bits set");
	snap.debugctl = 1ull << 3;
	CHECK_STR(guest(), "guest IA32_DEBUGCTL: reserved bits set");
	snap.debugctl = 0xffc3;   /* LBR, BTF, TR, BTS ... RTM */
	CHECK(guest() == NULL);
	snap.dr7 = 1ull << 32;
	CHECK_STR(guest(), "guest DR7: bits 63:32 not zero");

	good();
	snap.sysenter_esp = 0x0000800000000000ull;
	CHECK_STR(guest(), "guest IA32_SYSENTER_ESP: not canonical");
	good();
	snap.sysenter_eip = 0x1234000000000000ull;
	CHECK_STR(guest(), "guest IA32_SYSENTER_EIP: not canonical");
	good();
	snap.pat = 0x0307040600070406ull;
	CHECK(has(guest(), "guest IA32_PAT: an entry is not a valid memory type"));
	snap.pat = 0x0807040600070406ull;
	CHECK(has(guest(), "guest IA32_PAT"));
	snap.entry &= ~ENTRY_LOAD_PAT;
	CHECK(guest() == NULL);

	good();
	snap.efer |= 1ull << 12;   /* SVME: AMD only */
	CHECK_STR(guest(), "guest IA32_EFER: reserved bits set");
	good();
	snap.efer &= ~0x400ull;
	CHECK_STR(guest(), "entry controls: bit 9 (IA-32e mode guest) differs from guest EFER.LMA");
	good();
	snap.entry &= ~ENTRY_IA32E;
	CHECK_STR(guest(), "entry controls: bit 9 (IA-32e mode guest) differs from guest EFER.LMA");
	good();
	snap.efer &= ~0x100ull;
	CHECK_STR(guest(), "guest IA32_EFER: LME differs from LMA with CR0.PG set");
	/* Long mode enabled, paging still off (unrestricted guest): LME may lead LMA. */
	good32();
	snap.cr0 &= ~CR0_PG;
	snap.efer = 0x100;
	CHECK(guest() == NULL);
}

TEST(unrestricted_guest)
{
	reset_state();
	CHECK(guest() == NULL);
	CHECK(ctl() == NULL);
	/* Unpaged protected mode is fine too. */
	reset_state();
	snap.cr0 |= CR0_PE;
	seg(VMX_CS, 0x8, 0xc09b, 0xffffffff, 0);
	seg(VMX_SS, 0x10, 0xc093, 0xffffffff, 0);
	CHECK(guest() == NULL);

	/* Without unrestricted guest the same CR0 breaks IA32_VMX_CR0_FIXED0. */
	reset_state();
	snap.proc2 &= ~SEC_UG;
	CHECK_STR(guest(), "guest CR0: a bit IA32_VMX_CR0_FIXED0 requires is clear");
	snap.cr0 |= CR0_PE;
	CHECK_STR(guest(), "guest CR0: a bit IA32_VMX_CR0_FIXED0 requires is clear");   /* PG */
	/* ...and so does it when the secondary controls are not activated. */
	reset_state();
	snap.proc &= ~PROC_SECONDARY;
	CHECK_STR(guest(), "guest CR0: a bit IA32_VMX_CR0_FIXED0 requires is clear");

	/* Real-mode segment rules. */
	reset_state();
	seg(VMX_SS, 0, 0xf3, 0xffff, 0);
	CHECK_STR(guest(), "guest SS: DPL not 0 in real mode or with a type-3 CS");
	reset_state();
	seg(VMX_CS, 0xf000, 0x93, 0xffff, 0xffff0000);   /* data-type CS */
	CHECK(guest() == NULL);
	seg(VMX_CS, 0xf000, 0xf3, 0xffff, 0xffff0000);
	CHECK_STR(guest(), "guest CS: type 3 with DPL not 0");
	reset_state();
	snap.proc2 &= ~SEC_UG;
	snap.cr0 |= CR0_PE | CR0_PG;
	seg(VMX_CS, 0xf000, 0x93, 0xffff, 0xffff0000);
	CHECK_STR(guest(), "guest CS: type must be 9, 11, 13 or 15 (or 3 with unrestricted guest)");
}

TEST(guest_selectors_and_bases)
{
	good();
	snap.seg[VMX_TR].selector = 0x2c;
	CHECK_STR(guest(), "guest TR selector: TI set");
	good();
	seg(VMX_LDTR, 0x24, 0x82, 0xfff, 0);
	CHECK_STR(guest(), "guest LDTR selector: TI set");
	snap.seg[VMX_LDTR].ar |= 0x10000;   /* unusable: not checked */
	CHECK(guest() == NULL);
	good();
	snap.proc2 &= ~SEC_UG;
	snap.seg[VMX_SS].selector = 0x1b;
	CHECK_STR(guest(), "guest SS selector: RPL differs from CS RPL");

	good();
	snap.seg[VMX_CS].base = 1ull << 32;
	CHECK_STR(guest(), "guest CS: base bits 63:32 not zero");
	good();
	snap.seg[VMX_DS].base = 1ull << 32;
	CHECK_STR(guest(), "guest DS: base bits 63:32 not zero");
	good();
	snap.seg[VMX_FS].base = 0x0000800000000000ull;
	CHECK_STR(guest(), "guest FS: base not canonical");
	snap.seg[VMX_FS].base = HIGH_HALF;   /* the per-CPU area of a 64-bit kernel */
	CHECK(guest() == NULL);
	good();
	snap.seg[VMX_GS].ar = 0x10000;   /* unusable, yet its base must be canonical */
	snap.seg[VMX_GS].base = 0x0000800000000000ull;
	CHECK_STR(guest(), "guest GS: base not canonical");
	good();
	snap.seg[VMX_TR].base = 0x0001000000000000ull;
	CHECK_STR(guest(), "guest TR: base not canonical");
	good();
	seg(VMX_LDTR, 0x20, 0x82, 0xfff, 0x0001000000000000ull);
	CHECK_STR(guest(), "guest LDTR: base not canonical");

	good();
	snap.gdtr_base = 0x0000800000000000ull;
	CHECK_STR(guest(), "guest GDTR: base not canonical");
	good();
	snap.idtr_base = 0xff00000000000000ull;
	CHECK_STR(guest(), "guest IDTR: base not canonical");
	good();
	snap.gdtr_limit = 0x10000;
	CHECK_STR(guest(), "guest GDTR: limit bits 31:16 not zero");
	good();
	snap.idtr_limit = 0x10000;
	CHECK_STR(guest(), "guest IDTR: limit bits 31:16 not zero");
}

TEST(guest_code_data_segments)
{
	good();
	snap.proc2 &= ~SEC_UG;
	snap.seg[VMX_CS].ar = (snap.seg[VMX_CS].ar & ~0xfu) | 3;
	CHECK(has(guest(), "guest CS: type must be 9, 11, 13 or 15"));
	good();
	snap.seg[VMX_CS].ar &= ~1u;   /* not accessed */
	CHECK(has(guest(), "guest CS: type must be"));
	good();
	snap.seg[VMX_CS].ar |= 3u << 5;   /* DPL 3, SS.DPL 0 */
	CHECK_STR(guest(), "guest CS: non-conforming code with DPL differing from SS.DPL");
	good();
	snap.seg[VMX_CS].ar = (snap.seg[VMX_CS].ar & ~0x6fu) | 0xf | (1u << 5);   /* conforming, DPL 1 */
	CHECK_STR(guest(), "guest CS: conforming code with DPL above SS.DPL");
	snap.seg[VMX_CS].ar &= ~0x60u;
	CHECK(guest() == NULL);
	good();
	snap.seg[VMX_CS].ar |= 1u << 14;
	CHECK_STR(guest(), "guest CS: L and D/B both set in IA-32e mode");
	good32();
	snap.seg[VMX_CS].ar |= 1u << 13;   /* L means nothing outside IA-32e mode */
	CHECK(guest() == NULL);
	good();
	snap.seg[VMX_CS].ar &= ~0x10u;
	CHECK_STR(guest(), "guest CS: S clear (must be a code or data segment)");
	good();
	snap.seg[VMX_CS].ar &= ~0x80u;
	CHECK_STR(guest(), "guest CS: not present");
	good();
	snap.seg[VMX_CS].ar |= 1u << 8;
	CHECK_STR(guest(), "guest CS: access-rights bits 11:8 not zero");
	good();
	snap.seg[VMX_CS].limit = 0xfffff000;
	CHECK_STR(guest(), "guest CS: G set but limit bits 11:0 not all ones");
	good();
	snap.seg[VMX_CS].ar &= ~0x8000u;
	CHECK_STR(guest(), "guest CS: G clear but limit above 0xfffff");
	good();
	snap.seg[VMX_CS].ar |= 1u << 20;
	CHECK_STR(guest(), "guest CS: access-rights bits 31:17 not zero");

	good();
	snap.seg[VMX_SS].ar = (snap.seg[VMX_SS].ar & ~0xfu) | 1;
	CHECK_STR(guest(), "guest SS: type must be 3 or 7 (read/write accessed data)");
	good();
	snap.proc2 &= ~SEC_UG;
	snap.seg[VMX_SS].selector = 0x1b;
	snap.seg[VMX_CS].selector = 0x13;
	CHECK_STR(guest(), "guest SS: DPL differs from selector RPL");
	good();
	snap.seg[VMX_SS].ar |= 1u << 5;
	snap.seg[VMX_CS].ar |= 1u << 5;
	snap.seg[VMX_SS].selector = 0x19;
	snap.seg[VMX_CS].selector = 0x11;
	CHECK(guest() == NULL);   /* a ring-1 guest */

	good();
	snap.seg[VMX_DS].ar &= ~1u;
	CHECK_STR(guest(), "guest DS: type not accessed (bit 0 clear)");
	good();
	snap.seg[VMX_ES].ar = (snap.seg[VMX_ES].ar & ~0xfu) | 9;
	CHECK_STR(guest(), "guest ES: execute-only code segment (must be readable)");
	snap.seg[VMX_ES].ar |= 2;
	CHECK(guest() == NULL);
	good();
	snap.proc2 &= ~SEC_UG;
	snap.seg[VMX_FS].selector = 0x1b;   /* RPL 3 on a DPL-0 segment */
	CHECK_STR(guest(), "guest FS: DPL below selector RPL");
	snap.proc2 |= SEC_UG;
	CHECK(guest() == NULL);
	good();
	snap.seg[VMX_GS].ar &= ~0x80u;
	CHECK_STR(guest(), "guest GS: not present");
	snap.seg[VMX_GS].ar |= 0x10000;   /* unusable: nothing else checked */
	CHECK(guest() == NULL);
	good();
	snap.seg[VMX_DS].ar &= ~0x8000u;
	CHECK_STR(guest(), "guest DS: G clear but limit above 0xfffff");
	good();
	snap.seg[VMX_ES].ar |= 1u << 17;
	CHECK_STR(guest(), "guest ES: access-rights bits 31:17 not zero");
}

TEST(guest_system_segments)
{
	good();
	snap.seg[VMX_TR].ar = 0x83;   /* 16-bit busy TSS */
	CHECK(has(guest(), "guest TR: type must be a busy TSS"));
	good32();
	snap.seg[VMX_TR].ar = 0x83;
	CHECK(guest() == NULL);
	good();
	snap.seg[VMX_TR].ar = 0x89;   /* available, not busy */
	CHECK(has(guest(), "guest TR: type must be a busy TSS"));
	good();
	snap.seg[VMX_TR].ar |= 0x10;
	CHECK_STR(guest(), "guest TR: S set (must be a system segment)");
	good();
	snap.seg[VMX_TR].ar &= ~0x80u;
	CHECK_STR(guest(), "guest TR: not present");
	good();
	snap.seg[VMX_TR].ar |= 0x10000;
	CHECK_STR(guest(), "guest TR: unusable");
	good();
	snap.seg[VMX_TR].limit = 0x67;
	snap.seg[VMX_TR].ar |= 0x8000;
	CHECK_STR(guest(), "guest TR: G set but limit bits 11:0 not all ones");
	good();
	seg(VMX_LDTR, 0x20, 0x83, 0xfff, 0);
	CHECK_STR(guest(), "guest LDTR: type must be 2 (LDT)");
	good();
	seg(VMX_LDTR, 0x20, 0x02, 0xfff, 0);
	CHECK_STR(guest(), "guest LDTR: not present");
	good();
	seg(VMX_LDTR, 0x20, 0x92, 0xfff, 0);
	CHECK_STR(guest(), "guest LDTR: S set (must be a system segment)");
}

TEST(virtual_8086)
{
	good32();
	snap.rflags = 0x20002;
	for (int i = VMX_ES; i <= VMX_GS; i++)
		seg(i, 0x1000, 0xf3, 0xffff, 0x10000);
	CHECK(guest() == NULL);
	snap.seg[VMX_DS].base = 0;
	CHECK_STR(guest(), "guest DS: base not selector * 16 in virtual-8086 mode");
	snap.seg[VMX_DS].base = 0x10000;
	snap.seg[VMX_SS].limit = 0xfffff;
	CHECK_STR(guest(), "guest SS: limit not 0xffff in virtual-8086 mode");
	snap.seg[VMX_SS].limit = 0xffff;
	snap.seg[VMX_CS].ar = 0xfb;
	CHECK_STR(guest(), "guest CS: access rights not 0xf3 in virtual-8086 mode");
	/* VM in a 64-bit guest is named as such, not as a segment problem. */
	good();
	snap.rflags = 0x20002;
	CHECK_STR(guest(), "guest RFLAGS: VM set in IA-32e mode or with CR0.PE clear");
}

TEST(guest_rip_rflags)
{
	good();
	snap.rip = 0x0000800000000000ull;
	CHECK_STR(guest(), "guest RIP: not canonical");
	snap.rip = 0xffffffff81000000ull;
	CHECK(guest() == NULL);
	/* Compatibility mode: 32-bit RIP. */
	seg(VMX_CS, 0x10, 0xc09b, 0xffffffff, 0);
	CHECK_STR(guest(), "guest RIP: bits 63:32 not zero outside 64-bit mode");

	good();
	snap.rflags |= 1u << 3;
	CHECK_STR(guest(), "guest RFLAGS: reserved bits (63:22, 15, 5, 3) set");
	good();
	snap.rflags |= 1ull << 22;
	CHECK_STR(guest(), "guest RFLAGS: reserved bits (63:22, 15, 5, 3) set");
	good();
	snap.rflags = 0;
	CHECK_STR(guest(), "guest RFLAGS: bit 1 clear");
	good();
	snap.entry_intr_info = EXTINT(0x20);
	CHECK_STR(guest(), "guest RFLAGS: IF clear while injecting an external interrupt");
}

TEST(guest_activity_interruptibility)
{
	good();
	snap.activity = 4;
	CHECK_STR(guest(), "guest activity state: not 0-3");
	good();
	caps.misc &= ~(1ull << 6);
	snap.activity = 1;
	CHECK_STR(guest(), "guest activity state: not supported by IA32_VMX_MISC[8:6]");
	good();
	caps.misc &= ~(1ull << 8);
	snap.activity = 3;
	CHECK_STR(guest(), "guest activity state: not supported by IA32_VMX_MISC[8:6]");
	good();
	snap.activity = 1;   /* HLT at CPL 3 */
	seg(VMX_CS, 0x33, 0xa0fb, 0xffffffff, 0);
	seg(VMX_SS, 0x2b, 0xc0f3, 0xffffffff, 0);
	CHECK_STR(guest(), "guest activity state: HLT with SS.DPL not 0");
	snap.activity = 0;
	CHECK(guest() == NULL);
	good();
	snap.activity = 1;
	snap.rflags = 0x202;
	snap.interruptibility = 1;
	CHECK_STR(guest(), "guest activity state: not active with blocking by STI or MOV SS");
	good();
	snap.activity = 1;
	snap.entry_intr_info = HWEXC(13) | ERRCODE;
	CHECK_STR(guest(), "guest activity state: the injected event is blocked in this state");
	snap.entry_intr_info = HWEXC(18);   /* #MC wakes a halted CPU */
	CHECK(guest() == NULL);
	snap.activity = 2;
	snap.entry_intr_info = NMI(2);
	CHECK(guest() == NULL);
	snap.entry_intr_info = EXTINT(0x20);
	snap.rflags = 0x202;
	CHECK_STR(guest(), "guest activity state: the injected event is blocked in this state");
	snap.activity = 3;
	snap.entry_intr_info = NMI(2);
	CHECK_STR(guest(), "guest activity state: the injected event is blocked in this state");

	good();
	snap.interruptibility = 1u << 5;
	CHECK_STR(guest(), "guest interruptibility state: reserved bits 31:5 not zero");
	good();
	snap.rflags = 0x202;
	snap.interruptibility = 3;
	CHECK_STR(guest(), "guest interruptibility state: blocking by both STI and MOV SS");
	good();
	snap.interruptibility = 1;
	CHECK_STR(guest(), "guest interruptibility state: blocking by STI with RFLAGS.IF clear");
	snap.rflags = 0x202;
	CHECK(guest() == NULL);
	snap.entry_intr_info = EXTINT(0x20);
	CHECK(has(guest(), "blocking by STI or MOV SS while injecting an external interrupt"));
	good();
	snap.interruptibility = 2;
	snap.entry_intr_info = NMI(2);
	CHECK_STR(guest(), "guest interruptibility state: blocking by MOV SS while injecting an NMI");
	good();
	snap.interruptibility = 4;
	CHECK_STR(guest(), "guest interruptibility state: blocking by SMI outside SMM");
	good();
	snap.pin |= PIN_VIRT_NMI;
	snap.interruptibility = 8;
	CHECK(guest() == NULL);   /* NMI blocking alone is fine */
	snap.entry_intr_info = NMI(2);
	CHECK_STR(guest(), "guest interruptibility state: blocking by NMI while injecting a virtual NMI");
	good();
	snap.interruptibility = 0x12;
	CHECK_STR(guest(), "guest interruptibility state: enclave interruption with blocking by MOV SS");
}

TEST(guest_pending_debug_link_pdpte)
{
	good();
	snap.pending_dbg = 1u << 4;
	CHECK_STR(guest(), "guest pending debug exceptions: reserved bits set");
	good();
	snap.pending_dbg = 1u << 15;
	CHECK_STR(guest(), "guest pending debug exceptions: reserved bits set");
	good();
	snap.pending_dbg = 0x100f | (1u << 14);   /* B0-B3, enabled breakpoint, BS */
	CHECK(guest() == NULL);
	/* A single step pending across STI must show in BS. */
	good();
	snap.rflags = 0x302;   /* IF, TF */
	snap.interruptibility = 1;
	CHECK(has(guest(), "guest pending debug exceptions: BS does not match"));
	snap.pending_dbg = 1u << 14;
	CHECK(guest() == NULL);
	snap.entry |= ENTRY_LOAD_DEBUG;
	snap.debugctl = 2;   /* BTF: single steps on branches, BS must be clear */
	CHECK(has(guest(), "guest pending debug exceptions: BS does not match"));

	good();
	snap.link_pointer = 0;
	CHECK_STR(guest(), "guest VMCS link pointer: not FFFFFFFF_FFFFFFFFH (no VMCS shadowing)");
	caps.proc2 |= 1ull << (32 + 14);
	snap.proc2 |= 1u << 14;
	snap.link_pointer = 0x5000 | 8;
	CHECK(has(guest(), "guest VMCS link pointer: not a 4K-aligned"));

	/* PAE paging with EPT: the PDPTEs come from the VMCS. */
	good32();
	snap.pdpte[0] = 0x3001;
	snap.pdpte[1] = 0x4001;
	snap.pdpte[3] = 0xdead0000;   /* not present: ignored */
	CHECK(guest() == NULL);
	snap.pdpte[2] = 0x5001 | (1u << 5);
	CHECK_STR(guest(), "guest PDPTE2: reserved bits set");
	snap.pdpte[2] = 0x5001 | (1ull << 63);
	CHECK_STR(guest(), "guest PDPTE2: reserved bits set");
	snap.pdpte[2] = 0x5001 | (1u << 1);
	CHECK_STR(guest(), "guest PDPTE2: reserved bits set");
	snap.pdpte[0] |= 1u << 8;
	CHECK_STR(guest(), "guest PDPTE0: reserved bits set");
	/* Not checked in IA-32e mode or without EPT. */
	good();
	snap.pdpte[0] = 0x3001 | (1u << 5);
	CHECK(guest() == NULL);
	good32();
	snap.pdpte[0] = 0x3001 | (1u << 5);
	snap.proc2 &= ~(SEC_EPT | SEC_UG);
	CHECK(guest() == NULL);
}

TEST_MAIN({ "valid_states", valid_states }, { "insn_errors", insn_errors },
	  { "reserved_controls", reserved_controls }, { "execution_controls", execution_controls },
	  { "ept_pointer", ept_pointer }, { "exit_controls", exit_controls },
	  { "event_injection", event_injection }, { "host_state", host_state },
	  { "guest_control_registers", guest_control_registers },
	  { "unrestricted_guest", unrestricted_guest },
	  { "guest_selectors_and_bases", guest_selectors_and_bases },
	  { "guest_code_data_segments", guest_code_data_segments },
	  { "guest_system_segments", guest_system_segments }, { "virtual_8086", virtual_8086 },
	  { "guest_rip_rflags", guest_rip_rflags },
	  { "guest_activity_interruptibility", guest_activity_interruptibility },
	  { "guest_pending_debug_link_pdpte", guest_pending_debug_link_pdpte })
