// SPDX-License-Identifier: MIT
/*
 * emulate.c: what the VMM does with guest instructions: fetch them through
 * the guest's page tables, find their length when the CPU does not say
 * (no NRIP save), emulate accesses to emulated MMIO, and string port I/O.
 */
#include <tv/arch_vmm.h>
#include <tv/errno.h>
#include <tv/gwalk.h>
#include <tv/log.h>
#include <tv/printf.h>
#include <tv/string.h>
#include <tv/x86emu.h>
#include "vmm_internal.h"

#define PAGE 4096ull
#define RETRY_LIMIT 1000
#define EFER_LMA (1ull << 10)
#define PF_VECTOR 14

/* ---- guest page walks ---- */

static int pte_read(void *ctx, u64 gpa, unsigned size, u64 *val)
{
	*val = 0;
	return vm_read(ctx, gpa, val, size) ? -EFAULT : 0;
}

static int pte_write(void *ctx, u64 gpa, unsigned size, u64 old, u64 val)
{
	(void)old; /* one vCPU per VM: nobody else updates the entry meanwhile */
	return vm_write(ctx, gpa, &val, size) ? -EFAULT : 0;
}

static const struct gwalk_ops pte_ops = { .read = pte_read, .write = pte_write };

/*
 * Linear to guest-physical for an access by the vCPU. On a guest page fault
 * (or a non-canonical address) the exception is queued for injection and
 * -EFAULT returned; an unusable walk (tables outside RAM) gives -EIO.
 */
static int translate(struct vcpu *v, u64 gla, unsigned access, u64 *gpa)
{
	struct gwalk_regs r = {
		.cr0 = vcpu_get(v, VREG_CR0),
		.cr3 = vcpu_get(v, VREG_CR3),
		.cr4 = vcpu_get(v, VREG_CR4),
		.efer = vcpu_get(v, VREG_EFER),
		.rflags = vcpu_get(v, VREG_RFLAGS),
		.cpl = (u8)arch_vcpu_cpl(v),
		.maxphyaddr = 48,
		.gbpages = true,
	};
	u32 pf = 0;
	int rc;

	if (r.cpl == 3)
		access |= GWALK_USER;
	rc = gwalk(&r, gla, access, &pte_ops, v->vm, gpa, &pf);
	if (rc == GWALK_PAGE_FAULT) {
		arch_vcpu_inject_exception(v, PF_VECTOR, true, pf, gla);
		return -EFAULT;
	}
	if (rc == GWALK_NONCANONICAL) {
		vcpu_inject_gp(v);
		return -EFAULT;
	}
	return rc ? -EIO : 0;
}

static enum x86_cpu_mode cpu_mode(struct vcpu *v, u64 *cs_base)
{
	return (enum x86_cpu_mode)arch_vcpu_code_mode(v, cs_base);
}

static void remember_code_page(struct vcpu *v, u64 gla, u64 gpa);

/* The linear address of RIP and the code mode. */
static u64 rip_linear(struct vcpu *v, enum x86_cpu_mode *mode)
{
	u64 cs_base, gla;

	*mode = cpu_mode(v, &cs_base);
	gla = cs_base + vcpu_get(v, VREG_RIP);
	return *mode == X86_MODE_64 ? gla : gla & 0xffffffffull;
}

/* Fetch and decode the instruction at RIP. 0, -EFAULT (#PF injected) or -EINVAL. */
static int fetch_decode(struct vcpu *v, struct x86_insn *insn, u8 *bytes, size_t *nbytes)
{
	enum x86_cpu_mode mode;
	u64 gla = rip_linear(v, &mode);
	size_t have = 0;
	int r;

	/* At most two pages: fetch up to the page end, then more if the decoder asks. */
	while (have < X86_MAX_INSN_LEN) {
		u64 page_left = PAGE - ((gla + have) & (PAGE - 1)), gpa;
		size_t n = MIN(page_left, X86_MAX_INSN_LEN - have);

		r = translate(v, gla + have, GWALK_FETCH, &gpa);
		if (r)
			return r;
		if (have == 0)
			remember_code_page(v, gla, gpa);
		if (vm_read(v->vm, gpa, bytes + have, n))
			return -EINVAL; /* executing from MMIO: nothing to emulate */
		have += n;
		r = x86_decode(bytes, have, mode, insn);
		if (r != -EAGAIN)
			break;
	}
	*nbytes = have;
	return r ? -EINVAL : 0;
}

/*
 * The code page of the last full decode, so the frequent exits (CPUID, MSR
 * access, HLT) can be sized from one byte instead of a page walk and a
 * decode. The hardware has just executed the instruction at RIP and named
 * it in the exit, so its first byte tells whether prefixes precede the
 * opcode; only then is the full decode needed. A guest that remaps its code
 * page without changing CR3 could make this read a stale byte: the worst
 * outcome is a wrong RIP in that guest only, never an effect on the host.
 */
static void remember_code_page(struct vcpu *v, u64 gla, u64 gpa)
{
	v->code_cache.host = vm_ram_code_page(v->vm, gpa, &v->code_cache.gen);
	v->code_cache.cr3 = vcpu_get(v, VREG_CR3);
	v->code_cache.page = gla & ~(PAGE - 1);
}

/*
 * The byte at linear address at from the cached code page, or
 * -1 if the cache does not cover it. Out of the guest, the page's frame can
 * change (shared, reclaimed) only with a TLB generation bump before it is
 * freed: a byte read between two equal generations came from the guest's page.
 */
static int code_byte(struct vcpu *v, u64 at, u64 cr3)
{
	u32 gen = __atomic_load_n(&v->vm->tlb_gen, __ATOMIC_ACQUIRE);
	int b;

	if (!v->code_cache.host || ((v->code_cache.page ^ at) & ~0xfffull) ||
	    v->code_cache.cr3 != cr3 || v->code_cache.gen != gen)
		return -1;
	b = v->code_cache.host[at & 0xfff];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&v->vm->tlb_gen, __ATOMIC_ACQUIRE) == gen ? b : -1;
}

/* Length of a prefix-free op at linear gla from the cached code page, or -1. */
static int quick_len(struct vcpu *v, int op, u64 gla)
{
	u8 first = 0x0f;
	int len;

	switch (op) {
	case X86_OP_HLT: first = 0xf4; len = 1; break;
	case X86_OP_XSETBV: len = 3; break;
	case X86_OP_CPUID: case X86_OP_RDMSR: case X86_OP_WRMSR:
	case X86_OP_INVD: case X86_OP_WBINVD: len = 2; break;
	default: return -1;
	}
	return code_byte(v, gla, vcpu_get(v, VREG_CR3)) == first ? len : -1;
}

/*
 * Length of the instruction at RIP by a full decode, if it is of kind op.
 * Out of line: its buffers would cost the quick path a stack frame.
 */
static __noinline int decoded_len(struct vcpu *v, int op)
{
	struct x86_insn insn;
	u8 bytes[X86_MAX_INSN_LEN];
	size_t n;
	int r = fetch_decode(v, &insn, bytes, &n);

	if (r == -EFAULT)
		return r; /* the page vanished: the #PF is queued */
	if (r || (int)insn.op != op) {
		/* Another vCPU rewrote the code since the exit: let it run again. */
		if (++v->insn_retries < RETRY_LIMIT)
			return -EAGAIN;
		vmm_crash(v, "instruction at RIP %#llx does not match its exit",
			  (unsigned long long)vcpu_get(v, VREG_RIP));
		return -EINVAL;
	}
	v->insn_retries = 0;
	return insn.len;
}

int vcpu_insn_end(struct vcpu *v, int op, unsigned len, u64 *next)
{
	enum x86_cpu_mode mode;
	u64 gla = rip_linear(v, &mode);
	int r;

	if (!len) {
		r = quick_len(v, op, gla);
		if (r < 0)
			r = decoded_len(v, op);
		if (r < 0)
			return r;
		len = (unsigned)r;
	}
	*next = v->regs[VREG_RIP] + len;
	if (mode != X86_MODE_64)
		*next &= 0xffffffffull; /* EIP wraps outside 64-bit code */
	return 0;
}

/* ---- MMIO ---- */

struct emu_ctx {
	struct vcpu *v;
	u64 rip;
};

static u64 emu_get_gpr(void *c, unsigned reg)
{
	return vcpu_get(((struct emu_ctx *)c)->v, (enum vreg)(VREG_RAX + reg));
}

static void emu_set_gpr(void *c, unsigned reg, u64 val)
{
	vcpu_set(((struct emu_ctx *)c)->v, (enum vreg)(VREG_RAX + reg), val);
}

static u64 emu_get_rflags(void *c)
{
	return vcpu_get(((struct emu_ctx *)c)->v, VREG_RFLAGS);
}

static void emu_set_rflags(void *c, u64 val)
{
	vcpu_set(((struct emu_ctx *)c)->v, VREG_RFLAGS, val);
}

static u64 emu_get_rip(void *c)
{
	return ((struct emu_ctx *)c)->rip;
}

static u64 emu_seg_base(void *c, enum x86_seg seg)
{
	struct vseg_state s;

	arch_vcpu_get_seg(((struct emu_ctx *)c)->v, (enum vseg)seg, &s);
	return s.base;
}

/* One access of at most 8 bytes, inside one page: RAM or a device. */
static int access_page(struct vcpu *v, u64 gla, void *buf, unsigned size, bool write)
{
	u64 gpa, val = 0;
	int r = translate(v, gla, write ? GWALK_WRITE : 0, &gpa);

	if (r == -EFAULT)
		return X86EMU_EXCEPTION;
	if (r)
		return -1;
	if (vm_gpa_is_ram(v->vm, gpa))
		return (write ? vm_write(v->vm, gpa, buf, size) : vm_read(v->vm, gpa, buf, size)) ? -1 : 0;
	if (write)
		memcpy(&val, buf, size);
	if (!vcpu_lapic_access(v, gpa, size, &val, write)) {
		irqflags_t f = spin_lock_irqsave(&v->vm->lock);

		vm_bus_access(v->vm, true, gpa, size, &val, write);
		spin_unlock_irqrestore(&v->vm->lock, f);
	}
	if (!write)
		memcpy(buf, &val, size);
	return 0;
}

static int emu_mem(void *c, u64 gla, void *buf, unsigned size, bool write)
{
	struct vcpu *v = ((struct emu_ctx *)c)->v;
	unsigned first = (unsigned)MIN((u64)size, PAGE - (gla & (PAGE - 1)));
	int r = access_page(v, gla, buf, first, write);

	/* Page-crossing: the two halves may even be RAM on one side and MMIO on the other. */
	if (!r && first < size)
		r = access_page(v, gla + first, (u8 *)buf + first, size - first, write);
	return r;
}

static const struct x86_emu_ops emu_ops = {
	.get_gpr = emu_get_gpr,
	.set_gpr = emu_set_gpr,
	.get_rflags = emu_get_rflags,
	.set_rflags = emu_set_rflags,
	.get_rip = emu_get_rip,
	.seg_base = emu_seg_base,
	.mem = emu_mem,
};

int vmm_mmio(struct vcpu *v, u64 gpa)
{
	struct x86_insn insn;
	struct emu_ctx c = { .v = v, .rip = vcpu_get(v, VREG_RIP) };
	u8 bytes[X86_MAX_INSN_LEN];
	size_t n = 0;
	int r = fetch_decode(v, &insn, bytes, &n);

	if (r == -EFAULT)
		return 0;
	if (r) {
		vmm_crash(v, "access to %#llx by an instruction that cannot be decoded "
			     "(%zu bytes at RIP: %02x %02x %02x %02x)", (unsigned long long)gpa, n,
			  n > 0 ? bytes[0] : 0, n > 1 ? bytes[1] : 0, n > 2 ? bytes[2] : 0,
			  n > 3 ? bytes[3] : 0);
		return -1;
	}
	r = x86_emulate(&insn, &emu_ops, &c);
	switch (r) {
	case X86EMU_OK:
		vcpu_advance_rip(v, insn.len);
		return 0;
	case X86EMU_RETRY:
	case X86EMU_EXCEPTION:
		return 0;
	default:
		vmm_crash(v, "access to %#llx by an instruction that is not emulated "
			     "(opcode %02x, map %u, length %u)", (unsigned long long)gpa, insn.opcode,
			  insn.map, insn.len);
		return -1;
	}
}

/*
 * Guest RAM is backed on first touch (vmm/vm_mem.c): a fault on a chunk
 * not backed yet backs it and the guest retries (an event being delivered
 * is queued again by the backend). Beyond that, a fault while the CPU
 * delivered an event is not the instruction's doing: emulating the
 * instruction at RIP would run it before the event. On backed RAM it is spurious (a stale walk: QEMU's
 * TCG makes them, docs/testing.md; on hardware, a racing table update) and
 * the event, queued again by the backend, is retried; again and again at
 * the same place means the tables lack the page, and the VM stops rather
 * than spin. Outside RAM (IDT, GDT or stack in device space) nothing here
 * builds an interrupt frame: the VM stops. Any other fault is an access by
 * the instruction at RIP, emulated.
 */
int vmm_nested_fault(struct vcpu *v, u64 gpa, bool delivering)
{
	u64 rip;
	int r = vm_ram_fault(v->vm, gpa);

	/* Both backends leave the count to us: a fault that backs RAM is not MMIO. */
	v->exits[r == 1 ? VMEXIT_RAM : VMEXIT_MMIO]++;
	/* RAM the guest touches first: back it and let the guest retry. */
	if (r == -ENOMEM) {
		vmm_crash(v, "out of host memory: guest RAM at %#llx cannot be backed",
			  (unsigned long long)gpa);
		return -1;
	}
	if (r == 1)
		return 0;
	if (!delivering)
		return vmm_mmio(v, gpa);
	if (!vm_gpa_is_ram(v->vm, gpa)) {
		vmm_crash(v, "delivering an interrupt or exception touched %#llx, which is not RAM "
			     "(IDT, GDT or stack in device space)", (unsigned long long)gpa);
		return -1;
	}
	rip = vcpu_get(v, VREG_RIP);
	if (gpa != v->npf_ram.gpa || rip != v->npf_ram.rip)
		v->npf_ram.gpa = gpa, v->npf_ram.rip = rip, v->npf_ram.repeats = 0;
	if (++v->npf_ram.repeats < RETRY_LIMIT)
		return 0;
	vmm_crash(v, "delivering an event faults again and again on RAM at %#llx",
		  (unsigned long long)gpa);
	return -1;
}

/* ---- port I/O ---- */

int vmm_io(struct vcpu *v, u16 port, unsigned size, bool in, u32 *val)
{
	irqflags_t f = spin_lock_irqsave(&v->vm->lock);
	u64 x = *val;

	vm_bus_access(v->vm, false, port, size, &x, !in);
	spin_unlock_irqrestore(&v->vm->lock, f);
	if (in)
		*val = (u32)x;
	return v->vm->state == VM_STATE_RUNNING ? 0 : -1;
}

/* INS/OUTS, one element per exit; REP continues by re-executing the instruction. */
int vmm_io_string(struct vcpu *v, u16 port, unsigned size, bool in, u64 next_rip)
{
	struct x86_insn insn;
	u8 bytes[X86_MAX_INSN_LEN];
	size_t n;
	int r = fetch_decode(v, &insn, bytes, &n);

	if (r == -EFAULT)
		return 0;
	if (r || !insn.string_op || insn.op != (in ? X86_OP_IN : X86_OP_OUT)) {
		if (++v->insn_retries < RETRY_LIMIT)
			return 0; /* rewritten under us: execute it again */
		vmm_crash(v, "string I/O exit at RIP %#llx without a string I/O instruction",
			  (unsigned long long)vcpu_get(v, VREG_RIP));
		return -1;
	}
	v->insn_retries = 0;

	unsigned asz = insn.addrsize * 8;
	u64 mask = asz >= 64 ? ~0ull : (1ull << asz) - 1;
	bool rep = insn.rep != X86_REP_NONE;
	u64 rcx = vcpu_get(v, VREG_RCX);
	enum vreg idx = in ? VREG_RDI : VREG_RSI;
	u64 ptr = vcpu_get(v, idx);
	struct emu_ctx c = { .v = v };
	struct vseg_state seg;
	u32 val = 0;

	if (rep && (rcx & mask) == 0) {
		vcpu_set(v, VREG_RIP, next_rip);
		return 0;
	}
	/* INS always writes ES:rDI; OUTS reads rSI through DS or the override. */
	arch_vcpu_get_seg(v, in ? VSEG_ES : (enum vseg)insn.seg, &seg);
	u64 cs_base, gla = (ptr & mask);

	if (cpu_mode(v, &cs_base) != X86_MODE_64 || (!in && (insn.seg == X86_SEG_FS ||
							     insn.seg == X86_SEG_GS)))
		gla += seg.base;
	if (in) {
		r = vmm_io(v, port, size, true, &val);
		if (r)
			return r;
		r = emu_mem(&c, gla, &val, size, true);
	} else {
		r = emu_mem(&c, gla, &val, size, false);
		if (!r)
			r = vmm_io(v, port, size, false, &val);
	}
	if (r == X86EMU_EXCEPTION)
		return 0;
	if (r) {
		vmm_crash(v, "string I/O on port %#x with an unusable buffer at %#llx", port,
			  (unsigned long long)gla);
		return -1;
	}
	ptr += (vcpu_get(v, VREG_RFLAGS) & X86_RFLAGS_DF) ? -(u64)size : size;
	vcpu_set(v, idx, (vcpu_get(v, idx) & ~mask) | (ptr & mask));
	if (rep) {
		rcx = (rcx & ~mask) | ((rcx - 1) & mask);
		vcpu_set(v, VREG_RCX, rcx);
		if (rcx & mask)
			return 0; /* RIP stays: the next element exits again */
	}
	vcpu_set(v, VREG_RIP, next_rip);
	return 0;
}
