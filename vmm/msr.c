// SPDX-License-Identifier: MIT
/*
 * msr.c: the MSR policy. An allow-list: each MSR a guest may use is either
 * kept in the VMCB/VMCS by the backend (and never intercepted), or emulated
 * here. Every other MSR raises #GP in the guest and is logged a few times
 * per VM; nothing a guest does with MSRs reaches the host's real ones.
 */
#include <tv/arch_vmm.h>
#include <tv/errno.h>
#include <tv/log.h>
#include <tv/vmm.h>
#include "vmm_internal.h"

#define MSR_TSC 0x10
#define MSR_PLATFORM_ID 0x17
#define MSR_APIC_BASE 0x1b
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_UCODE_REV 0x8b
#define MSR_MTRRCAP 0xfe
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MTRR_FIX64K 0x250
#define MSR_MTRR_FIX16K_80000 0x258
#define MSR_MTRR_FIX16K_A0000 0x259
#define MSR_MTRR_FIX4K_C0000 0x268
#define MSR_MTRR_FIX4K_F8000 0x26f
#define MSR_PAT 0x277
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_EFER 0xc0000080
#define MSR_AMD_SYSCFG 0xc0010010
#define MSR_AMD_HWCR 0xc0010015
#define MSR_AMD_NB_CFG 0xc001001f
#define MSR_AMD_DE_CFG 0xc0011029

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)
#define LOG_UNKNOWN_MAX 8

/* MTRRs: fixed ranges and the default type, no variable ranges, WC allowed. */
#define MTRRCAP_VALUE ((1ull << 8) | (1ull << 10))
#define MTRR_DEF_VALID (0xffull | (1ull << 10) | (1ull << 11))

void vcpu_msr_reset(struct vcpu *v)
{
	v->mtrr_def_type = 0xc06; /* enabled, fixed ranges on, default write-back */
	for (int i = 0; i < 11; i++)
		v->mtrr_fixed[i] = 0x0606060606060606ull;
}

static int fixed_index(u32 msr)
{
	if (msr == MSR_MTRR_FIX64K)
		return 0;
	if (msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000)
		return 1 + (int)(msr - MSR_MTRR_FIX16K_80000);
	if (msr >= MSR_MTRR_FIX4K_C0000 && msr <= MSR_MTRR_FIX4K_F8000)
		return 3 + (int)(msr - MSR_MTRR_FIX4K_C0000);
	return -1;
}

/* Memory types 0, 1, 4, 5, 6 are valid in MTRRs; 7 only in the PAT. */
static bool types_valid(u64 v, bool pat)
{
	for (int i = 0; i < 8; i++) {
		u8 t = (u8)(v >> (8 * i));

		if (t == 2 || t == 3 || t > 7 || (t == 7 && !pat))
			return false;
	}
	return true;
}

static void log_unknown(struct vcpu *v, const char *op, u32 msr, u64 val)
{
	if (v->vm->msr_logged >= LOG_UNKNOWN_MAX)
		return;
	if (++v->vm->msr_logged == LOG_UNKNOWN_MAX)
		pr_info("vm %s: %s %#x (%#llx): #GP; further unknown MSRs not logged\n",
			v->vm->name, op, msr, (unsigned long long)val);
	else
		pr_info("vm %s: %s %#x (%#llx): not allowed, #GP\n", v->vm->name, op, msr,
			(unsigned long long)val);
}

int vmm_rdmsr(struct vcpu *v, u32 msr, u64 *val)
{
	int fi = fixed_index(msr);

	if (fi >= 0) {
		*val = v->mtrr_fixed[fi];
		return 0;
	}
	switch (msr) {
	case MSR_TSC:
		*val = vm_guest_tsc(v->vm);
		return 0;
	case MSR_APIC_BASE:
		*val = v->apic_base;
		return 0;
	case MSR_FEATURE_CONTROL:
		*val = 1; /* locked, VMX off: the guest has no VMX */
		return 0;
	case MSR_PLATFORM_ID:
	case MSR_UCODE_REV:
	case MSR_AMD_HWCR:
	case MSR_AMD_SYSCFG:    /* no memory encryption, no MTRR fix-up bits */
	case MSR_AMD_NB_CFG:    /* no northbridge to configure */
		*val = 0;
		return 0;
	case MSR_MISC_ENABLE:
		*val = 1; /* fast strings */
		return 0;
	case MSR_AMD_DE_CFG:
		*val = 1ull << 1; /* LFENCE is dispatch serializing */
		return 0;
	case MSR_MTRRCAP:
		*val = MTRRCAP_VALUE;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		*val = v->mtrr_def_type;
		return 0;
	case MSR_PAT:
		*val = vcpu_get(v, VREG_PAT);
		return 0;
	case MSR_EFER:
		*val = vcpu_get(v, VREG_EFER);
		return 0;
	case MSR_TSC_DEADLINE:
		*val = vcpu_tsc_deadline_read(v);
		return 0;
	}
	log_unknown(v, "rdmsr", msr, 0);
	return -EPERM;
}

int vmm_wrmsr(struct vcpu *v, u32 msr, u64 val)
{
	int fi = fixed_index(msr);

	if (fi >= 0) {
		if (!types_valid(val, false))
			return -EPERM;
		v->mtrr_fixed[fi] = val;
		return 0;
	}
	switch (msr) {
	case MSR_TSC:
		/* The guest sets its TSC: move the offset, as hardware would. */
		v->vm->tsc_offset += val - vm_guest_tsc(v->vm);
		return 0;
	case MSR_APIC_BASE:
		/* No relocation and no x2APIC: only the enable bit may change. */
		if ((val & ~(APIC_BASE_ENABLE | APIC_BASE_BSP)) != (v->apic_base & ~(APIC_BASE_ENABLE |
										  APIC_BASE_BSP)) ||
		    (val & APIC_BASE_X2APIC) || (val & APIC_BASE_BSP) != (v->apic_base & APIC_BASE_BSP))
			return -EPERM;
		v->apic_base = val;
		return 0;
	case MSR_UCODE_REV:
	case MSR_AMD_HWCR:
	case MSR_AMD_DE_CFG:
	case MSR_AMD_SYSCFG:
	case MSR_AMD_NB_CFG:
	case MSR_MISC_ENABLE:
		return 0; /* accepted and ignored, like firmware-locked bits */
	case MSR_MTRR_DEF_TYPE:
		if ((val & ~MTRR_DEF_VALID) || !types_valid(val & 0xff, false))
			return -EPERM;
		v->mtrr_def_type = val;
		return 0;
	case MSR_PAT:
		if (!types_valid(val, true))
			return -EPERM;
		vcpu_set(v, VREG_PAT, val);
		return 0;
	case MSR_EFER: {
		u64 allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
		u64 old = vcpu_get(v, VREG_EFER);

		if (val & ~allowed)
			return -EPERM;
		/* LMA is the CPU's to set; LME may not change while paging is on. */
		val = (val & ~EFER_LMA) | (old & EFER_LMA);
		if ((vcpu_get(v, VREG_CR0) & (1ull << 31)) && ((val ^ old) & EFER_LME))
			return -EPERM;
		vcpu_set(v, VREG_EFER, val);
		return 0;
	}
	case MSR_TSC_DEADLINE:
		vcpu_tsc_deadline_write(v, val);
		return 0;
	}
	log_unknown(v, "wrmsr", msr, val);
	return -EPERM;
}
