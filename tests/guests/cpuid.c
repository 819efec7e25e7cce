// SPDX-License-Identifier: MIT
/*
 * cpuid.c: the CPUID thinvisor shows, and what a CPUID exit costs.
 *
 * Checks: leaf 0x40000000 carries "ThinvisorVMM", the hypervisor bit
 * (1:ECX[31]) is set, VMX (1:ECX[5]) and SVM (0x80000001:ECX[2]) are hidden,
 * the initial APIC ID (1:EBX[31:24]) is 0, TSC-deadline (1:ECX[24]) is set.
 * The answers repeated in a loop (the host's fast path answers those from a
 * memo) match the first ones, subleaves sharing a memo slot keep apart,
 * leaf 1's OSXSAVE follows CR4 both ways, and a CPUID with a prefix returns
 * after itself. Then, with interrupts masked, CPUID(0) 1000 times in a row:
 *   TV-BENCH cpuid-exit: <TSC cycles per CPUID>
 *   TV-BENCH cpuid-exit-min: <the lowest per-CPUID average of 10 batches of 100>
 */
#include "rt.h"

TV_TEST_NAME("cpuid");

static void show_leaf(u32 leaf, u32 sub)
{
	struct cpuid_regs r = cpuid(leaf, sub);

	tv_printf("cpuid: leaf %#010x.%u: eax %08x ebx %08x ecx %08x edx %08x\n", leaf, sub, r.eax,
		  r.ebx, r.ecx, r.edx);
}

/* Leaf 0 spells the vendor in EBX, EDX, ECX; leaf 0x40000000 in EBX, ECX, EDX. */
static void vendor_string(u32 leaf, char out[13])
{
	struct cpuid_regs r = cpuid(leaf, 0);
	u32 w[3] = { r.ebx, leaf ? r.ecx : r.edx, leaf ? r.edx : r.ecx };

	for (int i = 0; i < 12; i++) {
		char c = (char)(w[i / 4] >> (8 * (i % 4)));

		out[i] = c >= 0x20 && c < 0x7f ? c : '.';
	}
	out[12] = '\0';
}

static void checks(void)
{
	char vendor[13], hv[13];
	struct cpuid_regs l0 = cpuid(0, 0), l1 = cpuid(1, 0);
	struct cpuid_regs e0 = cpuid(0x80000000, 0);
	struct cpuid_regs e1 = e0.eax >= 0x80000001 ? cpuid(0x80000001, 0) : (struct cpuid_regs){ 0 };

	vendor_string(0, vendor);
	tv_printf("cpuid: vendor \"%s\", max leaf %#x, max extended leaf %#x\n", vendor, l0.eax,
		  e0.eax);
	show_leaf(1, 0);
	show_leaf(0x80000001, 0);
	show_leaf(0x40000000, 0);

	struct cpuid_regs h = cpuid(0x40000000, 0);

	vendor_string(0x40000000, hv);
	tv_check(tv_strcmp(hv, "ThinvisorVMM") == 0,
		 "leaf 0x40000000 signature \"%s\" is \"ThinvisorVMM\" (max hypervisor leaf %#x)", hv,
		 h.eax);
	tv_check(l1.ecx & (1u << 31), "hypervisor bit (leaf 1 ECX[31]) set");
	tv_check(!(l1.ecx & (1u << 5)), "VMX (leaf 1 ECX[5]) hidden");
	tv_check(!(e1.ecx & (1u << 2)), "SVM (leaf 0x80000001 ECX[2]) hidden");
	tv_check((l1.ebx >> 24) == 0, "initial APIC ID (leaf 1 EBX[31:24]) is %u, expected 0",
		 l1.ebx >> 24);
	tv_check(l1.ecx & (1u << 24), "TSC-deadline timer (leaf 1 ECX[24]) set");
	tv_check(l1.edx & (1u << 9), "APIC (leaf 1 EDX[9]) set");
}

static int same(struct cpuid_regs a, struct cpuid_regs b)
{
	return a.eax == b.eax && a.ebx == b.ebx && a.ecx == b.ecx && a.edx == b.edx;
}

/* Leaf/subleaf pairs alternated so that consecutive ones share a memo slot. */
static const u32 memo_leaves[][2] = {
	{ 0, 0 }, { 1, 0 }, { 0xb, 0 }, { 0xb, 1 }, { 7, 0 }, { 7, 1 }, { 0xd, 0 }, { 0xd, 1 },
	{ 0x80000000u, 0 }, { 0x80000001u, 0 }, { 0x80000008u, 0 }, { 0x40000000u, 0 },
};

static void memo_checks(void)
{
	struct cpuid_regs first[ARRAY_SIZE(memo_leaves)];
	unsigned bad = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(memo_leaves); i++)
		first[i] = cpuid(memo_leaves[i][0], memo_leaves[i][1]);
	for (int round = 0; round < 50; round++)
		for (unsigned i = 0; i < ARRAY_SIZE(memo_leaves); i++)
			if (!same(cpuid(memo_leaves[i][0], memo_leaves[i][1]), first[i]) && !bad++)
				tv_printf("cpuid: leaf %#x.%u changed in round %d\n", memo_leaves[i][0],
					  memo_leaves[i][1], round);
	tv_check(bad == 0, "%u CPUID answers repeated 50 times: %u differ from the first",
		 (unsigned)ARRAY_SIZE(memo_leaves), bad);
	tv_check(((first[2].ecx >> 8) & 0xff) == 1 && ((first[3].ecx >> 8) & 0xff) == 2,
		 "leaf 0xb subleaves 0 and 1 stay apart (level types %u, %u)",
		 (first[2].ecx >> 8) & 0xff, (first[3].ecx >> 8) & 0xff);

	if (first[1].ecx & (1u << 26)) {
		u64 cr4 = read_cr4();
		unsigned wrong = 0;

		for (int round = 0; round < 3; round++) {
			write_cr4(cr4 | CR4_OSXSAVE);
			wrong += !(cpuid(1, 0).ecx & (1u << 27)) + !(cpuid(1, 0).ecx & (1u << 27));
			write_cr4(cr4 & ~CR4_OSXSAVE);
			wrong += !!(cpuid(1, 0).ecx & (1u << 27)) + !!(cpuid(1, 0).ecx & (1u << 27));
		}
		write_cr4(cr4);
		tv_check(wrong == 0, "leaf 1 OSXSAVE follows CR4.OSXSAVE on and off (%u wrong)", wrong);
	}

	/* REX.W CPUID: 3 bytes. Returning 2 bytes in would execute A2 as an instruction. */
	u32 a, b, c, d;

	for (int i = 0; i < 5; i++) {
		a = c = 0;
		asm volatile(".byte 0x48, 0x0f, 0xa2" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
	}
	tv_check(a == first[0].eax && b == first[0].ebx, "REX.W CPUID returns after its 3 bytes");
}

static inline void cpuid0(void)
{
	u32 a = 0, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
}

static void bench(void)
{
	u64 n = cmdline_u64("cpuid.iters", 1000);

	if (n == 0)
		n = 1;
	cli();
	for (int i = 0; i < 10; i++) /* warm up */
		cpuid0();

	u64 t0 = rdtsc_ordered();

	for (u64 i = 0; i < n; i++)
		cpuid0();
	u64 t1 = rdtsc_ordered();
	u64 per = (t1 - t0) / n;

	u64 best = ~0ull;

	for (int batch = 0; batch < 10; batch++) {
		u64 b0 = rdtsc_ordered();

		for (int i = 0; i < 100; i++)
			cpuid0();
		u64 b1 = rdtsc_ordered();

		if ((b1 - b0) / 100 < best)
			best = (b1 - b0) / 100;
	}
	tv_printf("cpuid: %llu CPUIDs in %llu TSC cycles\n", n, t1 - t0);
	tv_printf("TV-BENCH cpuid-exit: %llu\n", per);
	tv_printf("TV-BENCH cpuid-exit-min: %llu\n", best);
}

void guest_main(const u8 *boot_params)
{
	checks();
	memo_checks();
	bench();
}
