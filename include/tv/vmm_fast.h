/* SPDX-License-Identifier: MIT */
/*
 * vmm_fast.h: exits a backend answers in place and re-enters the guest at
 * once, without the run loop (vcpu.c). Inline, since the point is the
 * instructions saved: a CPUID round trip under QEMU costs ~150 of them.
 *
 * Leaving the run loop out loses nothing: everything it looks at (timers,
 * kicks, interrupts for the guest, a stop or a reset, rescheduling) changes
 * only together with a host interrupt or IPI to this CPU, and one pending
 * at the next entry ends it at once (the INTR intercept / external-interrupt
 * exiting) and takes the slow way. Backends call these with interrupts off.
 */
#ifndef TV_VMM_FAST_H
#define TV_VMM_FAST_H

#include <tv/vmm.h>

#define VMM_CR4_OSXSAVE (1ull << 18)
#define VMM_CR4_PKE (1ull << 22)

/* What the CPUID policy reads of CR4, plus bit 0: the memo entry is in use. */
static inline u32 vmm_cpuid_cr4key(u64 cr4)
{
	return (u32)(cr4 & (VMM_CR4_OSXSAVE | VMM_CR4_PKE)) | 1;
}

static inline struct cpuid_memo *vmm_cpuid_slot(struct vcpu *v, u32 leaf)
{
	return &v->cpuid_memo[(leaf ^ (leaf >> 29)) & (ARRAY_SIZE(v->cpuid_memo) - 1)];
}

/*
 * A CPUID exit in 64-bit code answered from the memo vmm_exit_cpuid fills:
 * true if it was (RAX-RDX, *rip and the exit count updated), false if
 * vmm_exit_cpuid must run. rax and rip are where the backend keeps them
 * (VMCB or struct vcpu.regs); len is the length the CPU reported, or 0:
 * then only a prefix-free CPUID in the code page of the last decode
 * qualifies (the quick length check of emulate.c, with its caveat).
 */
static inline bool vmm_cpuid_fast(struct vcpu *v, u64 *rax, u64 *rip, unsigned len, u64 cr3,
				  u64 cr4)
{
	u32 leaf = (u32)*rax;
	const struct cpuid_memo *m = vmm_cpuid_slot(v, leaf);
	u64 at = *rip;

	if (m->key != (leaf | v->regs[VREG_RCX] << 32) || m->cr4key != vmm_cpuid_cr4key(cr4))
		return false;
	if (!len) {
		/*
		 * Called with the vCPU still in the guest (in_guest): a frame the
		 * cache points to is not freed before it leaves (vm_tlb_shootdown
		 * waits for it), and one freed before it entered moved tlb_seen
		 * past the generation the cache was filled at.
		 */
		const u8 *code = v->code_cache.host;

		if (!code || v->code_cache.gen != v->tlb_seen ||
		    ((v->code_cache.page ^ at) & ~0xfffull) || v->code_cache.cr3 != cr3 ||
		    code[at & 0xfff] != 0x0f)
			return false;
		len = 2;
	}
	*rax = m->out[0];
	v->regs[VREG_RBX] = m->out[1];
	v->regs[VREG_RCX] = m->out[2];
	v->regs[VREG_RDX] = m->out[3];
	*rip = at + len;
	v->exits[VMEXIT_CPUID]++;
	return true;
}

#endif
