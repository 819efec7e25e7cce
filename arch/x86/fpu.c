// SPDX-License-Identifier: MIT
/*
 * fpu.c: guest x87/SSE/AVX state. The kernel is built without SSE and never
 * touches these registers, so a vCPU's FPU state stays in the hardware
 * across exits; it is saved and restored only when a different vCPU takes
 * the CPU. XSAVE when the CPU has it (all host-supported components), else
 * FXSAVE.
 */
#include <tv/arch.h>
#include <tv/arch_vmm.h>
#include <tv/cpuid_policy.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/string.h>
#include <x86/cpuid.h>
#include <x86/fpu.h>

#define CR4_OSXSAVE (1ull << 18)
#define FXSAVE_SIZE 512

static bool use_xsave;
static u64 host_xcr0;          /* every component this CPU supports */
static u32 area_size = FXSAVE_SIZE;

static inline void xsetbv(u32 idx, u64 v)
{
	__asm__ __volatile__("xsetbv" : : "c"(idx), "a"((u32)v), "d"((u32)(v >> 32)));
}

void arch_fpu_init(void)
{
	u64 cr4;
	struct cpuid_regs d;

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_XSAVE))
		return;
	__asm__ __volatile__("movq %%cr4, %0" : "=r"(cr4));
	__asm__ __volatile__("movq %0, %%cr4" : : "r"(cr4 | CR4_OSXSAVE));
	d = cpuid(0xd, 0);
	host_xcr0 = ((u64)d.edx << 32) | d.eax;
	xsetbv(0, host_xcr0);
	/* With every component enabled, EBX is the area size they all need. */
	area_size = cpuid(0xd, 0).ebx;
	use_xsave = true;
}

u64 arch_fpu_guest_xcr0_mask(void)
{
	return use_xsave ? host_xcr0 & XCR0_GUEST_MASK : 0;
}

void *arch_fpu_alloc(void)
{
	/* 64-byte alignment: kmalloc's size classes align to their size. */
	u8 *a = kzalloc(area_size < 1024 ? 1024 : area_size);

	if (!a)
		return NULL;
	*(u16 *)(a + 0) = 0x37f;     /* FCW: the x87 power-on control word */
	*(u32 *)(a + 24) = 0x1f80;   /* MXCSR: loaded even for init-state SSE */
	return a;
}

void arch_fpu_free(void *area)
{
	kfree(area);
}

/*
 * The registers of every component exist whatever the guest's XCR0 says: a
 * guest with XCR0 = 1 uses SSE (CR4.OSFXSR is enough), as Linux's CPUs do
 * before they enable XSAVE. XSAVE and XRSTOR only move components in XCR0,
 * so both run with the host's full XCR0; the guest's is set after the
 * restore. (With the guest's XCR0, a vCPU's XMM registers would leak to
 * the next vCPU on this CPU and its own would be lost.)
 */
void arch_vcpu_fpu_load(struct vcpu *v)
{
	if (use_xsave) {
		xsetbv(0, host_xcr0);
		/* Absent XSTATE_BV bits mean init state. */
		__asm__ __volatile__("xrstor64 (%0)" : : "r"(v->fpu), "a"((u32)host_xcr0),
				     "d"((u32)(host_xcr0 >> 32)) : "memory");
		xsetbv(0, v->xcr0);
	} else {
		__asm__ __volatile__("fxrstor64 (%0)" : : "r"(v->fpu) : "memory");
	}
}

void arch_vcpu_fpu_save(struct vcpu *v)
{
	if (use_xsave) {
		xsetbv(0, host_xcr0);
		__asm__ __volatile__("xsave64 (%0)" : : "r"(v->fpu), "a"((u32)host_xcr0),
				     "d"((u32)(host_xcr0 >> 32)) : "memory");
	} else {
		__asm__ __volatile__("fxsave64 (%0)" : : "r"(v->fpu) : "memory");
	}
}

/*
 * The hardware XCR0 is the guest's while its FPU state is loaded. QEMU's
 * SVM does not intercept XSETBV, so a guest can change it behind our back:
 * take what the hardware has as the truth before the next switch saves it.
 */
void arch_fpu_sync_xcr0(struct vcpu *v)
{
	u32 lo, hi;

	if (!use_xsave)
		return;
	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	v->xcr0 = ((u64)hi << 32) | lo;
}

/* XSETBV from the guest: only what the CPUID policy offers, in valid combinations. */
int arch_fpu_set_xcr0(struct vcpu *v, u64 val)
{
	u64 allowed = arch_fpu_guest_xcr0_mask();

	if (!use_xsave || (val & ~allowed) || !(val & 1))
		return -1;
	if ((val & 4) && !(val & 2))
		return -1;                           /* AVX needs SSE */
	if ((val & 0xe0) && (val & 0xe0) != 0xe0)
		return -1;                           /* AVX-512 components go together */
	if ((val & 0xe0) && !(val & 4))
		return -1;
	v->xcr0 = val;
	xsetbv(0, val);
	return 0;
}

/*
 * Firmware calls (efi_rt.c). The XCR0 in force is kept in the first 8
 * bytes of the stash; the XSAVE image follows at 64. Before arch_fpu_init
 * has run on this CPU (CR4.OSXSAVE off), FXSAVE is all there is.
 */
#define STASH_IMAGE 64

u32 fpu_stash_size(void)
{
	if (!(cpuid(1, 0).ecx & CPUID1_ECX_XSAVE))
		return STASH_IMAGE + FXSAVE_SIZE;
	/* ECX: the area size for every component the CPU supports, whatever XCR0 says. */
	return STASH_IMAGE + cpuid(0xd, 0).ecx;
}

void fpu_stash(void *area)
{
	u8 *img = (u8 *)area + STASH_IMAGE;
	u32 mxcsr = 0x1f80;

	if (use_xsave) {
		u32 lo, hi;

		__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		*(u64 *)area = ((u64)hi << 32) | lo;
		xsetbv(0, host_xcr0);
		__asm__ __volatile__("xsave64 (%0)" : : "r"(img), "a"((u32)host_xcr0),
				     "d"((u32)(host_xcr0 >> 32)) : "memory");
	} else {
		__asm__ __volatile__("fxsave64 (%0)" : : "r"(img) : "memory");
	}
	__asm__ __volatile__("fninit; ldmxcsr %0" : : "m"(mxcsr));
}

void fpu_unstash(void *area)
{
	u8 *img = (u8 *)area + STASH_IMAGE;

	if (use_xsave) {
		xsetbv(0, host_xcr0);
		__asm__ __volatile__("xrstor64 (%0)" : : "r"(img), "a"((u32)host_xcr0),
				     "d"((u32)(host_xcr0 >> 32)) : "memory");
		xsetbv(0, *(u64 *)area);
	} else {
		__asm__ __volatile__("fxrstor64 (%0)" : : "r"(img) : "memory");
	}
}
