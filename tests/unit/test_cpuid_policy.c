// SPDX-License-Identifier: MIT
/*
 * test_cpuid_policy.c: what a guest sees from CPUID (vmm/cpuid.c), fed with
 * leaves of two real CPUs written down by hand (an Intel Skylake desktop and
 * an AMD EPYC Zen 3), random host values, and this machine's own CPUID.
 *
 * Expected values are spelled as feature names below, not as the policy's
 * own masks, so a wrong mask in cpuid.c shows up here.
 */
#include "test.h"

#include <cpuid.h>
#include <tv/cpuid_policy.h>

#define B(n) (1u << (n))

/* leaf 1 ECX */
#define SSE3 B(0)
#define PCLMUL B(1)
#define DTES64 B(2)
#define MONITOR B(3)
#define DSCPL B(4)
#define VMX B(5)
#define SMX B(6)
#define EIST B(7)
#define TM2 B(8)
#define SSSE3 B(9)
#define CNXTID B(10)
#define SDBG B(11)
#define FMA B(12)
#define CX16 B(13)
#define XTPR B(14)
#define PDCM B(15)
#define PCID B(17)
#define DCA B(18)
#define SSE41 B(19)
#define SSE42 B(20)
#define X2APIC B(21)
#define MOVBE B(22)
#define POPCNT B(23)
#define TSCDL B(24)
#define AES B(25)
#define XSAVE B(26)
#define OSXSAVE B(27)
#define AVX B(28)
#define F16C B(29)
#define RDRAND B(30)
#define HV B(31)
/* leaf 1 EDX */
#define FPU B(0)
#define VME B(1)
#define DE B(2)
#define PSE B(3)
#define TSC B(4)
#define MSR B(5)
#define PAE B(6)
#define MCE B(7)
#define CX8 B(8)
#define APIC B(9)
#define SEP B(11)
#define MTRR B(12)
#define PGE B(13)
#define MCA B(14)
#define CMOV B(15)
#define PAT B(16)
#define PSE36 B(17)
#define PSN B(18)
#define CLFSH B(19)
#define DS B(21)
#define ACPI B(22)
#define MMX B(23)
#define FXSR B(24)
#define SSE B(25)
#define SSE2 B(26)
#define SS B(27)
#define HTT B(28)
#define TM B(29)
#define PBE B(31)
/* leaf 7.0 EBX */
#define FSGSBASE B(0)
#define TSC_ADJUST B(1)
#define SGX B(2)
#define BMI1 B(3)
#define HLE B(4)
#define AVX2 B(5)
#define FDP_EXCPTN B(6)
#define SMEP B(7)
#define BMI2 B(8)
#define ERMS B(9)
#define INVPCID B(10)
#define RTM B(11)
#define PQM B(12)
#define FPU_CSDS B(13)
#define MPX B(14)
#define PQE B(15)
#define AVX512F B(16)
#define AVX512DQ B(17)
#define RDSEED B(18)
#define ADX B(19)
#define SMAP B(20)
#define AVX512IFMA B(21)
#define CLFLUSHOPT B(23)
#define CLWB B(24)
#define PT B(25)
#define AVX512PF B(26)
#define AVX512ER B(27)
#define AVX512CD B(28)
#define SHA B(29)
#define AVX512BW B(30)
#define AVX512VL B(31)
/* leaf 7.0 ECX */
#define AVX512VBMI B(1)
#define UMIP B(2)
#define PKU B(3)
#define OSPKE B(4)
#define WAITPKG B(5)
#define CET_SS B(7)
#define VAES B(9)
#define VPCLMULQDQ B(10)
#define RDPID B(22)
#define SGX_LC B(30)
/* leaf 7.0 EDX */
#define FSRM B(4)
#define MD_CLEAR B(10)
#define TSX_FORCE_ABORT B(13)
#define SERIALIZE B(14)
#define IBRS_IBPB B(26)
#define STIBP B(27)
#define L1D_FLUSH B(28)
#define ARCH_CAP B(29)
#define SSBD B(31)
/* 0x80000001 ECX */
#define LAHF B(0)
#define CMP_LEGACY B(1)
#define SVM B(2)
#define EXTAPIC B(3)
#define ALTMOVCR8 B(4)
#define ABM B(5)
#define SSE4A B(6)
#define MISALIGNSSE B(7)
#define PREFETCHW B(8)
#define OSVW B(9)
#define IBS B(10)
#define XOP B(11)
#define SKINIT B(12)
#define WDT B(13)
#define FMA4 B(16)
#define TCE B(17)
#define TBM B(21)
#define TOPOEXT B(22)
#define PERFCTR_CORE B(23)
#define PERFCTR_NB B(24)
#define DBX B(26)
#define PERFCTR_LLC B(28)
#define MWAITX B(29)
#define ADMSKEXT B(30)
/* 0x80000001 EDX (besides the leaf 1 mirror bits) */
#define SYSCALL B(11)
#define NX B(20)
#define MMXEXT B(22)
#define FFXSR B(25)
#define PDPE1GB B(26)
#define RDTSCP B(27)
#define LM B(29)
#define AMD3DNOWEXT B(30)
#define AMD3DNOW B(31)

struct leaf_val {
	u32 leaf, sub;
	u32 r[4];
};

struct cpu {
	const char *name;
	const struct leaf_val *v;
	size_t n;
};

/* Intel Core i7-6700K (Skylake, family 6 model 0x5e), with the MD_CLEAR-era microcode. */
static const struct leaf_val skylake_v[] = {
	{ 0x0, 0, { 0x00000016, 0x756e6547, 0x6c65746e, 0x49656e69 } },
	{ 0x1, 0, { 0x000506e3, 0x02100800, 0x7ffafbbf, 0xbfebfbff } },
	{ 0x2, 0, { 0x76036301, 0x00f0b5ff, 0x00000000, 0x00c30000 } },
	{ 0x3, 0, { 0x12345678, 0x9abcdef0, 0x0badcafe, 0xdeadbeef } }, /* serial: not on Skylake */
	{ 0x4, 0, { 0x1c004121, 0x01c0003f, 0x0000003f, 0x00000000 } },
	{ 0x4, 3, { 0x1c03c163, 0x03c0003f, 0x00001fff, 0x00000006 } },
	{ 0x5, 0, { 0x00000040, 0x00000040, 0x00000003, 0x11142120 } },
	{ 0x6, 0, { 0x000027f7, 0x00000002, 0x00000009, 0x00000000 } },
	{ 0x7, 0, { 0x00000000, 0x029c6fbf, 0x00000000, 0x9c002400 } },
	{ 0x9, 0, { 0x00000001, 0x00000000, 0x00000000, 0x00000000 } },
	{ 0xa, 0, { 0x07300404, 0x00000000, 0x00000000, 0x00000603 } },
	{ 0xb, 0, { 0x00000001, 0x00000002, 0x00000100, 0x00000002 } },
	{ 0xb, 1, { 0x00000004, 0x00000008, 0x00000201, 0x00000002 } },
	{ 0xd, 0, { 0x0000001f, 0x00000440, 0x00000440, 0x00000000 } },
	{ 0xd, 1, { 0x0000000f, 0x000003c0, 0x00000100, 0x00000000 } },
	{ 0xd, 2, { 0x00000100, 0x00000240, 0x00000000, 0x00000000 } },
	{ 0xd, 3, { 0x00000040, 0x000003c0, 0x00000000, 0x00000000 } },
	{ 0xd, 4, { 0x00000040, 0x00000400, 0x00000000, 0x00000000 } },
	{ 0xd, 8, { 0x00000080, 0x00000000, 0x00000001, 0x00000000 } },
	{ 0xf, 0, { 0x00000000, 0x00000000, 0x00000000, 0x00000000 } },
	{ 0x12, 0, { 0x00000001, 0x00000000, 0x00000000, 0x0000241f } },
	{ 0x14, 0, { 0x00000001, 0x0000000f, 0x00000007, 0x00000000 } },
	{ 0x15, 0, { 0x00000002, 0x0000011c, 0x00000000, 0x00000000 } },
	{ 0x16, 0, { 0x00000fa0, 0x00001068, 0x00000064, 0x00000000 } },
	{ 0x80000000, 0, { 0x80000008, 0x00000000, 0x00000000, 0x00000000 } },
	{ 0x80000001, 0, { 0x00000000, 0x00000000, 0x00000121, 0x2c100800 } },
	{ 0x80000002, 0, { 0x65746e49, 0x2952286c, 0x726f4320, 0x4d542865 } },
	{ 0x80000006, 0, { 0x00000000, 0x00000000, 0x01006040, 0x00000000 } },
	{ 0x80000007, 0, { 0x00000000, 0x00000000, 0x00000000, 0x00000100 } },
	{ 0x80000008, 0, { 0x00003027, 0x00000000, 0x00000000, 0x00000000 } },
};

/* AMD EPYC 7763 (Zen 3 "Milan", family 0x19 model 0x01), a core with APIC ID 11. */
static const struct leaf_val epyc_v[] = {
	{ 0x0, 0, { 0x00000010, 0x68747541, 0x444d4163, 0x69746e65 } },
	{ 0x1, 0, { 0x00a00f11, 0x0b800800, 0x7ef8320b, 0x178bfbff } },
	{ 0x5, 0, { 0x00000040, 0x00000040, 0x00000003, 0x00000011 } },
	{ 0x6, 0, { 0x00000004, 0x00000000, 0x00000001, 0x00000000 } },
	{ 0x7, 0, { 0x00000000, 0x219c97a9, 0x0040069c, 0x00000010 } },
	{ 0xb, 0, { 0x00000001, 0x00000002, 0x00000100, 0x0000000b } },
	{ 0xb, 1, { 0x00000007, 0x00000080, 0x00000201, 0x0000000b } },
	{ 0xd, 0, { 0x00000207, 0x00000340, 0x00000988, 0x00000000 } },
	{ 0xd, 1, { 0x0000000f, 0x00000348, 0x00001800, 0x00000000 } },
	{ 0xd, 2, { 0x00000100, 0x00000240, 0x00000000, 0x00000000 } },
	{ 0xd, 9, { 0x00000008, 0x00000980, 0x00000000, 0x00000000 } },
	{ 0xd, 11, { 0x00000010, 0x00000000, 0x00000001, 0x00000000 } },
	{ 0xd, 12, { 0x00000018, 0x00000000, 0x00000001, 0x00000000 } },
	{ 0x10, 0, { 0x00000000, 0x00000002, 0x00000000, 0x00000000 } },
	{ 0x80000000, 0, { 0x80000023, 0x68747541, 0x444d4163, 0x69746e65 } },
	{ 0x80000001, 0, { 0x00a00f11, 0x40000000, 0x75c237ff, 0x2fd3fbff } },
	{ 0x80000002, 0, { 0x20444d41, 0x43595045, 0x36373720, 0x34362033 } },
	{ 0x80000005, 0, { 0xff40ff40, 0xff40ff40, 0x20080140, 0x20080140 } },
	{ 0x80000006, 0, { 0x48002200, 0x68004200, 0x02006140, 0x08009140 } },
	{ 0x80000007, 0, { 0x00000000, 0x0000003b, 0x00000000, 0x00006799 } },
	{ 0x80000008, 0, { 0x00003030, 0x111ef657, 0x0000707f, 0x00010007 } },
	{ 0x8000000a, 0, { 0x00000001, 0x00008000, 0x00000000, 0x119b3cff } },
	{ 0x8000001e, 0, { 0x0000000b, 0x00000105, 0x00000000, 0x00000000 } },
	{ 0x8000001f, 0, { 0x0101fd3f, 0x00004051, 0x000001fd, 0x00000001 } },
};

static const struct cpu skylake = { "skylake", skylake_v, sizeof(skylake_v) / sizeof(skylake_v[0]) };
static const struct cpu epyc = { "epyc", epyc_v, sizeof(epyc_v) / sizeof(epyc_v[0]) };

static void host_cpuid(const struct cpu *c, u32 leaf, u32 sub, u32 r[4])
{
	memset(r, 0, 16);
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].leaf == leaf && c->v[i].sub == sub)
			memcpy(r, c->v[i].r, 16);
}

static u32 max_basic(const struct cpu *c)
{
	u32 r[4];

	host_cpuid(c, 0, 0, r);
	return r[0];
}

static u32 max_ext(const struct cpu *c)
{
	u32 r[4];

	host_cpuid(c, 0x80000000u, 0, r);
	return r[0];
}

static struct cpuid_guest guest(unsigned id, unsigned n)
{
	return (struct cpuid_guest){ .vcpu_id = id, .nvcpus = n, .xcr0_allowed = XCR0_GUEST_MASK };
}

/* The guest's view of (leaf, sub) on CPU c. */
static void gcpuid(const struct cpu *c, const struct cpuid_guest *g, u32 leaf, u32 sub, u32 r[4])
{
	host_cpuid(c, leaf, sub, r);
	cpuid_policy_apply(leaf, sub, r, g, max_basic(c), max_ext(c));
}

#define CHECK_REGS(r, a, b, c, d) do { \
	CHECK_EQ((r)[0], (a)); \
	CHECK_EQ((r)[1], (b)); \
	CHECK_EQ((r)[2], (c)); \
	CHECK_EQ((r)[3], (d)); \
} while (0)

#define CHECK_ZERO(r) CHECK_REGS(r, 0, 0, 0, 0)

/* Host feature sets, named: the tables above say the same in hex. */
#define SKL_L1_ECX (SSE3 | PCLMUL | DTES64 | MONITOR | DSCPL | VMX | EIST | TM2 | SSSE3 | SDBG | \
		    FMA | CX16 | XTPR | PDCM | PCID | SSE41 | SSE42 | X2APIC | MOVBE | POPCNT | \
		    TSCDL | AES | XSAVE | OSXSAVE | AVX | F16C | RDRAND)
#define SKL_L1_EDX (FPU | VME | DE | PSE | TSC | MSR | PAE | MCE | CX8 | APIC | SEP | MTRR | PGE | \
		    MCA | CMOV | PAT | PSE36 | CLFSH | DS | ACPI | MMX | FXSR | SSE | SSE2 | SS | \
		    HTT | TM | PBE)
#define SKL_L7_EBX (FSGSBASE | TSC_ADJUST | SGX | BMI1 | HLE | AVX2 | SMEP | BMI2 | ERMS | \
		    INVPCID | RTM | FPU_CSDS | MPX | RDSEED | ADX | SMAP | CLFLUSHOPT | PT)
#define SKL_L7_EDX (MD_CLEAR | TSX_FORCE_ABORT | IBRS_IBPB | STIBP | L1D_FLUSH | SSBD)
#define EPYC_L1_ECX (SSE3 | PCLMUL | MONITOR | SSSE3 | FMA | CX16 | SSE41 | SSE42 | X2APIC | \
		     MOVBE | POPCNT | AES | XSAVE | OSXSAVE | AVX | F16C | RDRAND)
#define EPYC_L1_EDX (FPU | VME | DE | PSE | TSC | MSR | PAE | MCE | CX8 | APIC | SEP | MTRR | PGE | \
		     MCA | CMOV | PAT | PSE36 | CLFSH | MMX | FXSR | SSE | SSE2 | HTT)
#define EPYC_L7_EBX (FSGSBASE | BMI1 | AVX2 | SMEP | BMI2 | ERMS | INVPCID | PQM | PQE | RDSEED | \
		     ADX | SMAP | CLFLUSHOPT | CLWB | SHA)
#define EPYC_L7_ECX (UMIP | PKU | OSPKE | CET_SS | VAES | VPCLMULQDQ | RDPID)
#define EPYC_E1_ECX (LAHF | CMP_LEGACY | SVM | EXTAPIC | ALTMOVCR8 | ABM | SSE4A | MISALIGNSSE | \
		     PREFETCHW | OSVW | IBS | SKINIT | WDT | TCE | TOPOEXT | PERFCTR_CORE | \
		     PERFCTR_NB | DBX | PERFCTR_LLC | MWAITX | ADMSKEXT)
#define EPYC_E1_EDX (FPU | VME | DE | PSE | TSC | MSR | PAE | MCE | CX8 | APIC | SYSCALL | MTRR | \
		     PGE | MCA | CMOV | PAT | PSE36 | NX | MMXEXT | MMX | FXSR | FFXSR | PDPE1GB | \
		     RDTSCP | LM)

TEST(tables_say_what_they_mean)
{
	u32 r[4];

	host_cpuid(&skylake, 1, 0, r);
	CHECK_EQ(r[2], SKL_L1_ECX);
	CHECK_EQ(r[3], SKL_L1_EDX);
	host_cpuid(&skylake, 7, 0, r);
	CHECK_EQ(r[1], SKL_L7_EBX);
	CHECK_EQ(r[3], SKL_L7_EDX);
	host_cpuid(&skylake, 0x80000001u, 0, r);
	CHECK_EQ(r[2], LAHF | ABM | PREFETCHW);
	CHECK_EQ(r[3], SYSCALL | NX | PDPE1GB | RDTSCP | LM);
	host_cpuid(&epyc, 1, 0, r);
	CHECK_EQ(r[2], EPYC_L1_ECX);
	CHECK_EQ(r[3], EPYC_L1_EDX);
	host_cpuid(&epyc, 7, 0, r);
	CHECK_EQ(r[1], EPYC_L7_EBX);
	CHECK_EQ(r[2], EPYC_L7_ECX);
	CHECK_EQ(r[3], FSRM);
	host_cpuid(&epyc, 0x80000001u, 0, r);
	CHECK_EQ(r[2], EPYC_E1_ECX);
	CHECK_EQ(r[3], EPYC_E1_EDX);
}

TEST(leaf0_and_limits)
{
	struct cpuid_guest g = guest(0, 1);
	u32 r[4];

	/* Vendor strings stay, the max leaf is capped at 0xd. */
	gcpuid(&skylake, &g, 0, 0, r);
	CHECK_REGS(r, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69);
	gcpuid(&epyc, &g, 0, 0, r);
	CHECK_REGS(r, 0xd, 0x68747541, 0x444d4163, 0x69746e65);
	gcpuid(&skylake, &g, 0x80000000u, 0, r);
	CHECK_REGS(r, 0x80000008u, 0, 0, 0);
	gcpuid(&epyc, &g, 0x80000000u, 0, r);
	CHECK_REGS(r, 0x80000008u, 0x68747541, 0x444d4163, 0x69746e65);

	/* Leaves the host has but the guest's max hides read as zero. */
	static const u32 above[] = { 0xe, 0xf, 0x10, 0x12, 0x14, 0x15, 0x16, 0x1f, 0x20, 0x3fffffff };
	for (size_t i = 0; i < sizeof(above) / sizeof(above[0]); i++) {
		r[0] = r[1] = r[2] = r[3] = 0xdeadbeef;
		cpuid_policy_apply(above[i], 0, r, &g, 0x16, 0x80000008u);
		CHECK_ZERO(r);
	}
	gcpuid(&skylake, &g, 0x12, 0, r);
	CHECK_ZERO(r);
	gcpuid(&skylake, &g, 0x14, 0, r);
	CHECK_ZERO(r);
	gcpuid(&epyc, &g, 0x10, 0, r);
	CHECK_ZERO(r);
	static const u32 ext_above[] = { 0x80000009u, 0x8000000au, 0x8000001eu, 0x8000001fu,
					 0x80000023u, 0x8fffffffu, 0xc0000000u, 0xffffffffu };
	for (size_t i = 0; i < sizeof(ext_above) / sizeof(ext_above[0]); i++) {
		gcpuid(&epyc, &g, ext_above[i], 0, r);
		CHECK_ZERO(r);
	}

	/* A host with fewer leaves: its own max counts. */
	r[0] = 0xb;
	r[1] = 0x756e6547;
	cpuid_policy_apply(0, 0, r, &g, 0xb, 0x80000008u);
	CHECK_EQ(r[0], 0xb);
	CHECK_EQ(r[1], 0x756e6547);
	r[0] = r[1] = r[2] = r[3] = 0x11111111;
	cpuid_policy_apply(0xd, 0, r, &g, 0xb, 0x80000008u);
	CHECK_ZERO(r);
	r[0] = r[1] = r[2] = r[3] = 0x11111111;
	cpuid_policy_apply(0xb, 0, r, &g, 0xb, 0x80000008u);
	CHECK_REGS(r, 0, 1, 0x100, 0);
	r[0] = 0x80000004u;
	cpuid_policy_apply(0x80000000u, 0, r, &g, 0xd, 0x80000004u);
	CHECK_EQ(r[0], 0x80000004u);
	r[0] = r[1] = r[2] = r[3] = 0x11111111;
	cpuid_policy_apply(0x80000008u, 0, r, &g, 0xd, 0x80000004u);
	CHECK_ZERO(r);
	r[0] = r[1] = r[2] = r[3] = 0x11111111;
	cpuid_policy_apply(0x80000001u, 0, r, &g, 0xd, 0x80000000u);
	CHECK_ZERO(r);
}

TEST(hypervisor_leaves)
{
	struct cpuid_guest g = guest(0, 1);
	u32 r[4];
	char sig[13];

	r[0] = r[1] = r[2] = r[3] = 0xffffffff;
	cpuid_policy_apply(0x40000000u, 0, r, &g, 0xd, 0x80000008u);
	CHECK_EQ(r[0], 0x40000001u);
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = '\0';
	CHECK_STR(sig, "ThinvisorVMM");
	CHECK_EQ(r[1], 0x6e696854); /* "Thin" */
	CHECK_EQ(r[2], 0x6f736976); /* "viso" */
	CHECK_EQ(r[3], 0x4d4d5672); /* "rVMM" */

	/* The same on both CPUs, whatever the subleaf. */
	gcpuid(&epyc, &g, 0x40000000u, 5, r);
	CHECK_REGS(r, 0x40000001u, 0x6e696854, 0x6f736976, 0x4d4d5672);

	/* 0x40000001: the version in EAX (0.1 when the build does not say), nothing else. */
	r[0] = r[1] = r[2] = r[3] = 0xffffffff;
	cpuid_policy_apply(0x40000001u, 0, r, &g, 0xd, 0x80000008u);
	CHECK_REGS(r, 0x00000001, 0, 0, 0);

	/* The rest of the hypervisor range reads zero, even if the host said otherwise. */
	static const u32 zero[] = { 0x40000002u, 0x40000003u, 0x40000010u, 0x40000080u, 0x400000ffu };
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
		r[0] = r[1] = r[2] = r[3] = 0xa5a5a5a5;
		cpuid_policy_apply(zero[i], 0, r, &g, 0xd, 0x80000008u);
		CHECK_ZERO(r);
	}
	/* Above the range it is just a leaf above the max basic leaf. */
	r[0] = r[1] = r[2] = r[3] = 0xa5a5a5a5;
	cpuid_policy_apply(0x40000100u, 0, r, &g, 0xd, 0x80000008u);
	CHECK_ZERO(r);
}

TEST(leaf1_skylake)
{
	struct cpuid_guest g = guest(0, 1);
	const u32 want_ecx = SSE3 | PCLMUL | SSSE3 | FMA | CX16 | PCID | SSE41 | SSE42 | MOVBE |
			     POPCNT | TSCDL | AES | XSAVE | AVX | F16C | RDRAND | HV;
	const u32 want_edx = FPU | VME | DE | PSE | TSC | MSR | PAE | CX8 | APIC | SEP | MTRR | PGE |
			     CMOV | PAT | PSE36 | CLFSH | MMX | FXSR | SSE | SSE2;
	u32 r[4];

	gcpuid(&skylake, &g, 1, 0, r);
	CHECK_EQ(r[0], 0x000506e3);      /* signature untouched */
	CHECK_EQ(r[1], 0x00000800);      /* CLFLUSH size 8*8; APIC ID 0, no count, no brand */
	CHECK_EQ(r[2], want_ecx);
	CHECK_EQ(r[3], want_edx);
	CHECK(!(r[2] & VMX));
	CHECK(!(r[2] & (X2APIC | MONITOR | PDCM | OSXSAVE)));
	CHECK(!(r[3] & (DS | ACPI | TM | PBE | MCE | MCA | HTT)));

	/* OSXSAVE mirrors the guest's CR4.OSXSAVE. */
	g.osxsave = true;
	gcpuid(&skylake, &g, 1, 0, r);
	CHECK_EQ(r[2], want_ecx | OSXSAVE);

	/* vCPU 3 of 4: APIC ID, logical count and HTT. */
	g = guest(3, 4);
	gcpuid(&skylake, &g, 1, 0, r);
	CHECK_EQ(r[1], 0x03040800);
	CHECK_EQ(r[2], want_ecx);
	CHECK_EQ(r[3], want_edx | HTT);
	g = guest(15, 16);
	gcpuid(&skylake, &g, 1, 0, r);
	CHECK_EQ(r[1], 0x0f100800);
	g = guest(1, 2);
	gcpuid(&skylake, &g, 1, 0, r);
	CHECK_EQ(r[1], 0x01020800);
	CHECK(r[3] & HTT);
}

TEST(leaf1_epyc)
{
	struct cpuid_guest g = guest(0, 1);
	const u32 want_ecx = SSE3 | PCLMUL | SSSE3 | FMA | CX16 | SSE41 | SSE42 | MOVBE | POPCNT |
			     TSCDL | AES | XSAVE | AVX | F16C | RDRAND | HV;
	const u32 want_edx = FPU | VME | DE | PSE | TSC | MSR | PAE | CX8 | APIC | SEP | MTRR | PGE |
			     CMOV | PAT | PSE36 | CLFSH | MMX | FXSR | SSE | SSE2;
	u32 r[4];

	gcpuid(&epyc, &g, 1, 0, r);
	CHECK_REGS(r, 0x00a00f11, 0x00000800, want_ecx, want_edx);
	g.osxsave = true;
	gcpuid(&epyc, &g, 1, 0, r);
	CHECK_EQ(r[2], want_ecx | OSXSAVE);
	g = guest(1, 2);
	gcpuid(&epyc, &g, 1, 0, r);
	CHECK_REGS(r, 0x00a00f11, 0x01020800, want_ecx, want_edx | HTT);
}

TEST(osxsave_needs_xsave)
{
	struct cpuid_guest g = guest(0, 1);
	u32 r[4];

	/* A host without XSAVE: CR4.OSXSAVE in the guest cannot make it appear. */
	g.osxsave = true;
	r[0] = 0x000106a5;
	r[1] = 0x00100800;
	r[2] = SSE3 | SSSE3 | SSE41 | SSE42 | POPCNT | OSXSAVE;
	r[3] = FPU | TSC | APIC;
	cpuid_policy_apply(1, 0, r, &g, 0xb, 0x80000008u);
	CHECK_EQ(r[2], SSE3 | SSSE3 | SSE41 | SSE42 | POPCNT | TSCDL | HV);
	/* With XSAVE but the guest has not set CR4.OSXSAVE: the host's OSXSAVE does not leak. */
	g.osxsave = false;
	r[2] = XSAVE | OSXSAVE;
	cpuid_policy_apply(1, 0, r, &g, 0xb, 0x80000008u);
	CHECK_EQ(r[2], XSAVE | TSCDL | HV);
	g.osxsave = true;
	r[2] = XSAVE;
	cpuid_policy_apply(1, 0, r, &g, 0xb, 0x80000008u);
	CHECK_EQ(r[2], XSAVE | OSXSAVE | TSCDL | HV);
	/* A host without the TSC-deadline timer still gets it (the LAPIC is virtual). */
	r[2] = 0;
	cpuid_policy_apply(1, 0, r, &g, 0xb, 0x80000008u);
	CHECK_EQ(r[2], TSCDL | HV);
}

TEST(small_leaves)
{
	struct cpuid_guest g = guest(0, 1);
	u32 r[4];

	/* MONITOR/MWAIT and performance monitoring: nothing. */
	gcpuid(&skylake, &g, 5, 0, r);
	CHECK_ZERO(r);
	gcpuid(&epyc, &g, 5, 0, r);
	CHECK_ZERO(r);
	gcpuid(&skylake, &g, 0xa, 0, r);
	CHECK_ZERO(r);
	/* Thermal and power: only ARAT. */
	gcpuid(&skylake, &g, 6, 0, r);
	CHECK_REGS(r, B(2), 0, 0, 0);
	gcpuid(&epyc, &g, 6, 0, r);
	CHECK_REGS(r, B(2), 0, 0, 0);
	/* Cache and TLB descriptors and the brand string pass through. */
	gcpuid(&skylake, &g, 2, 0, r);
	CHECK_REGS(r, 0x76036301, 0x00f0b5ff, 0, 0x00c30000);
	gcpuid(&skylake, &g, 0x80000002u, 0, r);
	CHECK_REGS(r, 0x65746e49, 0x2952286c, 0x726f4320, 0x4d542865);
	gcpuid(&epyc, &g, 0x80000005u, 0, r);
	CHECK_REGS(r, 0xff40ff40, 0xff40ff40, 0x20080140, 0x20080140);
	gcpuid(&epyc, &g, 0x80000006u, 0, r);
	CHECK_REGS(r, 0x48002200, 0x68004200, 0x02006140, 0x08009140);
	/* Leaf 4: cache geometry stays, the host's sharing and core counts go. */
	gcpuid(&skylake, &g, 4, 0, r);
	CHECK_REGS(r, 0x00000121, 0x01c0003f, 0x0000003f, 0);
	gcpuid(&skylake, &g, 4, 3, r);
	CHECK_REGS(r, 0x00000163, 0x03c0003f, 0x00001fff, 6);
	/* Processor serial number, DCA, anything in range we do not list: zero. */
	gcpuid(&skylake, &g, 3, 0, r);
	CHECK_ZERO(r);
	gcpuid(&skylake, &g, 9, 0, r);
	CHECK_ZERO(r);
	r[0] = r[1] = r[2] = r[3] = 0x5a5a5a5a;
	cpuid_policy_apply(8, 0, r, &g, 0xd, 0x80000008u);
	CHECK_ZERO(r);
	r[0] = r[1] = r[2] = r[3] = 0x5a5a5a5a;
	cpuid_policy_apply(0xc, 0, r, &g, 0xd, 0x80000008u);
	CHECK_ZERO(r);
}

TEST(leaf7)
{
	struct cpuid_guest g = guest(0, 1);
	u32 r[4];

	gcpuid(&skylake, &g, 7, 0, r);
	CHECK_REGS(r, 0,
		   FSGSBASE | BMI1 | AVX2 | SMEP | BMI2 | ERMS | INVPCID | RDSEED | ADX | SMAP |
			   CLFLUSHOPT,
		   0, MD_CLEAR);
	CHECK(!(r[1] & (TSC_ADJUST | SGX | PT | HLE | RTM | MPX)));
	CHECK(!(r[3] & (IBRS_IBPB | STIBP | L1D_FLUSH | SSBD | TSX_FORCE_ABORT)));
	/* No PKU on Skylake desktops: CR4.PKE cannot conjure OSPKE. */
	g.ospke = true;
	gcpuid(&skylake, &g, 7, 0, r);
	CHECK_EQ(r[2], 0);

	g = guest(0, 1);
	gcpuid(&epyc, &g, 7, 0, r);
	CHECK_REGS(r, 0,
		   FSGSBASE | BMI1 | AVX2 | SMEP | BMI2 | ERMS | INVPCID | RDSEED | ADX | SMAP |
			   CLFLUSHOPT | CLWB | SHA,
		   UMIP | PKU | VAES | VPCLMULQDQ, FSRM);
	CHECK(!(r[1] & (PQM | PQE)));
	CHECK(!(r[2] & (OSPKE | CET_SS | RDPID)));  /* the host's OSPKE is the host's */
	g.ospke = true;
	gcpuid(&epyc, &g, 7, 0, r);
	CHECK_EQ(r[2], UMIP | PKU | OSPKE | VAES | VPCLMULQDQ);

	/* An AVX-512 server part: the AVX-512 set stays, PF/ER (Xeon Phi) go. */
	r[0] = 2;
	r[1] = AVX512F | AVX512DQ | AVX512IFMA | AVX512CD | AVX512BW | AVX512VL | AVX512PF | AVX512ER |
	       FDP_EXCPTN;
	r[2] = AVX512VBMI | WAITPKG | SGX_LC | B(6) | B(8) | B(11) | B(12) | B(14);
	r[3] = SERIALIZE | ARCH_CAP | FSRM | B(2) | B(3);
	g = guest(0, 1);
	cpuid_policy_apply(7, 0, r, &g, 0x1b, 0x80000008u);
	CHECK_REGS(r, 0, AVX512F | AVX512DQ | AVX512IFMA | AVX512CD | AVX512BW | AVX512VL,
		   AVX512VBMI | B(6) | B(8) | B(11) | B(12) | B(14), SERIALIZE | FSRM);

	/* Subleaves other than 0: nothing. */
	r[0] = 0x10;
	r[1] = r[2] = r[3] = 0xffffffff;
	cpuid_policy_apply(7, 1, r, &g, 0x1b, 0x80000008u);
	CHECK_ZERO(r);
	r[0] = r[1] = r[2] = r[3] = 0xffffffff;
	cpuid_policy_apply(7, 2, r, &g, 0x1b, 0x80000008u);
	CHECK_ZERO(r);
}

TEST(leaf_b_topology)
{
	struct cpuid_guest g = guest(0, 1);
	u32 r[4];

	/* One vCPU: one thread of one core, x2APIC ID 0 (not the host's 2). */
	gcpuid(&skylake, &g, 0xb, 0, r);
	CHECK_REGS(r, 0, 1, 0x100, 0);
	gcpuid(&skylake, &g, 0xb, 1, r);
	CHECK_REGS(r, 0, 1, 0x201, 0);
	gcpuid(&skylake, &g, 0xb, 2, r);
	CHECK_REGS(r, 0, 0, 2, 0);

	/* vCPU 2 of 4. */
	g = guest(2, 4);
	gcpuid(&epyc, &g, 0xb, 0, r);
	CHECK_REGS(r, 0, 1, 0x100, 2);
	gcpuid(&epyc, &g, 0xb, 1, r);
	CHECK_REGS(r, 2, 4, 0x201, 2);
	gcpuid(&epyc, &g, 0xb, 2, r);
	CHECK_REGS(r, 0, 0, 2, 2);
	gcpuid(&epyc, &g, 0xb, 7, r);
	CHECK_REGS(r, 0, 0, 7, 2);

	/* Counts that are not powers of two round the shift up. */
	static const struct {
		unsigned n, shift;
	} s[] = { { 2, 1 }, { 3, 2 }, { 5, 3 }, { 8, 3 }, { 9, 4 }, { 16, 4 } };
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		g = guest(s[i].n - 1, s[i].n);
		gcpuid(&skylake, &g, 0xb, 1, r);
		CHECK_REGS(r, s[i].shift, s[i].n, 0x201, s[i].n - 1);
	}
}

TEST(leaf_d_xsave)
{
	struct cpuid_guest g = guest(0, 1);
	u32 r[4];

	/* Skylake: x87|SSE|AVX|BNDREGS|BNDCSR; MPX state is not the guest's. */
	gcpuid(&skylake, &g, 0xd, 0, r);
	CHECK_REGS(r, 0x7, 0x440, 0x440, 0);
	gcpuid(&skylake, &g, 0xd, 1, r);
	CHECK_REGS(r, 0x7, 0, 0, 0);       /* XSAVEOPT XSAVEC XGETBV1; no XSAVES, no XSS */
	gcpuid(&skylake, &g, 0xd, 2, r);
	CHECK_REGS(r, 0x100, 0x240, 0, 0);
	gcpuid(&skylake, &g, 0xd, 3, r);
	CHECK_ZERO(r);
	gcpuid(&skylake, &g, 0xd, 4, r);
	CHECK_ZERO(r);
	gcpuid(&skylake, &g, 0xd, 8, r);   /* PT: a supervisor component */
	CHECK_ZERO(r);

	/* EPYC: x87|SSE|AVX|PKRU; CET state is not offered. */
	gcpuid(&epyc, &g, 0xd, 0, r);
	CHECK_REGS(r, 0x207, 0x340, 0x988, 0);
	gcpuid(&epyc, &g, 0xd, 1, r);
	CHECK_REGS(r, 0x7, 0, 0, 0);
	gcpuid(&epyc, &g, 0xd, 9, r);
	CHECK_REGS(r, 8, 0x980, 0, 0);
	gcpuid(&epyc, &g, 0xd, 11, r);
	CHECK_ZERO(r);
	gcpuid(&epyc, &g, 0xd, 12, r);
	CHECK_ZERO(r);

	/* A narrower allowance (say, the host runs without AVX in XCR0). */
	g.xcr0_allowed = 0x3;
	gcpuid(&epyc, &g, 0xd, 0, r);
	CHECK_REGS(r, 0x3, 0x340, 0x988, 0);
	gcpuid(&epyc, &g, 0xd, 2, r);
	CHECK_ZERO(r);
	gcpuid(&epyc, &g, 0xd, 9, r);
	CHECK_ZERO(r);

	/* Components above bit 31 (EDX) are masked too; subleaves past 63 are always zero. */
	g.xcr0_allowed = ~0ull;
	r[0] = 0xffffffff;
	r[1] = 0x1000;
	r[2] = 0x2000;
	r[3] = 0xffffffff;
	cpuid_policy_apply(0xd, 0, r, &g, 0xd, 0x80000008u);
	CHECK_REGS(r, 0xffffffff, 0x1000, 0x2000, 0xffffffff);
	g.xcr0_allowed = XCR0_GUEST_MASK;
	r[0] = 0xffffffff;
	r[3] = 0xffffffff;
	cpuid_policy_apply(0xd, 0, r, &g, 0xd, 0x80000008u);
	CHECK_EQ(r[0], 0x2e7);
	CHECK_EQ(r[3], 0);
	g.xcr0_allowed = ~0ull;
	r[0] = r[1] = r[2] = r[3] = 0x40;
	cpuid_policy_apply(0xd, 63, r, &g, 0xd, 0x80000008u);
	CHECK_REGS(r, 0x40, 0x40, 0x40, 0x40);
	cpuid_policy_apply(0xd, 64, r, &g, 0xd, 0x80000008u);
	CHECK_ZERO(r);
	r[0] = r[1] = r[2] = r[3] = 0x40;
	cpuid_policy_apply(0xd, 0xffffffffu, r, &g, 0xd, 0x80000008u);
	CHECK_ZERO(r);
	/* Subleaf 1 with XFD (bit 4) and XSAVES (bit 3): both go. */
	r[0] = 0x1f;
	r[1] = r[2] = r[3] = 0xffffffff;
	cpuid_policy_apply(0xd, 1, r, &g, 0xd, 0x80000008u);
	CHECK_REGS(r, 0x7, 0, 0, 0);
}

TEST(ext_leaves)
{
	struct cpuid_guest g = guest(0, 1);
	u32 r[4];

	/* Skylake 0x80000001: RDTSCP goes, LM NX SYSCALL PDPE1GB stay. */
	gcpuid(&skylake, &g, 0x80000001u, 0, r);
	CHECK_REGS(r, 0, 0, LAHF | ABM | PREFETCHW, SYSCALL | NX | PDPE1GB | LM);

	/* EPYC: no SVM, no RDTSCP, no MCE/MCA, no IBS/SKINIT/perf counters/topology extensions. */
	gcpuid(&epyc, &g, 0x80000001u, 0, r);
	CHECK_EQ(r[0], 0x00a00f11);
	CHECK_EQ(r[1], 0x40000000);
	CHECK_EQ(r[2], LAHF | ABM | SSE4A | MISALIGNSSE | PREFETCHW);
	CHECK_EQ(r[3], FPU | VME | DE | PSE | TSC | MSR | PAE | CX8 | APIC | SYSCALL | MTRR | PGE |
			       CMOV | PAT | PSE36 | NX | MMXEXT | MMX | FXSR | FFXSR | PDPE1GB | LM);
	CHECK(!(r[2] & SVM));
	CHECK(!(r[3] & RDTSCP));
	/* CmpLegacy only says something with more than one vCPU. */
	g = guest(0, 2);
	gcpuid(&epyc, &g, 0x80000001u, 0, r);
	CHECK_EQ(r[2], LAHF | CMP_LEGACY | ABM | SSE4A | MISALIGNSSE | PREFETCHW);
	gcpuid(&skylake, &g, 0x80000001u, 0, r);
	CHECK_EQ(r[2], LAHF | ABM | PREFETCHW);
	/* Older AMD parts: XOP FMA4 TBM 3DNow! stay. */
	g = guest(0, 1);
	r[0] = r[1] = 0;
	r[2] = XOP | FMA4 | TBM | SVM;
	r[3] = AMD3DNOW | AMD3DNOWEXT | RDTSCP;
	cpuid_policy_apply(0x80000001u, 0, r, &g, 0xd, 0x8000001eu);
	CHECK_REGS(r, 0, 0, XOP | FMA4 | TBM, AMD3DNOW | AMD3DNOWEXT);

	/* 0x80000007: only the invariant TSC. */
	gcpuid(&epyc, &g, 0x80000007u, 0, r);
	CHECK_REGS(r, 0, 0, 0, B(8));
	gcpuid(&skylake, &g, 0x80000007u, 0, r);
	CHECK_REGS(r, 0, 0, 0, B(8));
	r[0] = r[1] = r[2] = 0xffffffff;
	r[3] = ~B(8);
	cpuid_policy_apply(0x80000007u, 0, r, &g, 0xd, 0x80000008u);
	CHECK_ZERO(r);

	/* 0x80000008: address sizes stay, EBX/EDX go, ECX is our core count. */
	gcpuid(&epyc, &g, 0x80000008u, 0, r);
	CHECK_REGS(r, 0x3030, 0, 0, 0);
	gcpuid(&skylake, &g, 0x80000008u, 0, r);
	CHECK_REGS(r, 0x3027, 0, 0, 0);
	g = guest(1, 2);
	gcpuid(&epyc, &g, 0x80000008u, 0, r);
	CHECK_REGS(r, 0x3030, 0, 0x1001, 0);
	g = guest(0, 4);
	gcpuid(&epyc, &g, 0x80000008u, 0, r);
	CHECK_REGS(r, 0x3030, 0, 0x2003, 0);
	g = guest(0, 3);
	gcpuid(&epyc, &g, 0x80000008u, 0, r);
	CHECK_REGS(r, 0x3030, 0, 0x2002, 0);
	g = guest(0, 16);
	gcpuid(&epyc, &g, 0x80000008u, 0, r);
	CHECK_REGS(r, 0x3030, 0, 0x400f, 0);
}

/* ---- random host values --------------------------------------------------- */

static u64 rng = 0x243f6a8885a308d3ull;

static u32 rand32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (u32)(rng >> 16);
}

TEST(random_hosts_never_leak)
{
	static const u32 leaves[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd, 0xe, 0x14,
				      0x40000000u, 0x40000001u, 0x40000002u, 0x400000ffu,
				      0x80000000u, 0x80000001u, 0x80000002u, 0x80000007u,
				      0x80000008u, 0x80000009u, 0x8000001fu };
	const u32 l1_ecx_hidden = DTES64 | MONITOR | DSCPL | VMX | SMX | EIST | TM2 | CNXTID |
				  SDBG | XTPR | PDCM | B(16) | DCA | X2APIC;
	const u32 l1_edx_hidden = MCE | MCA | PSN | DS | ACPI | SS | TM | PBE | B(10) | B(20) | B(30);
	const u32 l7_ebx_hidden = TSC_ADJUST | SGX | HLE | RTM | PQM | FPU_CSDS | MPX | PQE | PT |
				  AVX512PF | AVX512ER | FDP_EXCPTN | B(22);
	const u32 l7_ecx_hidden = WAITPKG | CET_SS | RDPID | SGX_LC | B(0) | B(13) | B(16);
	const u32 l7_edx_hidden = IBRS_IBPB | STIBP | L1D_FLUSH | ARCH_CAP | SSBD | TSX_FORCE_ABORT |
				  B(20) | B(30);
	const u32 e1_ecx_hidden = SVM | EXTAPIC | ALTMOVCR8 | OSVW | IBS | SKINIT | WDT | TCE |
				  TOPOEXT | PERFCTR_CORE | PERFCTR_NB | DBX | PERFCTR_LLC | MWAITX |
				  ADMSKEXT;
	const u32 e1_edx_hidden = MCE | MCA | RDTSCP | B(10) | B(18) | B(19) | B(21) | B(28);
	long bad = 0;

	for (int iter = 0; iter < 20000; iter++) {
		struct cpuid_guest g;
		u32 host[4], r[4];
		u32 leaf = leaves[rand32() % (sizeof(leaves) / sizeof(leaves[0]))];
		u32 sub = rand32() % 4 ? rand32() % 16 : rand32();
		u32 mb = rand32() % 4 ? 0xd + rand32() % 0x20 : rand32() % 0x20;
		u32 me = rand32() % 4 ? 0x80000008u + rand32() % 0x20 : 0x80000000u + rand32() % 0x10;
		u32 gmb, gme;

		g.nvcpus = 1 + rand32() % 16;
		g.vcpu_id = rand32() % g.nvcpus;
		g.osxsave = rand32() & 1;
		g.ospke = rand32() & 1;
		g.xcr0_allowed = rand32() & 1 ? XCR0_GUEST_MASK : ((u64)rand32() << 32 | rand32());
		for (int k = 0; k < 4; k++)
			host[k] = rand32();
		memcpy(r, host, 16);
		cpuid_policy_apply(leaf, sub, r, &g, mb, me);
		gmb = mb < 0xd ? mb : 0xd;
		gme = me < 0x80000008u ? me : 0x80000008u;

		bool hv = leaf >= 0x40000000u && leaf < 0x40000100u;
		bool above = !hv && ((leaf < 0x80000000u && leaf > gmb) ||
				     (leaf >= 0x80000000u && leaf > gme));
		int before = test_failures;

		if (above) {
			CHECK_ZERO(r);
		} else if (hv) {
			CHECK_EQ(r[0], leaf == 0x40000000u ? 0x40000001u : leaf == 0x40000001u ? 1u : 0u);
			if (leaf != 0x40000000u)
				CHECK(!r[1] && !r[2] && !r[3]);
		} else {
			switch (leaf) {
			case 0:
				CHECK_EQ(r[0], gmb);
				CHECK(r[1] == host[1] && r[2] == host[2] && r[3] == host[3]);
				break;
			case 1:
				CHECK_EQ(r[0], host[0]);
				CHECK_EQ(r[1] >> 24, g.vcpu_id);
				CHECK_EQ((r[1] >> 16) & 0xff, g.nvcpus > 1 ? g.nvcpus : 0);
				CHECK_EQ(r[1] & 0xff, 0);
				CHECK_EQ(r[1] & 0xff00, host[1] & 0xff00);
				CHECK_EQ(r[2] & l1_ecx_hidden, 0);
				CHECK_EQ(r[2] & (HV | TSCDL), HV | TSCDL);
				CHECK_EQ(!!(r[2] & OSXSAVE), g.osxsave && (host[2] & XSAVE));
				CHECK_EQ(r[2] & ~(HV | TSCDL | OSXSAVE), host[2] & ~(HV | TSCDL | OSXSAVE) &
									 ~l1_ecx_hidden);
				CHECK_EQ(r[3] & l1_edx_hidden, 0);
				CHECK_EQ(!!(r[3] & HTT), g.nvcpus > 1);
				CHECK_EQ(r[3] & ~HTT, host[3] & ~HTT & ~l1_edx_hidden);
				break;
			case 5:
			case 0xa:
			case 3:
			case 8:
			case 9:
			case 0xc:
				CHECK_ZERO(r);
				break;
			case 4:
				/* Sharing (EAX[25:14]) and cores (EAX[31:26]) are ours to say. */
				CHECK_REGS(r, host[0] & 0x3fff, host[1], host[2], host[3]);
				break;
			case 6:
				CHECK_REGS(r, B(2), 0, 0, 0);
				break;
			case 7:
				if (sub) {
					CHECK_ZERO(r);
					break;
				}
				CHECK_EQ(r[0], 0);
				CHECK_EQ(r[1] & l7_ebx_hidden, 0);
				CHECK_EQ(r[2] & l7_ecx_hidden, 0);
				CHECK_EQ(!!(r[2] & OSPKE), g.ospke && (host[2] & PKU));
				CHECK_EQ(r[3] & l7_edx_hidden, 0);
				break;
			case 0xb:
				CHECK_EQ(r[3], g.vcpu_id);
				CHECK_EQ(r[2] & 0xff, sub & 0xff);
				break;
			case 0xd:
				if (sub == 0) {
					CHECK_EQ((((u64)r[3] << 32) | r[0]) & ~g.xcr0_allowed, 0);
					CHECK_EQ(r[0], host[0] & (u32)g.xcr0_allowed);
				} else if (sub == 1) {
					CHECK_REGS(r, host[0] & 7, 0, 0, 0);
				} else if (sub >= 64 || !(g.xcr0_allowed >> sub & 1)) {
					CHECK_ZERO(r);
				} else {
					CHECK_REGS(r, host[0], host[1], host[2], host[3]);
				}
				break;
			case 0x80000000u:
				CHECK_EQ(r[0], gme);
				break;
			case 0x80000001u:
				CHECK_EQ(r[2] & e1_ecx_hidden, 0);
				CHECK_EQ(r[3] & e1_edx_hidden, 0);
				if (g.nvcpus == 1)
					CHECK_EQ(r[2] & CMP_LEGACY, 0);
				CHECK_EQ(r[3] & (LM | NX | SYSCALL | PDPE1GB), host[3] & (LM | NX | SYSCALL | PDPE1GB));
				break;
			case 0x80000007u:
				CHECK_REGS(r, 0, 0, 0, host[3] & B(8));
				break;
			case 0x80000008u:
				CHECK_EQ(r[0], host[0]);
				CHECK_EQ(r[1], 0);
				CHECK_EQ(r[2] & 0xff, g.nvcpus - 1);
				CHECK_EQ(r[3], 0);
				break;
			default:
				CHECK_REGS(r, host[0], host[1], host[2], host[3]); /* 2, 0x80000002 */
				break;
			}
		}
		if (test_failures != before && bad++ < 5)
			fprintf(stderr, "  leaf %#x.%u host %08x %08x %08x %08x max %#x/%#x\n", leaf, sub,
				host[0], host[1], host[2], host[3], mb, me);
	}
}

/* ---- this machine ----------------------------------------------------------- */

TEST(this_machine)
{
	struct cpuid_guest g = guest(0, 1);
	unsigned a, b, c, d;
	u32 mb, me, r[4];

	__cpuid_count(0, 0, a, b, c, d);
	mb = a;
	__cpuid_count(0x80000000u, 0, a, b, c, d);
	me = a;
	for (u32 leaf = 0; leaf <= 0xd; leaf++) {
		__cpuid_count(leaf, 0, a, b, c, d);
		r[0] = a, r[1] = b, r[2] = c, r[3] = d;
		cpuid_policy_apply(leaf, 0, r, &g, mb, me);
		if (leaf == 0)
			CHECK_EQ(r[0], mb < 0xd ? mb : 0xd);
		if (leaf == 1) {
			CHECK(!(r[2] & VMX));
			CHECK(r[2] & HV);
			CHECK(r[2] & TSCDL);
			CHECK(!(r[2] & X2APIC));
			CHECK_EQ(r[1] >> 24, 0);
			CHECK(r[3] & APIC);
		}
		if (leaf == 5 || leaf == 0xa)
			CHECK_ZERO(r);
	}
	if (me >= 0x80000001u) {
		__cpuid_count(0x80000001u, 0, a, b, c, d);
		r[0] = a, r[1] = b, r[2] = c, r[3] = d;
		cpuid_policy_apply(0x80000001u, 0, r, &g, mb, me);
		CHECK(!(r[2] & SVM));
		CHECK(!(r[3] & RDTSCP));
		CHECK(r[3] & LM);         /* this test runs as a 64-bit program */
	}
	__cpuid_count(0x40000000u, 0, a, b, c, d);
	r[0] = a, r[1] = b, r[2] = c, r[3] = d;
	cpuid_policy_apply(0x40000000u, 0, r, &g, mb, me);
	CHECK_REGS(r, 0x40000001u, 0x6e696854, 0x6f736976, 0x4d4d5672);
}

TEST_MAIN({ "tables_say_what_they_mean", tables_say_what_they_mean },
	  { "leaf0_and_limits", leaf0_and_limits }, { "hypervisor_leaves", hypervisor_leaves },
	  { "leaf1_skylake", leaf1_skylake }, { "leaf1_epyc", leaf1_epyc },
	  { "osxsave_needs_xsave", osxsave_needs_xsave }, { "small_leaves", small_leaves },
	  { "leaf7", leaf7 }, { "leaf_b_topology", leaf_b_topology }, { "leaf_d_xsave", leaf_d_xsave },
	  { "ext_leaves", ext_leaves }, { "random_hosts_never_leak", random_hosts_never_leak },
	  { "this_machine", this_machine })
