// SPDX-License-Identifier: MIT
/*
 * exits.c: the intercepted instructions both vendors report alike (CPUID,
 * HLT, RDMSR/WRMSR, XSETBV, INVD/WBINVD). The backend names the exit and,
 * when its CPU reported it (VMX always, SVM with NRIP save), the length;
 * operands, effect and the new RIP are handled here on struct vcpu.regs.
 *
 * Every handler finds the instruction's end before acting, so a failed
 * decode (a #PF queued, code rewritten under us) leaves the guest to
 * execute it again with nothing half done.
 */
#include <tv/arch.h>
#include <tv/arch_vmm.h>
#include <tv/cpuid_policy.h>
#include <tv/vmm.h>
#include <tv/vmm_fast.h>
#include <tv/x86emu.h>
#include "vmm_internal.h"


static u64 edx_eax(struct vcpu *v)
{
	return (v->regs[VREG_RAX] & 0xffffffffull) | (v->regs[VREG_RDX] << 32);
}

static void cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u32 out[4])
{
	static u32 max_basic, max_ext;
	u64 cr4 = vcpu_get(v, VREG_CR4);
	struct cpuid_guest g = {
		.vcpu_id = v->id,
		.nvcpus = v->vm->nvcpus,
		.osxsave = cr4 & VMM_CR4_OSXSAVE,
		.ospke = cr4 & VMM_CR4_PKE,
		.xcr0_allowed = arch_fpu_guest_xcr0_mask(),
	};

	if (!max_basic) {
		arch_cpuid(0, 0, out);
		max_basic = out[0];
		arch_cpuid(0x80000000u, 0, out);
		max_ext = out[0];
	}
	arch_cpuid(leaf, subleaf, out);
	cpuid_policy_apply(leaf, subleaf, out, &g, max_basic, max_ext);
	/*
	 * Everything else the answer depends on is fixed for the vCPU, except
	 * leaf 0xd: the host's CPUID sizes it for the guest's current XCR0.
	 */
	if (leaf != 0xd) {
		struct cpuid_memo *m = vmm_cpuid_slot(v, leaf);

		*m = (struct cpuid_memo){ leaf | (u64)subleaf << 32, vmm_cpuid_cr4key(cr4),
					  { out[0], out[1], out[2], out[3] } };
	}
}

static void cpuid_done(struct vcpu *v, const u32 out[4], u64 next)
{
	v->regs[VREG_RAX] = out[0];
	v->regs[VREG_RBX] = out[1];
	v->regs[VREG_RCX] = out[2];
	v->regs[VREG_RDX] = out[3];
	v->regs[VREG_RIP] = next;
}

int vmm_exit_cpuid(struct vcpu *v, unsigned len)
{
	u32 out[4];
	u64 next;

	if (vcpu_insn_end(v, X86_OP_CPUID, len, &next))
		return 0;
	cpuid(v, (u32)v->regs[VREG_RAX], (u32)v->regs[VREG_RCX], out);
	cpuid_done(v, out, next);
	return 0;
}

int vmm_exit_hlt(struct vcpu *v, unsigned len)
{
	u64 next;

	if (vcpu_insn_end(v, X86_OP_HLT, len, &next))
		return 0;
	v->regs[VREG_RIP] = next;
	/*
	 * An interrupt already waiting ends HLT at once, as on hardware; one
	 * that comes later kicks the vCPU, whose run loop looks again.
	 */
	if (!vcpu_wakeup_pending(v))
		v->halted = true;
	return 0;
}

int vmm_exit_msr(struct vcpu *v, bool write, unsigned len)
{
	u32 msr = (u32)v->regs[VREG_RCX];
	u64 val = edx_eax(v), next;
	int r;

	if (vcpu_insn_end(v, write ? X86_OP_WRMSR : X86_OP_RDMSR, len, &next))
		return 0;
	if (write) {
		v->exits[VMEXIT_WRMSR]++;
		r = vmm_wrmsr(v, msr, val);
	} else {
		v->exits[VMEXIT_RDMSR]++;
		r = vmm_rdmsr(v, msr, &val);
	}
	if (v->vm->stop_requested)
		return -1; /* the guest asked for a reset or poweroff through an MSR */
	if (r) {
		vcpu_inject_gp(v);
		return 0;
	}
	if (!write) {
		v->regs[VREG_RAX] = val & 0xffffffffull;
		v->regs[VREG_RDX] = val >> 32;
	}
	v->regs[VREG_RIP] = next;
	return 0;
}

int vmm_exit_xsetbv(struct vcpu *v, unsigned len)
{
	u64 next;

	if (vcpu_insn_end(v, X86_OP_XSETBV, len, &next))
		return 0;
	if ((u32)v->regs[VREG_RCX] != 0 || arch_vcpu_cpl(v) != 0 ||
	    arch_fpu_set_xcr0(v, edx_eax(v)))
		vcpu_inject_gp(v);
	else
		v->regs[VREG_RIP] = next;
	return 0;
}

int vmm_exit_skip(struct vcpu *v, int op, unsigned len)
{
	u64 next;

	if (!vcpu_insn_end(v, op, len, &next))
		v->regs[VREG_RIP] = next;
	return 0;
}

int vmm_exit_io(struct vcpu *v, u16 port, unsigned size, bool in, bool string, u64 next_rip)
{
	u32 val = (u32)v->regs[VREG_RAX];
	int r;

	if (string)
		return vmm_io_string(v, port, size, in, next_rip);
	r = vmm_io(v, port, size, in, &val);
	if (r)
		return r;
	if (in) {
		u64 rax = v->regs[VREG_RAX];

		if (size == 1)
			rax = (rax & ~0xffull) | (val & 0xff);
		else if (size == 2)
			rax = (rax & ~0xffffull) | (val & 0xffff);
		else
			rax = val; /* a 32-bit write zero-extends */
		v->regs[VREG_RAX] = rax;
	}
	v->regs[VREG_RIP] = next_rip;
	return 0;
}

int vmm_exit_cr8(struct vcpu *v, bool write, unsigned gpr, unsigned len)
{
	u64 next;

	if (vcpu_insn_end(v, X86_OP_MOV_CR, len, &next))
		return 0;
	if (write) {
		if (v->regs[gpr] >> 4) {
			vcpu_inject_gp(v); /* CR8 bits 63:4 are reserved */
			return 0;
		}
		vcpu_tpr_write(v, (u8)(v->regs[gpr] << 4));
	} else {
		v->regs[gpr] = vcpu_tpr_read(v) >> 4;
	}
	v->regs[VREG_RIP] = next;
	return 0;
}
