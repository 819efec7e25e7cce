// SPDX-License-Identifier: MIT
/*
 * test_vmx_check_guest.c: naming the guest-state check a VMCS breaks
 * (arch/x86/vmx/vmx_check.c, SDM 26.3.1): each rule broken on its own in
 * the valid guest of vmx_check_fixture.h must be named.
 */
#include "vmx_check_fixture.h"

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

TEST_MAIN({ "guest_control_registers", guest_control_registers },
	  { "unrestricted_guest", unrestricted_guest },
	  { "guest_selectors_and_bases", guest_selectors_and_bases },
	  { "guest_code_data_segments", guest_code_data_segments },
	  { "guest_system_segments", guest_system_segments }, { "virtual_8086", virtual_8086 },
	  { "guest_rip_rflags", guest_rip_rflags },
	  { "guest_activity_interruptibility", guest_activity_interruptibility },
	  { "guest_pending_debug_link_pdpte", guest_pending_debug_link_pdpte })
