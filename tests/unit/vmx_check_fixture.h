/* SPDX-License-Identifier: MIT */
/*
 * vmx_check_fixture.h: for the VM-entry check tests (test_vmx_check.c:
 * controls and host state; test_vmx_check_guest.c: guest state): a valid
 * 64-bit guest as the Linux boot protocol starts it on a Skylake-like CPU,
 * and the three walks of arch/x86/vmx/vmx_check.c over it.
 */
#ifndef TESTS_UNIT_VMX_CHECK_FIXTURE_H
#define TESTS_UNIT_VMX_CHECK_FIXTURE_H

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
static inline void skylake(void)
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

static inline void seg(int i, u16 sel, u32 ar, u32 limit, u64 base)
{
	snap.seg[i] = (struct vmx_seg_state){ .selector = sel, .limit = limit, .ar = ar, .base = base };
}

/* The VMCS the VMM builds for a Linux kernel entered at its 64-bit entry point. */
static inline void good(void)
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
static inline void good32(void)
{
	good();
	snap.entry &= ~ENTRY_IA32E;
	snap.efer = 0;
	seg(VMX_CS, 0x10, 0xc09b, 0xffffffff, 0);
}

/* The state at reset under unrestricted guest: real mode, CS base 0xffff0000. */
static inline void reset_state(void)
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

static inline const char *ctl(void)
{
	return vmx_check_controls(&snap, &caps);
}

static inline const char *host(void)
{
	return vmx_check_host(&snap, &caps);
}

static inline const char *guest(void)
{
	return vmx_check_guest(&snap, &caps);
}

static inline bool has(const char *s, const char *sub)
{
	return s && strstr(s, sub);
}

#endif
