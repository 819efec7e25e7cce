// SPDX-License-Identifier: MIT
/*
 * test_svm_check.c: naming the APM consistency check a VMCB breaks
 * (arch/x86/svm/svm_check.c). A valid 64-bit VMCB passes; then each rule
 * is broken on its own and must be named exactly.
 */
#include "test.h"

#include "../../arch/x86/svm/svm_check.h"

#define OK "no documented consistency check failed"

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE (1ull << 18)
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define EFER_SVME (1ull << 12)
#define ATTR_L (1u << 9)
#define ATTR_D (1u << 10)

static struct vmcb vmcb;

/* A 64-bit guest as the VMM builds one for a Linux kernel. */
static struct vmcb *valid(void)
{
	memset(&vmcb, 0, sizeof(vmcb));
	vmcb.save.efer = EFER_LME | EFER_LMA | EFER_SVME;
	vmcb.save.cr0 = CR0_PE | CR0_PG;
	vmcb.save.cr4 = CR4_PAE;
	vmcb.save.cr3 = 0x1000;
	vmcb.save.cs.selector = 0x10;
	vmcb.save.cs.attrib = 0x9b | ATTR_L;   /* present, code, L */
	vmcb.save.dr6 = 0xffff0ff0;
	vmcb.save.dr7 = 0x400;
	vmcb.ctl.intercept_misc2 = SVM_INTERCEPT2_VMRUN;
	vmcb.ctl.asid = 1;
	vmcb.ctl.iopm_base_pa = 0x200000;
	vmcb.ctl.msrpm_base_pa = 0x203000;
	return &vmcb;
}

static const char *check(void)
{
	return svm_check_state(&vmcb);
}

TEST(valid_vmcbs)
{
	valid();
	CHECK_STR(check(), OK);

	/* The VMM's real set: more CR0/CR4/EFER bits, intercepts, a pending event. */
	valid();
	vmcb.save.cr0 |= CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM;
	vmcb.save.cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
	vmcb.save.efer |= EFER_SCE | EFER_NXE;
	vmcb.ctl.intercept_misc1 = SVM_INTERCEPT1_INTR | SVM_INTERCEPT1_NMI | SVM_INTERCEPT1_CPUID |
				   SVM_INTERCEPT1_HLT | SVM_INTERCEPT1_IOIO | SVM_INTERCEPT1_MSR |
				   SVM_INTERCEPT1_SHUTDOWN;
	vmcb.ctl.intercept_misc2 |= SVM_INTERCEPT2_VMMCALL | SVM_INTERCEPT2_XSETBV;
	vmcb.ctl.asid = 0xffff;
	vmcb.ctl.event_inj = SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | SVM_EVT_ERR_VALID | 14;
	CHECK_STR(check(), OK);

	/* Real mode at reset: no paging, no PE; nothing long-mode applies. */
	memset(&vmcb, 0, sizeof(vmcb));
	vmcb.save.efer = EFER_SVME;
	vmcb.save.cr0 = CR0_ET | CR0_NW | CR0_CD;   /* 0x60000010: the reset value */
	vmcb.save.cs.selector = 0xf000;
	vmcb.save.cs.base = 0xffff0000;
	vmcb.save.cs.attrib = 0x93;
	vmcb.save.dr6 = 0xffff0ff0;
	vmcb.save.dr7 = 0x400;
	vmcb.ctl.intercept_misc2 = SVM_INTERCEPT2_VMRUN;
	vmcb.ctl.asid = 1;
	CHECK_STR(check(), OK);

	/* 32-bit protected mode with paging, CS.D set: fine without EFER.LME. */
	valid();
	vmcb.save.efer = EFER_SVME;
	vmcb.save.cr4 = 0;
	vmcb.save.cs.attrib = 0x9b | ATTR_D;
	CHECK_STR(check(), OK);
	/* Long mode enabled but paging off (the moment before CR0.PG): no long-mode checks yet. */
	valid();
	vmcb.save.efer = EFER_LME | EFER_SVME;
	vmcb.save.cr0 = CR0_PE;
	vmcb.save.cr4 = 0;
	vmcb.save.cs.attrib = 0x9b | ATTR_L | ATTR_D;
	vmcb.save.cr3 = 1ull << 63;
	CHECK_STR(check(), OK);
	/* Compatibility-mode code segment (L clear) with D set. */
	valid();
	vmcb.save.cs.attrib = 0x9b | ATTR_D;
	CHECK_STR(check(), OK);
}

TEST(efer_svme)
{
	valid();
	vmcb.save.efer &= ~EFER_SVME;
	CHECK_STR(check(), "EFER.SVME is clear in the VMCB");
	vmcb.save.efer = 0;
	CHECK_STR(check(), "EFER.SVME is clear in the VMCB");
}

TEST(cr0)
{
	valid();
	vmcb.save.cr0 |= CR0_NW;
	CHECK_STR(check(), "CR0.NW set without CR0.CD");
	vmcb.save.cr0 |= CR0_CD;
	CHECK_STR(check(), OK);                /* CD with NW: allowed */
	valid();
	vmcb.save.cr0 |= CR0_CD;
	CHECK_STR(check(), OK);                /* CD alone: allowed */

	valid();
	vmcb.save.cr0 |= 1ull << 32;
	CHECK_STR(check(), "CR0 bits 63:32 are not zero");
	valid();
	vmcb.save.cr0 |= 1ull << 63;
	CHECK_STR(check(), "CR0 bits 63:32 are not zero");
	valid();
	vmcb.save.cr0 = 0xffffffff00000000ull | CR0_PE | CR0_PG;
	CHECK_STR(check(), "CR0 bits 63:32 are not zero");
}

TEST(cr3)
{
	valid();
	vmcb.save.cr3 = 1ull << 52;
	CHECK_STR(check(), "CR3 has bits set above bit 51 in long mode");
	vmcb.save.cr3 = 1ull << 63;
	CHECK_STR(check(), "CR3 has bits set above bit 51 in long mode");
	vmcb.save.cr3 = (1ull << 52) - 0x1000;   /* the highest 4 KiB frame: fine */
	CHECK_STR(check(), OK);
	vmcb.save.cr3 = 0x000ffffffffff018ull;   /* PWT/PCD/PCID bits are not MBZ here */
	CHECK_STR(check(), OK);
	/* Outside long mode the check does not apply. */
	valid();
	vmcb.save.efer = EFER_SVME;
	vmcb.save.cr3 = 1ull << 60;
	CHECK_STR(check(), OK);
}

TEST(cr4)
{
	static const unsigned reserved[] = { 15, 19, 25, 26, 31, 32, 63 };

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		valid();
		vmcb.save.cr4 |= 1ull << reserved[i];
		CHECK_STR(check(), "CR4 has reserved bits set");
	}
	/* Every defined bit at once is fine (bits 0-24 but 15 and 19). */
	valid();
	vmcb.save.cr4 = 0x1ffffffull & ~((1ull << 15) | (1ull << 19));
	CHECK_STR(check(), OK);
	valid();
	vmcb.save.cr4 |= (1ull << 24) | (1ull << 20) | (1ull << 14);
	CHECK_STR(check(), OK);
}

TEST(dr6_dr7)
{
	valid();
	vmcb.save.dr6 |= 1ull << 32;
	CHECK_STR(check(), "DR6 or DR7 bits 63:32 are not zero");
	valid();
	vmcb.save.dr7 |= 1ull << 63;
	CHECK_STR(check(), "DR6 or DR7 bits 63:32 are not zero");
	valid();
	vmcb.save.dr6 = 0xffffffff;
	vmcb.save.dr7 = 0xffffffff;
	CHECK_STR(check(), OK);
}

TEST(efer_reserved)
{
	static const unsigned reserved[] = { 1, 2, 7, 9, 16, 19, 22, 31, 32, 63 };
	static const unsigned known[] = { 0, 11, 13, 14, 15, 17, 18, 20, 21 };

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		valid();
		vmcb.save.efer |= 1ull << reserved[i];
		CHECK_STR(check(), "EFER has reserved bits set");
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		valid();
		vmcb.save.efer |= 1ull << known[i];
		CHECK_STR(check(), OK);
	}
}

TEST(long_mode)
{
	valid();
	vmcb.save.cr4 &= ~CR4_PAE;
	CHECK_STR(check(), "long mode paging without CR4.PAE");
	valid();
	vmcb.save.cr0 &= ~CR0_PE;
	CHECK_STR(check(), "long mode paging without CR0.PE");
	valid();
	vmcb.save.cs.attrib |= ATTR_D;
	CHECK_STR(check(), "CS.L and CS.D both set in long mode");
	/* L and D without PAE: the PAE rule is the one broken. */
	vmcb.save.cr4 = 0;
	CHECK_STR(check(), "long mode paging without CR4.PAE");
	/* LMA alone (without LME) does not make the checks apply. */
	valid();
	vmcb.save.efer = EFER_LMA | EFER_SVME;
	vmcb.save.cr4 = 0;
	CHECK_STR(check(), OK);
}

TEST(controls)
{
	valid();
	vmcb.ctl.intercept_misc2 = 0;
	CHECK_STR(check(), "the VMRUN intercept is not set");
	vmcb.ctl.intercept_misc2 = ~SVM_INTERCEPT2_VMRUN;
	vmcb.ctl.intercept_misc1 = ~0u;
	CHECK_STR(check(), "the VMRUN intercept is not set");

	valid();
	vmcb.ctl.asid = 0;
	CHECK_STR(check(), "ASID 0 is the host's");

	valid();
	vmcb.ctl.iopm_base_pa = 0x200800;
	CHECK_STR(check(), "I/O or MSR permission map not page aligned");
	valid();
	vmcb.ctl.msrpm_base_pa = 0x203001;
	CHECK_STR(check(), "I/O or MSR permission map not page aligned");
	valid();
	vmcb.ctl.iopm_base_pa = 0;
	vmcb.ctl.msrpm_base_pa = 0x7ffff000ull;
	CHECK_STR(check(), OK);
}

TEST(event_injection)
{
	/* Type 1 is reserved. */
	valid();
	vmcb.ctl.event_inj = SVM_EVT_VALID | (1ull << 8) | 0x20;
	CHECK_STR(check(), "event injection of a reserved type");
	/* Not valid: nothing is injected, so nothing is checked. */
	vmcb.ctl.event_inj = (1ull << 8) | 0x20;
	CHECK_STR(check(), OK);

	/* #NMI as an exception is refused; as its own type it is fine. */
	valid();
	vmcb.ctl.event_inj = SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | 2;
	CHECK_STR(check(), "event injection of exception vector 2 (NMI is its own type)");
	vmcb.ctl.event_inj = SVM_EVT_VALID | SVM_EVT_TYPE_NMI | 2;
	CHECK_STR(check(), OK);
	vmcb.ctl.event_inj = SVM_EVT_TYPE_EXCEPTION | 2;
	CHECK_STR(check(), OK);

	/* Other well-formed injections. */
	static const u64 fine[] = {
		SVM_EVT_VALID | SVM_EVT_TYPE_INTR | 0x30,
		SVM_EVT_VALID | SVM_EVT_TYPE_INTR | 2,          /* an interrupt on vector 2 */
		SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | 6,
		SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | SVM_EVT_ERR_VALID | 13 | (0x10ull << 32),
		SVM_EVT_VALID | SVM_EVT_TYPE_SOFT_INT | 0x80,
	};
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		valid();
		vmcb.ctl.event_inj = fine[i];
		CHECK_STR(check(), OK);
	}
}

TEST(first_rule_wins)
{
	/* Several rules broken: the first in the APM's order is named. */
	valid();
	vmcb.ctl.asid = 0;
	vmcb.ctl.intercept_misc2 = 0;
	vmcb.save.efer &= ~EFER_SVME;
	CHECK_STR(check(), "EFER.SVME is clear in the VMCB");
	vmcb.save.efer |= EFER_SVME;
	CHECK_STR(check(), "the VMRUN intercept is not set");
	vmcb.ctl.intercept_misc2 = SVM_INTERCEPT2_VMRUN;
	CHECK_STR(check(), "ASID 0 is the host's");

	valid();
	vmcb.save.cr0 |= CR0_NW | (1ull << 40);
	CHECK_STR(check(), "CR0.NW set without CR0.CD");
	vmcb.save.cr0 &= ~CR0_NW;
	CHECK_STR(check(), "CR0 bits 63:32 are not zero");

	valid();
	vmcb.save.efer |= 1ull << 9;
	vmcb.save.dr7 |= 1ull << 40;
	vmcb.save.cr4 |= 1ull << 15;
	CHECK_STR(check(), "CR4 has reserved bits set");
	vmcb.save.cr4 &= ~(1ull << 15);
	CHECK_STR(check(), "DR6 or DR7 bits 63:32 are not zero");
	vmcb.save.dr7 = 0x400;
	CHECK_STR(check(), "EFER has reserved bits set");

	valid();
	vmcb.ctl.event_inj = SVM_EVT_VALID | (1ull << 8);
	vmcb.ctl.iopm_base_pa = 1;
	CHECK_STR(check(), "event injection of a reserved type");
	vmcb.ctl.event_inj = 0;
	CHECK_STR(check(), "I/O or MSR permission map not page aligned");

	/* The VMCB is only read. */
	valid();
	vmcb.save.cr4 = 0;
	struct vmcb before = vmcb;

	CHECK_STR(check(), "long mode paging without CR4.PAE");
	CHECK(memcmp(&before, &vmcb, sizeof(vmcb)) == 0);
}

TEST_MAIN({ "valid_vmcbs", valid_vmcbs }, { "efer_svme", efer_svme }, { "cr0", cr0 }, { "cr3", cr3 },
	  { "cr4", cr4 }, { "dr6_dr7", dr6_dr7 }, { "efer_reserved", efer_reserved },
	  { "long_mode", long_mode }, { "controls", controls }, { "event_injection", event_injection },
	  { "first_rule_wins", first_rule_wins })
