// SPDX-License-Identifier: MIT
/* cpu.c: bringing the boot CPU into the state the kernel expects, and identifying it. */
#include <tv/arch.h>
#include <tv/panic.h>
#include <tv/printf.h>
#include <tv/string.h>
#include <x86/cpuid.h>
#include <x86/desc.h>
#include <x86/msr.h>
#include <x86/paging.h>
#include <x86/percpu.h>

#define CR0_WP (1ull << 16)
#define CR0_NE (1ull << 5)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)

static char vendor[13];

static void read_vendor(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
}

bool cpu_is_intel(void)
{
	return strcmp(vendor, "GenuineIntel") == 0;
}

bool cpu_is_amd(void)
{
	return strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0;
}

u32 cpuid_max_leaf(void)
{
	return cpuid(0, 0).eax;
}

u32 cpuid_max_ext_leaf(void)
{
	return cpuid(0x80000000, 0).eax;
}

/* Control registers every CPU gets, boot CPU and application processors alike. */
static void cpu_setup_control_regs(void)
{
	u64 cr0, cr4;

	__asm__ __volatile__("movq %%cr0, %0; movq %%cr4, %1" : "=r"(cr0), "=r"(cr4));
	/* WP: W^X holds in ring 0 too. NE: native x87 errors, required by VMX. */
	cr0 |= CR0_WP | CR0_NE | CR0_MP;
	cr0 &= ~CR0_EM;
	/* SSE enabled for guests' sake; the kernel itself never touches it. */
	cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	__asm__ __volatile__("movq %0, %%cr0; movq %1, %%cr4" : : "r"(cr0), "r"(cr4));
	if (cpuid_max_ext_leaf() >= 0x80000001 && (cpuid(0x80000001, 0).edx & CPUID81_EDX_NX))
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	wrmsr(MSR_IA32_PAT, PAT_VALUE);
}

void arch_early_init(void)
{
	read_vendor();
	percpu_load_descriptors(&bsp_percpu);
	idt_load();
	cpu_setup_control_regs();
	smp_mark_online();
}

void arch_cpu_setup_ap(void)
{
	cpu_setup_control_regs();
}

void arch_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	struct cpuid_regs r = cpuid(leaf, subleaf);

	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}

void arch_cpu_describe(char *buf, size_t size)
{
	char brand[49];
	struct cpuid_regs r1 = cpuid(1, 0);
	unsigned family = (r1.eax >> 8) & 0xf, model = (r1.eax >> 4) & 0xf;
	const char *b = brand;

	if (family == 0xf)
		family += (r1.eax >> 20) & 0xff;
	if (family >= 6)
		model |= ((r1.eax >> 16) & 0xf) << 4;
	memset(brand, 0, sizeof(brand));
	if (cpuid_max_ext_leaf() >= 0x80000004) {
		for (u32 i = 0; i < 3; i++) {
			struct cpuid_regs r = cpuid(0x80000002 + i, 0);

			memcpy(brand + 16 * i, &r, 16);
		}
	}
	while (*b == ' ')
		b++;
	snprintf(buf, size, "%s family %#x model %#x stepping %u: %s", vendor, family, model,
		 r1.eax & 0xf, *b ? b : "(no brand string)");
}
