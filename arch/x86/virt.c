// SPDX-License-Identifier: MIT
/* virt.c: which hardware virtualization this CPU offers, and whether firmware allows it. */
#include <tv/arch.h>
#include <tv/log.h>
#include <tv/printf.h>
#include <x86/cpuid.h>
#include <x86/msr.h>

#define VMX_PROCBASED_SECONDARY (1u << 31)
#define VMX_SECONDARY_EPT (1u << 1)
#define VMX_SECONDARY_VPID (1u << 5)
#define VMX_SECONDARY_UNRESTRICTED (1u << 7)

static void detect_vmx(struct virt_info *vi)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	u64 basic, proc, proc2 = 0;

	vi->kind = VIRT_VMX;
	/* Locked without VMX enabled: only a firmware setting can change it. */
	if ((fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		vi->usable = false;
		snprintf(vi->detail, sizeof(vi->detail),
			 "disabled by firmware (IA32_FEATURE_CONTROL locked); enable VT-x in setup");
		return;
	}
	basic = rdmsr(MSR_IA32_VMX_BASIC);
	proc = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	if ((proc >> 32) & VMX_PROCBASED_SECONDARY)
		proc2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32;
	vi->usable = true;
	snprintf(vi->detail, sizeof(vi->detail), "VMCS revision %u%s%s%s",
		 (unsigned)(basic & 0x7fffffff), (proc2 & VMX_SECONDARY_EPT) ? ", EPT" : ", no EPT",
		 (proc2 & VMX_SECONDARY_VPID) ? ", VPID" : "",
		 (proc2 & VMX_SECONDARY_UNRESTRICTED) ? ", unrestricted guest" : "");
}

static void detect_svm(struct virt_info *vi)
{
	u64 vmcr = rdmsr(MSR_VM_CR);
	struct cpuid_regs f = { 0 };

	vi->kind = VIRT_SVM;
	if (vmcr & VM_CR_SVMDIS) {
		vi->usable = false;
		snprintf(vi->detail, sizeof(vi->detail), "disabled by firmware (VM_CR.SVMDIS%s)",
			 (vmcr & VM_CR_LOCK) ? ", locked; enable SVM in setup" : "");
		return;
	}
	if (cpuid_max_ext_leaf() >= 0x8000000a)
		f = cpuid(0x8000000a, 0);
	vi->usable = true;
	snprintf(vi->detail, sizeof(vi->detail), "SVM revision %u, %u ASIDs%s%s%s",
		 f.eax & 0xff, f.ebx, (f.edx & CPUID8A_EDX_NPT) ? ", NPT" : ", no NPT",
		 (f.edx & CPUID8A_EDX_NRIPS) ? ", NRIP save" : ", no NRIP save",
		 (f.edx & CPUID8A_EDX_DECODE_ASSISTS) ? ", decode assists" : "");
}

void arch_virt_test_lock_off(void)
{
	if (!cpu_is_intel() || !(cpuid(1, 0).ecx & CPUID1_ECX_VMX))
		return;
	if (rdmsr(MSR_IA32_FEATURE_CONTROL) & FEATURE_CONTROL_LOCKED)
		pr_warn("test.vmx_locked_off: IA32_FEATURE_CONTROL is already locked by firmware\n");
	else
		wrmsr(MSR_IA32_FEATURE_CONTROL, FEATURE_CONTROL_LOCKED);
}

void arch_virt_detect(struct virt_info *vi)
{
	vi->kind = VIRT_NONE;
	vi->usable = false;
	vi->detail[0] = '\0';
	if (cpu_is_intel() && (cpuid(1, 0).ecx & CPUID1_ECX_VMX))
		detect_vmx(vi);
	else if (cpu_is_amd() && cpuid_max_ext_leaf() >= 0x80000001 &&
		 (cpuid(0x80000001, 0).ecx & CPUID81_ECX_SVM))
		detect_svm(vi);
	else
		snprintf(vi->detail, sizeof(vi->detail),
			 "this CPU has neither Intel VT-x nor AMD-V: VMs cannot run");
}
