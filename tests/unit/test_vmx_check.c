// SPDX-License-Identifier: MIT
/*
 * test_vmx_check.c: naming the VM-entry check a VMCS breaks
 * (arch/x86/vmx/vmx_check.c), for the controls and the host state. A
 * 64-bit guest as the Linux boot protocol starts it, on a Skylake-like CPU,
 * passes all three walks; then each rule is broken on its own and must be
 * named. The guest-state rules are in test_vmx_check_guest.c.
 */
#include "vmx_check_fixture.h"

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

TEST_MAIN({ "valid_states", valid_states }, { "insn_errors", insn_errors },
	  { "reserved_controls", reserved_controls }, { "execution_controls", execution_controls },
	  { "ept_pointer", ept_pointer }, { "exit_controls", exit_controls },
	  { "event_injection", event_injection }, { "host_state", host_state })
