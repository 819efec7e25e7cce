/* SPDX-License-Identifier: MIT */
/*
 * cpuid_policy.h: what a guest sees from CPUID (vmm/cpuid.c). Pure: the host
 * values come in, the guest's go out, so the policy is unit-tested on the
 * host. Rules and reasons in docs/vmm.md.
 */
#ifndef TV_CPUID_POLICY_H
#define TV_CPUID_POLICY_H

#include <tv/types.h>

#define CPUID_HV_LEAF 0x40000000u
#define CPUID_HV_SIGNATURE "ThinvisorVMM"   /* 12 bytes in EBX, ECX, EDX */
#define CPUID_MAX_BASIC 0xdu
#define CPUID_MAX_EXT 0x80000008u

struct cpuid_guest {
	unsigned vcpu_id;          /* = its APIC ID */
	unsigned nvcpus;
	bool osxsave;              /* guest CR4.OSXSAVE, mirrored in leaf 1 */
	bool ospke;                /* guest CR4.PKE, mirrored in leaf 7 */
	u64 xcr0_allowed;          /* XSAVE components the guest may enable */
};

/* XCR0 components guests may use: x87, SSE, AVX, the AVX-512 trio, PKRU. */
#define XCR0_GUEST_MASK 0x2e7ull

/*
 * Rewrite the host's answer for (leaf, subleaf) in r[0..3] = EAX..EDX into
 * the guest's. host_max_basic/host_max_ext are the host's leaf 0 and
 * 0x80000000 EAX values (leaves the host lacks read as zero).
 */
void cpuid_policy_apply(u32 leaf, u32 subleaf, u32 r[4], const struct cpuid_guest *g,
			u32 host_max_basic, u32 host_max_ext);

#endif
