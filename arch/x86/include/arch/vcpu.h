/* SPDX-License-Identifier: MIT */
/*
 * arch/vcpu.h: what generic VM and vCPU structures hold for the x86
 * backends. Vendor state (struct svm_vcpu, struct vmx_vcpu) is private to
 * arch/x86/svm and arch/x86/vmx; generic code only carries the pointer.
 */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#include <tv/types.h>

struct vcpu_arch {
	void *vendor;
};

struct vm_arch {
	void *vendor;
};

#endif
