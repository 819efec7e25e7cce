// SPDX-License-Identifier: MIT
/*
 * vcpu.c: the vendor-neutral vCPU: creation, the run loop (timers,
 * interrupt delivery, entering the guest), and the small services exit
 * handlers share (registers, RIP, exception injection, HLT, crashes).
 */
#include <stdarg.h>
#include <tv/arch.h>
#include <tv/arch_vmm.h>
#include <tv/guestboot.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/printf.h>
#include <tv/sched.h>
#include <tv/string.h>
#include <tv/vdev/vlapic.h>
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

/*
 * Power-on state of the generic half of a vCPU; vCPU 0 also gets the
 * loader's register state (boot_pending: set by its own run loop). Only
 * while v is not in vcpu_run: at creation, or during a VM reset.
 */
void vcpu_reset_common(struct vcpu *v, bool bsp)
{
	v->halted = !bsp; /* application processors wait for INIT-SIPI */
	v->wait_sipi = !bsp;
	v->boot_pending = bsp;
	v->sipi_logged = false;
	v->apic_base = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0);
	v->xcr0 = 1;
	memset(v->cpuid_memo, 0, sizeof(v->cpuid_memo));
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

/* ---- INIT and SIPI (SDM 8.4, 10.4.7) ---- */

#define CR0_INIT 0x60000010ull  /* CD, NW, ET: the CPU's state after INIT */

/*
 * The state INIT leaves a CPU in, as a SIPI with this vector starts it
 * (SDM table 9-1): real mode at vector:0000, i.e. CS.selector = vector <<
 * 8 and CS.base = vector << 12, caches off, paging and long mode off,
 * 64 KiB segments, GDTR/IDTR limit 0xffff. TR is a busy 32-bit TSS and
 * LDTR an LDT, both empty, as VMX requires of usable ones.
 */
static void sipi_state(struct guest_boot_state *s, u8 vector)
{
	const struct guest_seg data = { 0, 0x093, 0xffff, 0 };

	memset(s, 0, sizeof(*s));
	s->rflags = 2;
	s->cr0 = CR0_INIT;
	s->gdt_limit = s->idt_limit = 0xffff;
	s->cs = (struct guest_seg){ (u16)(vector << 8), 0x09b, 0xffff, (u64)vector << 12 };
	s->ds = s->es = s->ss = s->fs = s->gs = data;
	s->tr = (struct guest_seg){ 0, GUEST_SEG_TSS, 0xffff, 0 };
	s->ldtr = (struct guest_seg){ 0, 0x082, 0xffff, 0 };
}

static void vcpu_start_at_sipi(struct vcpu *v, u8 vector)
{
	struct guest_boot_state s;
	u32 sig[4];
	irqflags_t f;

	sipi_state(&s, vector);
	arch_vcpu_set_boot_state(v, &s);
	arch_cpuid(1, 0, sig);
	v->regs[VREG_RDX] = sig[0];     /* EDX after INIT: family, model, stepping */
	v->wait_sipi = false;
	v->halted = false;
	/* NMIs that came while it waited for SIPI are not held for it. */
	f = spin_lock_irqsave(&v->vm->lock);
	vlapic_take_nmi(v->lapic);
	spin_unlock_irqrestore(&v->vm->lock, f);
	if (!v->sipi_logged) {
		v->sipi_logged = true;
		pr_info("vm %s: vCPU %u started by SIPI at %05x\n", v->vm->name, v->id,
			(unsigned)vector << 12);
	}
}

/*
 * INIT and SIPI the vLAPIC took for this vCPU. INIT to an application
 * processor puts it into wait-for-SIPI; INIT to vCPU 0 resets the VM, as
 * there is no firmware at the reset vector for a bootstrap processor to
 * run. A SIPI starts a vCPU that waits for one and is ignored otherwise.
 */
static void vcpu_take_init_sipi(struct vcpu *v)
{
	struct vlapic *l = v->lapic;
	irqflags_t f;
	bool init;
	int sipi;

	if (!READ_ONCE(l->init_pending) && READ_ONCE(l->sipi_vector) < 0)
		return;
	f = spin_lock_irqsave(&v->vm->lock);
	init = vlapic_take_init(l);
	sipi = vlapic_take_sipi(l);
	spin_unlock_irqrestore(&v->vm->lock, f);
	if (init) {
		if (v->id == 0) {
			pr_info("vm %s: INIT to vCPU 0: resetting the VM\n", v->vm->name);
			vm_request_reset(v->vm);
			return;
		}
		v->wait_sipi = true;
		v->halted = true;
	}
	if (sipi >= 0 && v->wait_sipi)
		vcpu_start_at_sipi(v, (u8)sipi);
}

/* ---- the run loop ---- */

/* Something ends HLT: an interrupt the vLAPIC would deliver, an NMI, an INIT. */
bool vcpu_wakeup_pending(struct vcpu *v)
{
	return vcpu_irq_pending(v) >= 0 || READ_ONCE(v->lapic->nmi_pending) ||
	       READ_ONCE(v->lapic->init_pending);
}

bool vcpu_runnable(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (READ_ONCE(vm->state) != VM_STATE_RUNNING)
		return false;
	if (READ_ONCE(vm->reset_requested))
		return vm_reset_waits_for_runner(vm);
	if (READ_ONCE(v->lapic->init_pending))
		return true;
	/*
	 * Due device timers, typed input the UART can take and frames for a
	 * NIC make vCPU 0 runnable (their sources kick it): any vCPU in its
	 * run loop handles them,
	 * but only one is woken for them, and never one that waits for SIPI.
	 */
	if (v->id == 0 && (vm_timers_due(vm) || vm_console_pending(vm) || vm_net_pending(vm)))
		return true;
	if (READ_ONCE(v->wait_sipi))
		return READ_ONCE(v->lapic->sipi_vector) >= 0;
	return !READ_ONCE(v->halted) || vcpu_wakeup_pending(v);
}

/* NMI first, then the highest interrupt the vLAPIC lets through, or a window request. */
static void deliver_events(struct vcpu *v)
{
	struct vlapic *l = v->lapic;
	irqflags_t f;
	int vec;

	if (READ_ONCE(l->nmi_pending) && arch_vcpu_inject_nmi(v)) {
		f = spin_lock_irqsave(&v->vm->lock);
		vlapic_take_nmi(l);
		spin_unlock_irqrestore(&v->vm->lock, f);
	}
	if (!READ_ONCE(l->irr_count))
		return; /* the common case, without the lock */
	/* Siblings set IRR bits concurrently: pick and accept atomically. */
	f = spin_lock_irqsave(&v->vm->lock);
	vec = vlapic_pending_vector(l);
	if (vec >= 0) {
		if (arch_vcpu_can_inject_irq(v)) {
			arch_vcpu_inject_irq(v, (u8)vec);
			vlapic_accept(l, (u8)vec);
		} else {
			/* Interrupts masked or an event in flight: exit when the guest can take it. */
			arch_vcpu_request_irq_window(v);
		}
	}
	spin_unlock_irqrestore(&v->vm->lock, f);
}

static enum vcpu_yield run_loop(struct vcpu *v)
{
	struct vm *vm = v->vm;

	for (;;) {
		u32 kicks = READ_ONCE(v->kicks);

		if (READ_ONCE(vm->state) != VM_STATE_RUNNING)
			return VCPU_YIELD_STOPPED;
		if (READ_ONCE(vm->reset_requested))
			return VCPU_YIELD_HALT; /* parked: vcpu_run's end joins the rendezvous */
		if (vm_timers_due(vm))
			vm_timers_run(vm);
		vm_console_feed(vm);
		vm_net_feed(vm);
		vcpu_take_init_sipi(v);
		if (v->wait_sipi)
			return VCPU_YIELD_HALT;
		if (v->halted) {
			if (!vcpu_wakeup_pending(v))
				return VCPU_YIELD_HALT;
			v->halted = false;
		}
		deliver_events(v);
		if (sched_need_resched())
			return VCPU_YIELD_PREEMPT;

		/*
		 * Interrupts stay off from here to the guest entry. A kick that
		 * came since the checks above changed v->kicks: look again. One
		 * that comes after this point (an IPI to this CPU once vCPUs run
		 * on several) is pending at the entry and ends the guest's turn
		 * at once, so nothing new waits for the next exit.
		 */
		arch_irq_disable();
		if (READ_ONCE(v->kicks) != kicks || sched_need_resched()) {
			arch_irq_enable();
			continue;
		}

		u64 t0 = arch_cycles();

		arch_vcpu_enter(v);
		v->cycles_in_guest += arch_cycles() - t0;
		arch_fpu_sync_xcr0(v);
		arch_irq_enable();      /* host interrupts that ended the guest's turn run here */
	}
}

enum vcpu_yield vcpu_run(struct vcpu *v)
{
	struct vm *vm = v->vm;
	enum vcpu_yield y;

	if (!vm_run_begin(v))
		return READ_ONCE(vm->state) == VM_STATE_RUNNING ? VCPU_YIELD_HALT
								: VCPU_YIELD_STOPPED;
	/* Backend state is written on the CPU that runs the vCPU (VMX needs its VMCS there). */
	if (v->boot_pending) {
		v->boot_pending = false;
		arch_vcpu_set_boot_state(v, vm->boot);
	}
	if (!v->loaded) {
		arch_vcpu_fpu_load(v);
		arch_vcpu_load(v);
		v->loaded = true;
	}
	y = run_loop(v);
	vm_run_end(v);
	return y;
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
