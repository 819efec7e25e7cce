// SPDX-License-Identifier: MIT
/*
 * svm.c: the AMD-V backend: enabling SVM, nested page tables, VMCB set-up,
 * register access, event injection and the VMRUN loop step. Exit handling
 * is in svm_exit.c.
 */
#include <arch/mm.h>
#include <tv/errno.h>
#include <tv/guestboot.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/panic.h>
#include <tv/pmm.h>
#include <tv/printf.h>
#include <tv/string.h>
#include <tv/vmm_fast.h>
#include <tv/x86emu.h>
#include <x86/cpuid.h>
#include <x86/msr.h>
#include <x86/paging.h>
#include <x86/percpu.h>
#include <x86/vmm_ops.h>
#include "svm.h"

#define MAX_CPUS 256
#define IOPM_PAGES 3
#define MSRPM_PAGES 2
#define PAT_POWER_ON 0x0007040600070406ull
#define EFER_SVME_BIT (1ull << 12)

/* Shared by every VM: intercept all ports; all MSRs but those VMLOAD switches. */
static paddr_t iopm_pa, msrpm_pa;
static paddr_t host_save_pa[MAX_CPUS];   /* VM_HSAVE_PA: VMRUN's own host state */
static paddr_t host_vmsave_pa[MAX_CPUS]; /* what VMSAVE/VMLOAD move for the host */
static bool has_nrips;
static unsigned nasids;
static u64 asid_used[4];                 /* bitmap; ASID 0 belongs to the host */
static spinlock_t asid_lock = SPINLOCK_INIT;

/* MSRs whose guest values VMLOAD/VMSAVE switch: no reason to intercept them. */
static const u32 passthrough_msrs[] = {
	0xc0000081, /* STAR */
	0xc0000082, /* LSTAR */
	0xc0000083, /* CSTAR */
	0xc0000084, /* SFMASK */
	0xc0000100, /* FS_BASE */
	0xc0000101, /* GS_BASE */
	0xc0000102, /* KERNEL_GS_BASE */
	0x174,      /* SYSENTER_CS */
	0x175,      /* SYSENTER_ESP */
	0x176,      /* SYSENTER_EIP */
};

static void msrpm_allow(u8 *pm, u32 msr)
{
	u32 base;

	if (msr < 0x2000)
		base = 0;
	else if (msr >= 0xc0000000 && msr < 0xc0002000)
		base = 0x800, msr -= 0xc0000000;
	else if (msr >= 0xc0010000 && msr < 0xc0012000)
		base = 0x1000, msr -= 0xc0010000;
	else
		return;
	/* Two bits per MSR: read intercept, then write intercept. */
	pm[base + msr / 4] &= ~(3u << ((msr % 4) * 2));
}

static int alloc_zeroed(u64 pages, paddr_t *pa)
{
	*pa = pmm_alloc(pages, 1);
	if (!*pa)
		return -ENOMEM;
	memset(phys_to_virt(*pa), 0, pages * PAGE_SIZE);
	return 0;
}

static int svm_cpu_enable(char *why, size_t whylen)
{
	struct cpuid_regs f = cpuid(0x8000000a, 0);
	unsigned cpu = this_cpu()->cpu_id;

	if (!(f.edx & CPUID8A_EDX_NPT)) {
		snprintf(why, whylen, "AMD-V without nested paging (NPT) is not supported");
		return -ENODEV;
	}
	if (cpu >= MAX_CPUS)
		return -ENODEV;
	has_nrips = f.edx & CPUID8A_EDX_NRIPS;
	nasids = f.ebx > 256 ? 256 : f.ebx;
	if (nasids < 2) {
		snprintf(why, whylen, "AMD-V reports %u ASIDs", f.ebx);
		return -ENODEV;
	}
	if (!iopm_pa) {
		if (alloc_zeroed(IOPM_PAGES, &iopm_pa) || alloc_zeroed(MSRPM_PAGES, &msrpm_pa))
			goto nomem;
		memset(phys_to_virt(iopm_pa), 0xff, IOPM_PAGES * PAGE_SIZE);
		memset(phys_to_virt(msrpm_pa), 0xff, MSRPM_PAGES * PAGE_SIZE);
		for (size_t i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
			msrpm_allow(phys_to_virt(msrpm_pa), passthrough_msrs[i]);
	}
	if (!host_save_pa[cpu] && (alloc_zeroed(1, &host_save_pa[cpu]) ||
				   alloc_zeroed(1, &host_vmsave_pa[cpu])))
		goto nomem;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, host_save_pa[cpu]);
	return 0;
nomem:
	snprintf(why, whylen, "out of memory for SVM control pages");
	return -ENOMEM;
}

/* ---- nested paging ---- */

static struct pt_ops npt_ops(struct svm_vm *s)
{
	/* NPT entries are user pages as far as the CPU is concerned (APM 15.25.5). */
	return pt_ops_guest(&s->npt_pages, PTE_P | PTE_W | PTE_U);
}

static int svm_vm_init(struct vm *vm)
{
	struct svm_vm *s = kzalloc(sizeof(*s));
	struct pt_ops ops;
	irqflags_t f;

	if (!s)
		return -ENOMEM;
	ops = npt_ops(s);
	s->npt_root = ops.alloc_table(ops.ctx);
	if (!s->npt_root) {
		kfree(s);
		return -ENOMEM;
	}
	/* A private ASID when one is free; else share ASID 1 and flush on every entry. */
	f = spin_lock_irqsave(&asid_lock);
	for (unsigned a = 2; a < nasids && !s->asid; a++) {
		if (!(asid_used[a / 64] & (1ull << (a % 64)))) {
			asid_used[a / 64] |= 1ull << (a % 64);
			s->asid = a;
		}
	}
	spin_unlock_irqrestore(&asid_lock, f);
	if (!s->asid)
		s->asid = 1;
	vm->arch.vendor = s;
	return 0;
}

static void svm_vm_destroy(struct vm *vm)
{
	struct svm_vm *s = to_svm_vm(vm);
	struct pt_ops ops;
	irqflags_t f;

	if (!s)
		return;
	ops = npt_ops(s);
	pt_free_tree(&ops, s->npt_root, 4);
	if (s->asid > 1) {
		f = spin_lock_irqsave(&asid_lock);
		asid_used[s->asid / 64] &= ~(1ull << (s->asid % 64));
		spin_unlock_irqrestore(&asid_lock, f);
	}
	kfree(s);
	vm->arch.vendor = NULL;
}

static int svm_vm_map_ram(struct vm *vm, u64 gpa, paddr_t hpa, u64 size)
{
	struct svm_vm *s = to_svm_vm(vm);
	struct pt_ops ops = npt_ops(s);

	return pt_map(&ops, s->npt_root, gpa, hpa, size, PTE_P | PTE_W | PTE_U);
}

static int svm_vm_map_page(struct vm *vm, u64 gpa, paddr_t hpa, enum vm_prot prot)
{
	struct svm_vm *s = to_svm_vm(vm);
	struct pt_ops ops = npt_ops(s);
	u64 *e = pt_entry_4k(&ops, s->npt_root, gpa);

	if (!e)
		return -ENOMEM;
	*e = prot == VM_PROT_NONE ? 0 : hpa | PTE_P | PTE_U | (prot == VM_PROT_RW ? PTE_W : 0);
	return 0;
}

static u64 svm_vm_overhead(struct vm *vm)
{
	struct svm_vm *s = to_svm_vm(vm);

	return s->npt_pages * PAGE_SIZE + sizeof(*s) +
	       vm->nvcpus * (PAGE_SIZE + sizeof(struct svm_vcpu));
}

/* ---- vCPUs ---- */

static int svm_vcpu_init(struct vcpu *v)
{
	struct svm_vcpu *s = kzalloc(sizeof(*s));
	struct svm_vm *sv = to_svm_vm(v->vm);
	struct vmcb_control *c;

	if (!s)
		return -ENOMEM;
	if (alloc_zeroed(1, &s->vmcb_pa)) {
		kfree(s);
		return -ENOMEM;
	}
	s->vmcb = phys_to_virt(s->vmcb_pa);
	c = &s->vmcb->ctl;
	c->intercept_exceptions = (1u << 1) | (1u << 17) | (1u << 18); /* #DB #AC #MC */
	c->intercept_misc1 = SVM_INTERCEPT1_INTR | SVM_INTERCEPT1_NMI | SVM_INTERCEPT1_SMI |
			     SVM_INTERCEPT1_INIT | SVM_INTERCEPT1_RDPMC | SVM_INTERCEPT1_CPUID |
			     SVM_INTERCEPT1_RSM | SVM_INTERCEPT1_INVD | SVM_INTERCEPT1_HLT |
			     SVM_INTERCEPT1_INVLPGA | SVM_INTERCEPT1_IOIO | SVM_INTERCEPT1_MSR |
			     SVM_INTERCEPT1_TASK_SWITCH | SVM_INTERCEPT1_FERR_FREEZE |
			     SVM_INTERCEPT1_SHUTDOWN;
	c->intercept_misc2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL |
			     SVM_INTERCEPT2_VMLOAD | SVM_INTERCEPT2_VMSAVE | SVM_INTERCEPT2_STGI |
			     SVM_INTERCEPT2_CLGI | SVM_INTERCEPT2_SKINIT | SVM_INTERCEPT2_ICEBP |
			     SVM_INTERCEPT2_WBINVD | SVM_INTERCEPT2_MONITOR | SVM_INTERCEPT2_MWAIT |
			     SVM_INTERCEPT2_MWAIT_COND | SVM_INTERCEPT2_XSETBV |
			     SVM_INTERCEPT2_RDPRU;
	c->iopm_base_pa = iopm_pa;
	c->msrpm_base_pa = msrpm_pa;
	c->asid = sv->asid;
	/* Virtual interrupt masking: the guest's IF never blocks host interrupts. */
	c->int_ctl = SVM_INT_V_INTR_MASKING;
	c->np_enable = SVM_NP_ENABLE;
	c->n_cr3 = sv->npt_root;
	s->vmcb->save.g_pat = PAT_POWER_ON;
	s->flush_tlb = true;
	s->last_cpu = -1;
	v->arch.vendor = s;
	return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);

	if (!s)
		return;
	pmm_free(s->vmcb_pa, 1);
	kfree(s);
	v->arch.vendor = NULL;
}

static void seg_to_vmcb(struct vmcb_seg *d, const struct guest_seg *g)
{
	d->selector = g->selector;
	d->attrib = g->attrib;
	d->limit = g->limit;
	d->base = g->base;
}

static void svm_vcpu_set_boot_state(struct vcpu *v, const struct guest_boot_state *b)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb_save *st = &s->vmcb->save;

	memset(v->regs, 0, sizeof(v->regs));
	v->regs[VREG_RSI] = b->rsi;
	v->regs[VREG_RSP] = b->rsp;
	v->regs[VREG_RIP] = b->rip;
	st->rflags = b->rflags | 2;
	st->cr0 = b->cr0;
	st->cr3 = b->cr3;
	st->cr4 = b->cr4;
	s->guest_efer = b->efer;
	st->efer = b->efer | EFER_SVME_BIT;
	st->cr2 = 0;
	st->dr6 = 0xffff0ff0;
	st->dr7 = 0x400;
	st->g_pat = PAT_POWER_ON;
	st->gdtr.base = b->gdt_base;
	st->gdtr.limit = b->gdt_limit;
	st->idtr.base = b->idt_base;
	st->idtr.limit = b->idt_limit;
	seg_to_vmcb(&st->cs, &b->cs);
	seg_to_vmcb(&st->ds, &b->ds);
	seg_to_vmcb(&st->es, &b->es);
	seg_to_vmcb(&st->ss, &b->ss);
	seg_to_vmcb(&st->fs, &b->fs);
	seg_to_vmcb(&st->gs, &b->gs);
	seg_to_vmcb(&st->tr, &b->tr);
	seg_to_vmcb(&st->ldtr, &b->ldtr);
	st->cpl = 0;
	st->star = st->lstar = st->cstar = st->sfmask = st->kernel_gs_base = 0;
	st->sysenter_cs = st->sysenter_esp = st->sysenter_eip = 0;
	s->vmcb->ctl.event_inj = 0;
	s->vmcb->ctl.int_state = 0;
	s->vmcb->ctl.int_ctl = SVM_INT_V_INTR_MASKING;
	s->vmcb->ctl.intercept_misc1 &= ~(SVM_INTERCEPT1_VINTR | SVM_INTERCEPT1_IRET);
	s->event_pending = false;
	s->nmi_masked = s->nmi_iret = false;
	s->flush_tlb = true;
}

/* Registers outside struct vcpu.regs (generic code reads those itself). */
static u64 *save_slot(struct svm_vcpu *s, enum vreg r)
{
	switch (r) {
	case VREG_RFLAGS: return &s->vmcb->save.rflags;
	case VREG_CR0: return &s->vmcb->save.cr0;
	case VREG_CR2: return &s->vmcb->save.cr2;
	case VREG_CR3: return &s->vmcb->save.cr3;
	case VREG_CR4: return &s->vmcb->save.cr4;
	case VREG_PAT: return &s->vmcb->save.g_pat; /* with nested paging, the guest's PAT */
	default: return NULL;
	}
}

static u64 svm_vcpu_get(struct vcpu *v, enum vreg r)
{
	struct svm_vcpu *s = to_svm(v);
	u64 *p;

	if (r < VREG_FILE_NR)
		return v->regs[r];
	if (r == VREG_EFER)
		return s->vmcb->save.efer & ~EFER_SVME_BIT; /* LMA as the CPU set it */
	p = save_slot(s, r);
	return p ? *p : 0;
}

static void svm_vcpu_set(struct vcpu *v, enum vreg r, u64 val)
{
	struct svm_vcpu *s = to_svm(v);
	u64 *p;

	if (r < VREG_FILE_NR) {
		v->regs[r] = val;
		return;
	}
	if (r == VREG_EFER) {
		/* The guest never sees SVME, but VMRUN requires it in the VMCB. */
		s->guest_efer = val & ~EFER_SVME_BIT;
		s->vmcb->save.efer = s->guest_efer | EFER_SVME_BIT;
		return;
	}
	p = save_slot(s, r);
	if (p)
		*p = val;
	if (r == VREG_CR3 || r == VREG_CR4 || r == VREG_CR0)
		s->flush_tlb = true;
}

static void svm_vcpu_get_seg(struct vcpu *v, enum vseg sg, struct vseg_state *out)
{
	struct vmcb_save *st = &to_svm(v)->vmcb->save;
	const struct vmcb_seg *src;

	switch (sg) {
	case VSEG_ES: src = &st->es; break;
	case VSEG_CS: src = &st->cs; break;
	case VSEG_SS: src = &st->ss; break;
	case VSEG_DS: src = &st->ds; break;
	case VSEG_FS: src = &st->fs; break;
	default: src = &st->gs; break;
	}
	out->selector = src->selector;
	out->attrib = src->attrib;
	out->limit = src->limit;
	out->base = src->base;
}

static int svm_vcpu_code_mode(struct vcpu *v, u64 *cs_base)
{
	const struct vmcb_save *st = &to_svm(v)->vmcb->save;
	enum x86_cpu_mode m = x86_code_mode(st->cr0, st->efer, st->cs.attrib);

	*cs_base = m == X86_MODE_64 ? 0 : st->cs.base;
	return m;
}

static unsigned svm_vcpu_cpl(struct vcpu *v)
{
	return to_svm(v)->vmcb->save.cpl & 3;
}

void svm_queue_exception(struct vcpu *v, u8 vector, bool has_err, u32 err)
{
	struct svm_vcpu *s = to_svm(v);
	u64 ev = vector | SVM_EVT_TYPE_EXCEPTION | SVM_EVT_VALID;

	if (has_err)
		ev |= SVM_EVT_ERR_VALID | ((u64)err << 32);
	/*
	 * This replaces a pending event. deliver_events never injects an
	 * interrupt over an exception, but an interrupt re-queued from an exit
	 * during its delivery is lost here with its ISR bit set (only #DB or
	 * #AC intercepted during a delivery get here: that guest's damage).
	 */
	s->vmcb->ctl.event_inj = ev;
	s->event_pending = true;
}

static void svm_vcpu_inject_exception(struct vcpu *v, u8 vec, bool has_err, u32 err, u64 cr2)
{
	if (vec == 14)
		to_svm(v)->vmcb->save.cr2 = cr2;
	svm_queue_exception(v, vec, has_err, err);
}

/*
 * The STI/MOV SS shadow, as the next entry will see it: it ended if the
 * VMM completed an instruction for the guest (HLT after STI, say), which
 * svm_vcpu_enter then clears. Read stale, an NMI for `sti; hlt` would wait
 * behind a shadow that is already gone, at every HLT again.
 */
static bool svm_in_shadow(struct vcpu *v)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	return (vmcb->ctl.int_state & SVM_INT_STATE_SHADOW) && vmcb->save.rip == v->regs[VREG_RIP];
}

static bool svm_vcpu_can_inject_irq(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);

	return !s->event_pending && (s->vmcb->save.rflags & (1u << 9)) && !svm_in_shadow(v);
}

static void svm_vcpu_inject_irq(struct vcpu *v, u8 vector)
{
	struct svm_vcpu *s = to_svm(v);

	s->vmcb->ctl.event_inj = vector | SVM_EVT_TYPE_INTR | SVM_EVT_VALID;
	s->event_pending = true;
}

static bool svm_vcpu_inject_nmi(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);

	if (s->event_pending || s->nmi_masked || svm_in_shadow(v))
		return false;
	s->vmcb->ctl.event_inj = 2 | SVM_EVT_TYPE_NMI | SVM_EVT_VALID;
	s->event_pending = true;
	s->nmi_masked = true;
	s->vmcb->ctl.intercept_misc1 |= SVM_INTERCEPT1_IRET;
	return true;
}

static void svm_vcpu_request_irq_window(struct vcpu *v)
{
	struct vmcb_control *c = &to_svm(v)->vmcb->ctl;

	/* A virtual interrupt the guest accepts exits at once: the window is open. */
	c->int_ctl |= SVM_INT_V_IRQ | SVM_INT_V_IGN_TPR | (0xfull << SVM_INT_V_INTR_PRIO_SHIFT);
	c->intercept_misc1 |= SVM_INTERCEPT1_VINTR;
}

bool svm_next_rip(struct vcpu *v, u64 *next_rip)
{
	if (!has_nrips)
		return false;
	*next_rip = to_svm(v)->vmcb->ctl.next_rip;
	return true;
}

/* VMLOAD/VMSAVE switch everything at each run: nothing stays in the CPU. */
static void svm_vcpu_load_put(struct vcpu *v)
{
	(void)v;
}

/*
 * The fast path (tv/vmm_fast.h): a CPUID in 64-bit code, with no event in
 * flight and no NMI handler's IRET to account for, is answered here and the
 * guest re-entered at once. Everything else goes to svm_handle_exit.
 */
static inline bool cpuid_fast(struct vcpu *v, struct svm_vcpu *s, struct vmcb *vmcb)
{
	struct vmcb_save *st = &vmcb->save;

	if (vmcb->ctl.exit_code != SVM_EXIT_CPUID || (vmcb->ctl.exit_int_info & SVM_EVT_VALID) ||
	    s->nmi_iret || x86_code_mode(st->cr0, st->efer, st->cs.attrib) != X86_MODE_64 ||
	    !vmm_cpuid_fast(v, &st->rax, &st->rip,
			    has_nrips ? (unsigned)(vmcb->ctl.next_rip - st->rip) : 0, st->cr3,
			    st->cr4))
		return false;
	/* As svm_handle_exit: the event injected at this entry was delivered. */
	s->event_pending = false;
	vmcb->ctl.event_inj = 0;
	vmcb->ctl.int_state &= ~SVM_INT_STATE_SHADOW; /* the CPUID ended an STI shadow */
	return true;
}

static int svm_vcpu_enter(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vmcb = s->vmcb;
	unsigned cpu = this_cpu()->cpu_id;
	irqflags_t f;
	u8 again;

	vmcb->ctl.tsc_offset = v->vm->tsc_offset;
	/*
	 * ASID-tagged translations are per CPU: arriving on a CPU that may hold
	 * stale ones (this ASID's earlier owner ran there, or this vCPU before
	 * the nested tables changed) flushes them.
	 */
	if (vcpu_guest_entering(v) || s->last_cpu != (int)cpu) {
		s->last_cpu = (int)cpu;
		s->flush_tlb = true;
	}
	again = to_svm_vm(v->vm)->asid == 1 ? SVM_TLB_CONTROL_FLUSH_ALL : SVM_TLB_CONTROL_NONE;
	vmcb->ctl.tlb_control = s->flush_tlb ? SVM_TLB_CONTROL_FLUSH_ALL : again;
	s->flush_tlb = false;
	vmcb->ctl.exit_int_info = 0;
	vmcb->save.rax = v->regs[VREG_RAX];
	vmcb->save.rsp = v->regs[VREG_RSP];
	if (vmcb->save.rip != v->regs[VREG_RIP]) {
		/* We completed an instruction for the guest: an STI or MOV SS shadow ended with it. */
		vmcb->ctl.int_state &= ~SVM_INT_STATE_SHADOW;
		vmcb->save.rip = v->regs[VREG_RIP];
	}

	/*
	 * GIF clear holds off every host interrupt and NMI across the switch;
	 * IF set lets a physical interrupt end the guest's turn (INTR intercept).
	 * Interrupts that arrived meanwhile are taken when IF is restored.
	 */
	f = arch_irq_save();
	for (;;) {
		__asm__ __volatile__("clgi; sti" ::: "memory");
		svm_vmrun(s->vmcb_pa, v->regs, host_vmsave_pa[cpu]);
		__asm__ __volatile__("cli; stgi" ::: "memory");
		if (!cpuid_fast(v, s, vmcb))
			break;
		vmcb->ctl.tlb_control = again; /* the first entry flushed what needed it */
	}
	vcpu_guest_left(v);
	arch_irq_restore(f);
	v->regs[VREG_RAX] = vmcb->save.rax;
	v->regs[VREG_RSP] = vmcb->save.rsp;
	v->regs[VREG_RIP] = vmcb->save.rip;
	return svm_handle_exit(v);
}

/* What the VMCB holds; vmm_crash has logged the GPRs. */
static void svm_vcpu_dump(struct vcpu *v)
{
	struct vmcb_save *st = &to_svm(v)->vmcb->save;
	struct vmcb_control *c = &to_svm(v)->vmcb->ctl;

	pr_err("  RFLAGS %016llx CPL %u\n", (unsigned long long)st->rflags, st->cpl);
	pr_err("  CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx EFER %llx\n",
	       (unsigned long long)st->cr0, (unsigned long long)st->cr2,
	       (unsigned long long)st->cr3, (unsigned long long)st->cr4,
	       (unsigned long long)(st->efer & ~EFER_SVME_BIT));
	pr_err("  CS %04x/%03x base %llx  SS %04x/%03x  IDT %llx/%x\n", st->cs.selector,
	       st->cs.attrib, (unsigned long long)st->cs.base, st->ss.selector, st->ss.attrib,
	       (unsigned long long)st->idtr.base, st->idtr.limit);
	pr_err("  last exit %#llx info1 %#llx info2 %#llx intinfo %#llx\n",
	       (unsigned long long)c->exit_code, (unsigned long long)c->exit_info1,
	       (unsigned long long)c->exit_info2, (unsigned long long)c->exit_int_info);
}

const struct vmm_ops svm_ops = {
	.name = "AMD-V",
	.cpu_enable = svm_cpu_enable,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.vm_map_ram = svm_vm_map_ram,
	.vm_map_page = svm_vm_map_page,
	.vm_overhead = svm_vm_overhead,
	.vcpu_init = svm_vcpu_init,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_set_boot_state = svm_vcpu_set_boot_state,
	.vcpu_enter = svm_vcpu_enter,
	.vcpu_get = svm_vcpu_get,
	.vcpu_set = svm_vcpu_set,
	.vcpu_get_seg = svm_vcpu_get_seg,
	.vcpu_cpl = svm_vcpu_cpl,
	.vcpu_code_mode = svm_vcpu_code_mode,
	.vcpu_inject_exception = svm_vcpu_inject_exception,
	.vcpu_can_inject_irq = svm_vcpu_can_inject_irq,
	.vcpu_inject_irq = svm_vcpu_inject_irq,
	.vcpu_inject_nmi = svm_vcpu_inject_nmi,
	.vcpu_request_irq_window = svm_vcpu_request_irq_window,
	.vcpu_load = svm_vcpu_load_put,
	.vcpu_put = svm_vcpu_load_put,
	.vcpu_dump = svm_vcpu_dump,
};
