// SPDX-License-Identifier: MIT
/*
 * cpuid.c: the CPUID policy. A guest sees the host's CPU minus everything
 * the hypervisor does not virtualize (VMX/SVM, performance counters,
 * machine check, thermal and power management, MSR-backed features we do
 * not emulate), plus the hypervisor bit, a TSC-deadline local APIC, its own
 * topology and the thinvisor leaf at 0x40000000.
 */
#include <tv/cpuid_policy.h>
#include <tv/string.h>

#ifndef TV_VERSION_MAJOR
#define TV_VERSION_MAJOR 0
#define TV_VERSION_MINOR 1
#endif

#define B(n) (1u << (n))

/* leaf 1 ECX: SSE3 PCLMUL SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES XSAVE AVX F16C RDRAND PCID */
#define L1_ECX_KEEP (B(0) | B(1) | B(9) | B(12) | B(13) | B(17) | B(19) | B(20) | B(22) | B(23) | \
		     B(25) | B(26) | B(28) | B(29) | B(30))
#define L1_ECX_TSC_DEADLINE B(24)
#define L1_ECX_OSXSAVE B(27)
#define L1_ECX_HYPERVISOR B(31)
/* leaf 1 EDX: everything but MCE MCA PN DS ACPI SS TM PBE, and HTT set by topology */
#define L1_EDX_KEEP (B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(8) | B(9) | B(11) | \
		     B(12) | B(13) | B(15) | B(16) | B(17) | B(19) | B(23) | B(24) | B(25) | B(26))
#define L1_EDX_HTT B(28)
/* leaf 7.0 EBX: FSGSBASE BMI1 AVX2 SMEP BMI2 ERMS INVPCID AVX512F/DQ RDSEED ADX SMAP
 * AVX512IFMA CLFLUSHOPT CLWB AVX512CD SHA AVX512BW AVX512VL */
#define L7_EBX_KEEP (B(0) | B(3) | B(5) | B(7) | B(8) | B(9) | B(10) | B(16) | B(17) | B(18) | \
		     B(19) | B(20) | B(21) | B(23) | B(24) | B(28) | B(29) | B(30) | B(31))
/* leaf 7.0 ECX: AVX512VBMI UMIP PKU VBMI2 GFNI VAES VPCLMULQDQ VNNI BITALG VPOPCNTDQ */
#define L7_ECX_KEEP (B(1) | B(2) | B(3) | B(6) | B(8) | B(9) | B(10) | B(11) | B(12) | B(14))
#define L7_ECX_OSPKE B(4)
/* leaf 7.0 EDX: FSRM MD_CLEAR SERIALIZE */
#define L7_EDX_KEEP (B(4) | B(10) | B(14))
/* 0x80000001 ECX: LAHF ABM SSE4A MISALIGNSSE 3DNOWPREFETCH XOP FMA4 TBM */
#define E1_ECX_KEEP (B(0) | B(5) | B(6) | B(7) | B(8) | B(11) | B(16) | B(21))
#define E1_ECX_CMP_LEGACY B(1)
/* 0x80000001 EDX: leaf-1 mirror bits, SYSCALL NX MMXEXT FFXSR PDPE1GB LM 3DNOWEXT 3DNOW */
#define E1_EDX_KEEP (B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(8) | B(9) | B(11) | \
		     B(12) | B(13) | B(15) | B(16) | B(17) | B(20) | B(22) | B(23) | B(24) | \
		     B(25) | B(26) | B(29) | B(30) | B(31))
#define E7_EDX_INVARIANT_TSC B(8)
#define L6_EAX_ARAT B(2)
/* leaf 0xd.1 EAX: XSAVEOPT XSAVEC XGETBV1; not XSAVES/XFD (they need MSRs we do not emulate) */
#define LD1_EAX_KEEP (B(0) | B(1) | B(2))

static unsigned order_of(unsigned n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

static void set_signature(u32 r[4])
{
	const char *sig = CPUID_HV_SIGNATURE;

	memcpy(&r[1], sig, 4);
	memcpy(&r[2], sig + 4, 4);
	memcpy(&r[3], sig + 8, 4);
}

void cpuid_policy_apply(u32 leaf, u32 subleaf, u32 r[4], const struct cpuid_guest *g,
			u32 host_max_basic, u32 host_max_ext)
{
	u32 max_basic = host_max_basic < CPUID_MAX_BASIC ? host_max_basic : CPUID_MAX_BASIC;
	u32 max_ext = host_max_ext < CPUID_MAX_EXT ? host_max_ext : CPUID_MAX_EXT;
	bool smp = g->nvcpus > 1;

	if (leaf >= CPUID_HV_LEAF && leaf < CPUID_HV_LEAF + 0x100) {
		memset(r, 0, 16);
		if (leaf == CPUID_HV_LEAF) {
			r[0] = CPUID_HV_LEAF + 1;
			set_signature(r);
		} else if (leaf == CPUID_HV_LEAF + 1) {
			r[0] = (TV_VERSION_MAJOR << 16) | TV_VERSION_MINOR;
		}
		return;
	}
	if ((leaf < 0x80000000u && leaf > max_basic) || (leaf >= 0x80000000u && leaf > max_ext)) {
		memset(r, 0, 16);
		return;
	}
	switch (leaf) {
	case 0:
		r[0] = max_basic;
		break;
	case 1:
		r[1] = (r[1] & 0x0000ff00u) | (g->vcpu_id << 24) | ((smp ? g->nvcpus : 0) << 16);
		r[2] = (r[2] & L1_ECX_KEEP) | L1_ECX_TSC_DEADLINE | L1_ECX_HYPERVISOR |
		       (g->osxsave && (r[2] & B(26)) ? L1_ECX_OSXSAVE : 0);
		r[3] = (r[3] & L1_EDX_KEEP) | (smp ? L1_EDX_HTT : 0);
		break;
	case 4:
		/* Cache descriptions stay; who shares them is our topology, not the host's. */
		r[0] &= 0x3fffu;
		break;
	case 5: /* MONITOR/MWAIT: not offered */
	case 0xa: /* performance monitoring: not virtualized */
		memset(r, 0, 16);
		break;
	case 6:
		r[0] = L6_EAX_ARAT; /* the virtual LAPIC timer never stops */
		r[1] = r[2] = r[3] = 0;
		break;
	case 7:
		if (subleaf != 0) {
			memset(r, 0, 16);
			break;
		}
		r[0] = 0;
		r[1] &= L7_EBX_KEEP;
		r[2] = (r[2] & L7_ECX_KEEP) | (g->ospke && (r[2] & B(3)) ? L7_ECX_OSPKE : 0);
		r[3] &= L7_EDX_KEEP;
		break;
	case 0xb: {
		unsigned shift = order_of(g->nvcpus);

		/* Every vCPU is one core of one package. */
		if (subleaf == 0) {
			r[0] = 0;
			r[1] = 1;
			r[2] = (1u << 8);
		} else if (subleaf == 1) {
			r[0] = shift;
			r[1] = g->nvcpus;
			r[2] = (2u << 8) | 1;
		} else {
			r[0] = r[1] = 0;
			r[2] = subleaf & 0xff;
		}
		r[3] = g->vcpu_id;
		break;
	}
	case 0xd:
		if (subleaf == 0) {
			u64 mask = (((u64)r[3] << 32) | r[0]) & g->xcr0_allowed;

			r[0] = (u32)mask;
			r[3] = (u32)(mask >> 32);
		} else if (subleaf == 1) {
			r[0] &= LD1_EAX_KEEP;
			r[1] = r[2] = r[3] = 0;
		} else if (subleaf >= 64 || !(g->xcr0_allowed & (1ull << subleaf))) {
			memset(r, 0, 16);
		}
		break;
	case 0x80000000u:
		r[0] = max_ext;
		break;
	case 0x80000001u:
		r[2] = (r[2] & E1_ECX_KEEP) | (smp && (r[2] & E1_ECX_CMP_LEGACY) ? E1_ECX_CMP_LEGACY : 0);
		r[3] &= E1_EDX_KEEP;
		break;
	case 0x80000007u:
		r[0] = r[1] = r[2] = 0;
		r[3] &= E7_EDX_INVARIANT_TSC;
		break;
	case 0x80000008u:
		/* Address sizes stay; speculation-control bits need MSRs we do not emulate. */
		r[1] = 0;
		r[2] = (order_of(g->nvcpus) << 12) | (g->nvcpus - 1);
		r[3] = 0;
		break;
	case 2:
	case 0x80000002u:
	case 0x80000003u:
	case 0x80000004u:
	case 0x80000005u:
	case 0x80000006u:
		break; /* cache and brand information: harmless, as the host reports it */
	default:
		memset(r, 0, 16);
		break;
	}
}
