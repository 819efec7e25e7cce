/* SPDX-License-Identifier: MIT */
/*
 * arch_vmm.h: the virtualization half of the arch boundary. arch/x86/vmm.c
 * implements these by calling the vendor backend (SVM or VMX) chosen at boot
 * from CPUID; generic code never knows which one runs.
 */
#ifndef TV_ARCH_VMM_H
#define TV_ARCH_VMM_H

#include <tv/types.h>
#include <tv/vmm.h>

struct guest_boot_state;

/*
 * Pick the backend for this CPU and enable it on the calling CPU (VMXON or
 * EFER.SVME). Returns 0, or -ENODEV with a reason in why.
 */
int arch_vmm_init(char *why, size_t whylen);
/* "AMD-V" or "Intel VT-x", once initialized. */
const char *arch_vmm_name(void);
/* Application processors: enable the backend arch_vmm_init chose on this CPU too. */
int arch_vmm_cpu_enable(char *why, size_t whylen);

/* Nested paging for a VM. */
int arch_vm_init(struct vm *vm);
void arch_vm_destroy(struct vm *vm);
/* Map guest-physical [gpa, gpa+size) to host-physical hpa, as RAM. */
int arch_vm_map_ram(struct vm *vm, u64 gpa, paddr_t hpa, u64 size);
/*
 * Map the 4 KiB guest page at gpa to hpa read-only or read-write, or unmap
 * it (VM_PROT_NONE); a 2 MiB page over it is split first. Translations
 * vCPUs hold stay until vm_tlb_shootdown: the caller decides when the old
 * frame may be reused. 0 or -ENOMEM (a table could not be allocated).
 */
int arch_vm_map_page(struct vm *vm, u64 gpa, paddr_t hpa, enum vm_prot prot);
/* Host memory the backend uses for this VM (page tables, control blocks). */
u64 arch_vm_overhead(struct vm *vm);

int arch_vcpu_init(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);
/*
 * Registers, segments and control registers as the guest loader left them,
 * or the state INIT and a SIPI leave (real mode): everything else of the
 * vCPU's CPU state is reset, pending events dropped. On the CPU that runs v.
 */
void arch_vcpu_set_boot_state(struct vcpu *v, const struct guest_boot_state *s);
/*
 * Enter the guest once and handle the exit; 0, or <0 when the VM stopped.
 * Called with interrupts off (vcpu_run makes its last checks with them
 * off); they stay off through the exit handling, and a host interrupt that
 * ended the guest's turn is taken when vcpu_run enables them again.
 */
int arch_vcpu_enter(struct vcpu *v);

u64 arch_vcpu_get(struct vcpu *v, enum vreg r);
void arch_vcpu_set(struct vcpu *v, enum vreg r, u64 val);
void arch_vcpu_get_seg(struct vcpu *v, enum vseg s, struct vseg_state *out);
unsigned arch_vcpu_cpl(struct vcpu *v);
/* enum x86_cpu_mode of the code at RIP, and CS's base (0 in 64-bit mode). */
int arch_vcpu_code_mode(struct vcpu *v, u64 *cs_base);

/* Events: one exception may be pending at a time; an interrupt needs a window. */
void arch_vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error, u64 cr2);
bool arch_vcpu_can_inject_irq(struct vcpu *v);
void arch_vcpu_inject_irq(struct vcpu *v, u8 vector);
void arch_vcpu_request_irq_window(struct vcpu *v);
/*
 * Inject an NMI if the guest can take one now (no event in flight, not in
 * an interrupt shadow, not handling an NMI it has not IRETed from); false:
 * not now, the caller tries again after the next exit.
 */
bool arch_vcpu_inject_nmi(struct vcpu *v);

/* Guest FPU/SSE/AVX state: move it on and off this CPU (arch/x86/fpu.c). */
void arch_fpu_init(void);
void *arch_fpu_alloc(void);
void arch_fpu_free(void *area);
/* XCR0 bits guests may enable (0 without XSAVE). */
u64 arch_fpu_guest_xcr0_mask(void);
/* Guest XSETBV XCR0: 0, or -1 for #GP. */
int arch_fpu_set_xcr0(struct vcpu *v, u64 val);
void arch_vcpu_fpu_load(struct vcpu *v);
/* After a guest run: record XCR0 as the hardware holds it. */
void arch_fpu_sync_xcr0(struct vcpu *v);
void arch_vcpu_fpu_save(struct vcpu *v);

/*
 * The vCPU takes this CPU, or leaves it for another vCPU: move the state
 * the backend keeps in the CPU between runs (VMX: the SYSCALL MSRs).
 */
void arch_vcpu_load(struct vcpu *v);
void arch_vcpu_put(struct vcpu *v);

/* Log the vCPU's registers (a crashed VM's last state). */
void arch_vcpu_dump(struct vcpu *v);

#endif
