// SPDX-License-Identifier: MIT
/* vmm.c: choosing the vendor backend at boot and forwarding the arch_vmm calls to it. */
#include <tv/arch.h>
#include <tv/errno.h>
#include <tv/printf.h>
#include <x86/cpuid.h>
#include <x86/vmm_ops.h>

static const struct vmm_ops *ops;

int arch_vmm_init(char *why, size_t whylen)
{
	struct virt_info vi;
	int r;

	arch_virt_detect(&vi);
	if (!vi.usable) {
		snprintf(why, whylen, "%s", vi.detail);
		return -ENODEV;
	}
	ops = vi.kind == VIRT_SVM ? &svm_ops : &vmx_ops;
	r = ops->cpu_enable(why, whylen);
	if (r)
		ops = NULL;
	return r;
}

int arch_vmm_cpu_enable(char *why, size_t whylen)
{
	if (!ops) {
		snprintf(why, whylen, "no virtualization backend");
		return -ENODEV;
	}
	return ops->cpu_enable(why, whylen);
}

const char *arch_vmm_name(void)
{
	return ops ? ops->name : "none";
}

int arch_vm_init(struct vm *vm) { return ops->vm_init(vm); }
void arch_vm_destroy(struct vm *vm) { ops->vm_destroy(vm); }
int arch_vm_map_ram(struct vm *vm, u64 gpa, paddr_t hpa, u64 size)
{
	return ops->vm_map_ram(vm, gpa, hpa, size);
}
int arch_vm_map_page(struct vm *vm, u64 gpa, paddr_t hpa, enum vm_prot prot)
{
	return ops->vm_map_page(vm, gpa, hpa, prot);
}
u64 arch_vm_overhead(struct vm *vm) { return ops->vm_overhead(vm); }
int arch_vcpu_init(struct vcpu *v) { return ops->vcpu_init(v); }
void arch_vcpu_destroy(struct vcpu *v) { ops->vcpu_destroy(v); }
void arch_vcpu_set_boot_state(struct vcpu *v, const struct guest_boot_state *s)
{
	ops->vcpu_set_boot_state(v, s);
}
int arch_vcpu_enter(struct vcpu *v) { return ops->vcpu_enter(v); }
u64 arch_vcpu_get(struct vcpu *v, enum vreg r) { return ops->vcpu_get(v, r); }
void arch_vcpu_set(struct vcpu *v, enum vreg r, u64 val) { ops->vcpu_set(v, r, val); }
void arch_vcpu_get_seg(struct vcpu *v, enum vseg s, struct vseg_state *out)
{
	ops->vcpu_get_seg(v, s, out);
}
unsigned arch_vcpu_cpl(struct vcpu *v) { return ops->vcpu_cpl(v); }
int arch_vcpu_code_mode(struct vcpu *v, u64 *cs_base) { return ops->vcpu_code_mode(v, cs_base); }
void arch_vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error, u64 cr2)
{
	ops->vcpu_inject_exception(v, vector, has_error, error, cr2);
}
bool arch_vcpu_can_inject_irq(struct vcpu *v) { return ops->vcpu_can_inject_irq(v); }
void arch_vcpu_inject_irq(struct vcpu *v, u8 vector) { ops->vcpu_inject_irq(v, vector); }
void arch_vcpu_request_irq_window(struct vcpu *v) { ops->vcpu_request_irq_window(v); }
bool arch_vcpu_inject_nmi(struct vcpu *v) { return ops->vcpu_inject_nmi(v); }
void arch_vcpu_load(struct vcpu *v) { ops->vcpu_load(v); }
void arch_vcpu_put(struct vcpu *v) { ops->vcpu_put(v); }
void arch_vcpu_dump(struct vcpu *v) { ops->vcpu_dump(v); }
