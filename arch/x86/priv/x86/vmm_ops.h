/* SPDX-License-Identifier: MIT */
/*
 * vmm_ops.h: the vendor backend interface, one list for both backends so
 * the struct and its implementations cannot drift apart. arch/x86/vmm.c
 * picks svm_ops or vmx_ops from CPUID at boot and forwards the arch_vmm
 * calls (tv/arch_vmm.h) to it.
 */
#ifndef X86_VMM_OPS_H
#define X86_VMM_OPS_H

#include <tv/arch_vmm.h>

#define VMM_OPS(OP)                                                                          \
	OP(int, cpu_enable, (char *why, size_t whylen))                                        \
	OP(int, vm_init, (struct vm *vm))                                                      \
	OP(void, vm_destroy, (struct vm *vm))                                                  \
	OP(int, vm_map_ram, (struct vm *vm, u64 gpa, paddr_t hpa, u64 size))                   \
	OP(int, vm_map_page, (struct vm *vm, u64 gpa, paddr_t hpa, enum vm_prot prot))          \
	OP(u64, vm_overhead, (struct vm *vm))                                                  \
	OP(int, vcpu_init, (struct vcpu *v))                                                   \
	OP(void, vcpu_destroy, (struct vcpu *v))                                               \
	OP(void, vcpu_set_boot_state, (struct vcpu *v, const struct guest_boot_state *s))      \
	OP(int, vcpu_enter, (struct vcpu *v))                                                  \
	OP(u64, vcpu_get, (struct vcpu *v, enum vreg r))                                       \
	OP(void, vcpu_set, (struct vcpu *v, enum vreg r, u64 val))                             \
	OP(void, vcpu_get_seg, (struct vcpu *v, enum vseg s, struct vseg_state *out))          \
	OP(unsigned, vcpu_cpl, (struct vcpu *v))                                               \
	OP(int, vcpu_code_mode, (struct vcpu *v, u64 *cs_base))                                \
	OP(void, vcpu_inject_exception, (struct vcpu *v, u8 vec, bool has_err, u32 err, u64 cr2)) \
	OP(bool, vcpu_can_inject_irq, (struct vcpu *v))                                        \
	OP(void, vcpu_inject_irq, (struct vcpu *v, u8 vector))                                 \
	OP(bool, vcpu_inject_nmi, (struct vcpu *v))                                            \
	OP(void, vcpu_request_irq_window, (struct vcpu *v))                                    \
	OP(void, vcpu_load, (struct vcpu *v))                                                  \
	OP(void, vcpu_put, (struct vcpu *v))                                                   \
	OP(void, vcpu_dump, (struct vcpu *v))

struct vmm_ops {
	const char *name;
#define VMM_OP_MEMBER(ret, fn, args) ret(*fn) args;
	VMM_OPS(VMM_OP_MEMBER)
#undef VMM_OP_MEMBER
};

extern const struct vmm_ops svm_ops, vmx_ops;

#endif
