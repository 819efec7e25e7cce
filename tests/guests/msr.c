// SPDX-License-Identifier: MIT
/*
 * msr.c: thinvisor's MSR policy seen from the guest.
 *
 * Unknown MSRs (made-up numbers, the KVM and Hyper-V ranges) must raise
 * #GP(0) on RDMSR and WRMSR. The ones the contract offers must work: the TSC
 * advances, PAT and MTRRdefType round-trip (and reject invalid memory types
 * with #GP, keeping the old value), EFER has LME|LMA, the APIC base is
 * 0xfee00900 (enabled, BSP), the TSC-deadline MSR reads.
 */
#include "rt.h"

TV_TEST_NAME("msr");

static const struct {
	u32 msr;
	const char *what;
} unknown_msrs[] = {
	{ 0x12345678, "made up" },
	{ 0xc0001234, "made up, AMD range" },
	{ 0x00000bad, "made up, low" },
	{ 0xdeadbeef, "made up, high" },
	{ 0x4b564d00, "KVM paravirt (wall clock)" },
	{ 0x4b564d01, "KVM paravirt (system time)" },
	{ 0x40000000, "Hyper-V guest OS ID" },
	{ 0x40000001, "Hyper-V hypercall page" },
};

static int expect_gp(const char *op, u32 msr, int r)
{
	if (r == 0)
		return tv_check(0, "%s (MSR %#x): no fault, expected #GP(0)", op, msr);
	return tv_check(tv_fault.vector == 13 && tv_fault.error == 0,
			"%s (MSR %#x): exception %llu error %#llx, expected #GP(0)", op, msr,
			tv_fault.vector, tv_fault.error);
}

static void test_unknown(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(unknown_msrs); i++) {
		u32 msr = unknown_msrs[i].msr;
		u64 v = 0x1111;
		int r = rdmsr_safe(msr, &v);

		tv_printf("msr: unknown MSR %#x (%s)\n", msr, unknown_msrs[i].what);
		if (!r)
			tv_printf("msr:   rdmsr %#x read %#llx\n", msr, v);
		expect_gp("rdmsr", msr, r);
		expect_gp("wrmsr 0", msr, wrmsr_safe(msr, 0));
		expect_gp("wrmsr 1", msr, wrmsr_safe(msr, 1));
	}
}

static void test_tsc(void)
{
	u64 a, b;

	if (!tv_check(rdmsr_safe(MSR_TSC, &a) == 0, "rdmsr TSC (0x10)"))
		return;
	for (volatile int i = 0; i < 1000; i++)
		;
	rdmsr_safe(MSR_TSC, &b);
	tv_check(b > a, "TSC MSR advances: %#llx then %#llx", a, b);
	u64 t = rdtsc();

	tv_check(t >= b, "rdtsc (%#llx) agrees with the TSC MSR (%#llx)", t, b);
}

static void test_pat(void)
{
	u64 orig, v;
	/* WB WC UC- UC WB WT UC- UC: every byte a valid type (0,1,4,5,6,7 are valid) */
	const u64 new_pat = 0x0007010600070106ull;
	const u64 bad_pat = 0x0007040600070402ull; /* PA0 = 2: reserved type */
	const u64 bad_pat2 = 0x0007040600070406ull | (1ull << 3); /* reserved bit 3 of PA0 */

	if (!tv_check(rdmsr_safe(MSR_PAT, &orig) == 0, "rdmsr PAT (0x277)"))
		return;
	tv_printf("msr: PAT %#llx\n", orig);
	tv_check(wrmsr_safe(MSR_PAT, new_pat) == 0, "wrmsr PAT %#llx", new_pat);
	rdmsr_safe(MSR_PAT, &v);
	tv_check(v == new_pat, "PAT reads back %#llx, wrote %#llx", v, new_pat);
	expect_gp("wrmsr PAT with type 2 (reserved) in PA0", MSR_PAT, wrmsr_safe(MSR_PAT, bad_pat));
	expect_gp("wrmsr PAT with reserved bit 3 set", MSR_PAT, wrmsr_safe(MSR_PAT, bad_pat2));
	rdmsr_safe(MSR_PAT, &v);
	tv_check(v == new_pat, "PAT unchanged by the rejected writes: %#llx", v);
	tv_check(wrmsr_safe(MSR_PAT, orig) == 0, "wrmsr PAT back to %#llx", orig);
}

static void test_efer(void)
{
	u64 efer;

	if (!tv_check(rdmsr_safe(MSR_EFER, &efer) == 0, "rdmsr EFER (0xc0000080)"))
		return;
	tv_check((efer & (1 << 8)) && (efer & (1 << 10)), "EFER %#llx has LME and LMA", efer);
	/* Writing back what we read (LMA is read-only but writing its value is allowed). */
	tv_check(wrmsr_safe(MSR_EFER, efer) == 0, "wrmsr EFER with its own value %#llx", efer);
}

static void test_mtrr_def_type(void)
{
	u64 orig, v;

	if (!tv_check(rdmsr_safe(MSR_MTRR_DEF_TYPE, &orig) == 0, "rdmsr MTRRdefType (0x2ff)"))
		return;
	tv_printf("msr: MTRRdefType %#llx\n", orig);
	/* E=1 with default type WB, then E=1 with UC: both valid */
	const u64 vals[] = { (1 << 11) | 6, (1 << 11) | 0 };

	for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
		tv_check(wrmsr_safe(MSR_MTRR_DEF_TYPE, vals[i]) == 0, "wrmsr MTRRdefType %#llx",
			 vals[i]);
		rdmsr_safe(MSR_MTRR_DEF_TYPE, &v);
		tv_check(v == vals[i], "MTRRdefType reads back %#llx, wrote %#llx", v, vals[i]);
	}
	expect_gp("wrmsr MTRRdefType type 2 (reserved)", MSR_MTRR_DEF_TYPE,
		  wrmsr_safe(MSR_MTRR_DEF_TYPE, (1 << 11) | 2));
	expect_gp("wrmsr MTRRdefType reserved bit 12", MSR_MTRR_DEF_TYPE,
		  wrmsr_safe(MSR_MTRR_DEF_TYPE, (1 << 12) | (1 << 11) | 6));
	rdmsr_safe(MSR_MTRR_DEF_TYPE, &v);
	tv_check(v == vals[1], "MTRRdefType unchanged by the rejected writes: %#llx", v);
	tv_check(wrmsr_safe(MSR_MTRR_DEF_TYPE, orig) == 0, "wrmsr MTRRdefType back to %#llx", orig);
}

static void test_apic_base(void)
{
	u64 v;

	if (!tv_check(rdmsr_safe(MSR_APIC_BASE, &v) == 0, "rdmsr APIC base (0x1b)"))
		return;
	tv_check(v == 0xfee00900ull, "APIC base %#llx == 0xfee00900 (0xfee00000, enabled, BSP)", v);
}

static void test_tsc_deadline(void)
{
	u64 v;

	tv_check(rdmsr_safe(MSR_TSC_DEADLINE, &v) == 0, "rdmsr TSC deadline (0x6e0)");
}

void guest_main(const u8 *boot_params)
{
	test_unknown();
	test_tsc();
	test_pat();
	test_efer();
	test_mtrr_def_type();
	test_apic_base();
	test_tsc_deadline();
	tv_printf("msr: %llu expected faults taken\n", tv_fault.count);
}
