/* SPDX-License-Identifier: MIT */
/* cpuid.h: CPUID and the feature bits the host uses. */
#ifndef X86_CPUID_H
#define X86_CPUID_H

#include <tv/types.h>

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
				     : "a"(leaf), "c"(subleaf));
	return r;
}

/* leaf 1 */
#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_APIC (1u << 9)
/* leaf 0x80000001 */
#define CPUID81_ECX_SVM (1u << 2)
#define CPUID81_EDX_NX (1u << 20)
#define CPUID81_EDX_PAGE1GB (1u << 26)
#define CPUID81_EDX_LM (1u << 29)
/* leaf 0x80000007 */
#define CPUID87_EDX_INVARIANT_TSC (1u << 8)
/* leaf 0x8000000a (SVM features) */
#define CPUID8A_EDX_NPT (1u << 0)
#define CPUID8A_EDX_NRIPS (1u << 3)
#define CPUID8A_EDX_DECODE_ASSISTS (1u << 7)
#define CPUID8A_EDX_VGIF (1u << 16)

bool cpu_is_intel(void);
bool cpu_is_amd(void);
u32 cpuid_max_leaf(void);
u32 cpuid_max_ext_leaf(void);

#endif
