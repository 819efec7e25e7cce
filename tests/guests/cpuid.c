// SPDX-License-Identifier: MIT
/*
 * cpuid.c: the CPUID thinvisor shows, and what a CPUID exit costs.
 *
 * Checks: leaf 0x40000000 carries "ThinvisorVMM", the hypervisor bit
 * (1:ECX[31]) is set, VMX (1:ECX[5]) and SVM (0x80000001:ECX[2]) are hidden,
 * the initial APIC ID (1:EBX[31:24]) is 0, TSC-deadline (1:ECX[24]) is set.
 * Then, with interrupts masked, CPUID(0) 1000 times in a row:
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
	bench();
}
