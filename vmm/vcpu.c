// SPDX-License-Identifier: MIT
/*
 * vcpu.c: the vendor-neutral vCPU: creation, the run loop (timers,
 * interrupt delivery, entering the guest), and the small services exit
 * handlers share (registers, RIP, exception injection, HLT, crashes).
 */
#include <stdarg.h>
#include <tv/arch.h>
#include <tv/arch_vmm.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/printf.h>
#include <tv/sched.h>
#include <tv/string.h>
#include <tv/x86emu.h>
#include "vmm_internal.h"

#define APIC_BASE_DEFAULT 0xfee00000ull
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_BSP (1ull << 8)

int vcpu_create(struct vm *vm, unsigned id)
{
	struct vcpu *v = kzalloc(sizeof(*v));

	if (!v)
		return -1;
	v->vm = vm;
	v->id = id;
	vm->vcpus[id] = v;
	v->fpu = arch_fpu_alloc();
	if (!v->fpu || arch_vcpu_init(v) || vm_platform_vcpu_init(v))
		return -1;
	vm->overhead_bytes += sizeof(*v) + 4096;
	return 0;
}

void vcpu_free(struct vcpu *v)
{
	vm_platform_vcpu_free(v);
	if (v->arch.vendor)
		arch_vcpu_destroy(v);
	if (v->fpu)
		arch_fpu_free(v->fpu);
	v->vm->vcpus[v->id] = NULL;
	kfree(v);
}

void vcpu_reset_common(struct vcpu *v, bool bsp)
{
	v->halted = !bsp; /* application processors wait for INIT-SIPI */
	v->apic_base = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0);
	v->xcr0 = 1;
	vcpu_msr_reset(v);
	memset(v->fpu, 0, 1024);
	*(u16 *)((u8 *)v->fpu + 0) = 0x37f;
	*(u32 *)((u8 *)v->fpu + 24) = 0x1f80;
	v->loaded = false;
}

/* ---- register services ---- */

u64 vcpu_get_slow(struct vcpu *v, enum vreg r)
{
	return arch_vcpu_get(v, r);
}

void vcpu_set_slow(struct vcpu *v, enum vreg r, u64 val)
{
	arch_vcpu_set(v, r, val);
}

void vcpu_advance_rip(struct vcpu *v, unsigned len)
{
	u64 cs_base, rip = v->regs[VREG_RIP] + len;

	/* Outside 64-bit code EIP wraps at 32 bits. */
	if (arch_vcpu_code_mode(v, &cs_base) != X86_MODE_64)
		rip &= 0xffffffffull;
	v->regs[VREG_RIP] = rip;
}

void vcpu_inject_gp(struct vcpu *v)
{
	arch_vcpu_inject_exception(v, 13, true, 0, 0);
}

void vcpu_inject_ud(struct vcpu *v)
{
	arch_vcpu_inject_exception(v, 6, false, 0, 0);
}

static void dump_regs(struct vcpu *v)
{
	static const struct {
		char name[4];
		u8 reg;
	} order[VREG_FILE_NR] = {
		{ "RIP", VREG_RIP }, { "RSP", VREG_RSP }, { "RAX", VREG_RAX }, { "RBX", VREG_RBX },
		{ "RCX", VREG_RCX }, { "RDX", VREG_RDX }, { "RSI", VREG_RSI }, { "RDI", VREG_RDI },
		{ "RBP", VREG_RBP }, { "R8", VREG_R8 },   { "R9", VREG_R9 },   { "R10", VREG_R10 },
		{ "R11", VREG_R11 }, { "R12", VREG_R12 }, { "R13", VREG_R13 }, { "R14", VREG_R14 },
		{ "R15", VREG_R15 },
	};

	for (unsigned i = 0; i < VREG_FILE_NR; i += 4) {
		char line[96];
		size_t n = 0;

		for (unsigned j = i; j < i + 4 && j < VREG_FILE_NR; j++)
			n += snprintf(line + n, sizeof(line) - n, "  %-3s %016llx", order[j].name,
				      (unsigned long long)v->regs[order[j].reg]);
		pr_err("%s\n", line);
	}
}

void vmm_crash(struct vcpu *v, const char *fmt, ...)
{
	char msg[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (v->vm->state != VM_STATE_RUNNING)
		return;
	pr_err("vm %s: vCPU %u: %s; guest registers:\n", v->vm->name, v->id, msg);
	dump_regs(v);
	arch_vcpu_dump(v);
	vm_stop(v->vm, VM_STATE_CRASHED, "%s", msg);
}

/* ---- the run loop ---- */

bool vcpu_runnable(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (vm->state != VM_STATE_RUNNING)
		return false;
	if (vm->reset_requested || vm_timers_due(vm))
		return true;
	/* Typed input the UART can take now: the guest must run to see it. */
	if (v->id == 0 && vm_console_pending(vm))
		return true;
	return !v->halted || vcpu_irq_pending(v) >= 0;
}

static void deliver_interrupts(struct vcpu *v)
{
	int vec = vcpu_irq_pending(v);

	if (vec < 0)
		return;
	if (arch_vcpu_can_inject_irq(v)) {
		arch_vcpu_inject_irq(v, (u8)vec);
		vcpu_irq_accept(v, vec);
	} else {
		/* Interrupts masked or an event in flight: exit when the guest can take it. */
		arch_vcpu_request_irq_window(v);
	}
}

enum vcpu_yield vcpu_run(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (!v->loaded) {
		arch_vcpu_fpu_load(v);
		arch_vcpu_load(v);
		v->loaded = true;
	}
	for (;;) {
		if (vm->state != VM_STATE_RUNNING)
			return VCPU_YIELD_STOPPED;
		if (vm->reset_requested && vm_reset(vm))
			return VCPU_YIELD_STOPPED;
		if (vm_timers_due(vm))
			vm_timers_run(vm);
		vm_console_feed(vm);
		if (v->halted) {
			if (vcpu_irq_pending(v) < 0)
				return VCPU_YIELD_HALT;
			v->halted = false;
		}
		deliver_interrupts(v);
		if (sched_need_resched())
			return VCPU_YIELD_PREEMPT;

		u64 t0 = arch_cycles();

		arch_vcpu_enter(v);
		v->cycles_in_guest += arch_cycles() - t0;
		arch_fpu_sync_xcr0(v);
	}
}

/* Called by the scheduler when another vCPU is about to use this CPU. */
void vcpu_put(struct vcpu *v)
{
	if (v->loaded) {
		arch_vcpu_put(v);
		arch_vcpu_fpu_save(v);
		v->loaded = false;
	}
}
