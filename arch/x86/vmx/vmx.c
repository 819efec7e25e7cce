// SPDX-License-Identifier: MIT
/*
 * vmx.c: the Intel VT-x backend: VMXON, the controls every VMCS uses
 * (computed from the capability MSRs), EPT, VPIDs, vCPU state in the VMCS,
 * event injection and the world switch. Exits are decoded in vmx_exit.c.
 *
 * Guest state VMX does not switch by itself: CR2 (moved around each
 * entry), STAR/LSTAR/CSTAR/SFMASK/KernelGSBase (left in the CPU while the
 * vCPU owns it: the host never uses them), the FPU (arch/x86/fpu.c).
 */
#include <arch/mm.h>
#include <tv/arch.h>
#include <tv/errno.h>
#include <tv/guestboot.h>
#include <tv/heap.h>
#include <tv/ktimer.h>
#include <tv/log.h>
#include <tv/panic.h>
#include <tv/pmm.h>
#include <tv/printf.h>
#include <tv/spinlock.h>
#include <tv/string.h>
#include <tv/x86emu.h>
#include <x86/cpuid.h>
#include <x86/cr.h>
#include <x86/desc.h>
#include <x86/msr.h>
#include <x86/paging.h>
#include <x86/percpu.h>
#include <x86/vmm_ops.h>
#include "vmx.h"
#include "vmx_check.h"

#define MAX_CPUS 256
#define PAT_POWER_ON 0x0007040600070406ull
#define RFLAGS_IF (1ull << 9)

#define MSR_VMX_PINBASED 0x481
#define MSR_VMX_PROCBASED 0x482
#define MSR_VMX_EXIT 0x483
#define MSR_VMX_ENTRY 0x484
#define MSR_VMX_MISC 0x485
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_TRUE_PINBASED 0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT 0x48f
#define MSR_VMX_TRUE_ENTRY 0x490
#define VMX_BASIC_TRUE_CTLS (1ull << 55)

#define EPT_R (1ull << 0)
#define EPT_W (1ull << 1)
#define EPT_X (1ull << 2)
#define EPT_MT_WB (6ull << 3)
#define EPTP_WB 6ull
#define EPTP_WALK4 (3ull << 3)
#define EPT_CAP_WALK4 (1ull << 6)
#define EPT_CAP_WB (1ull << 14)
#define EPT_CAP_INVEPT (1ull << 20)
#define EPT_CAP_INVEPT_SINGLE (1ull << 25)
#define EPT_CAP_INVEPT_ALL (1ull << 26)
#define VPID_CAP_INVVPID (1ull << 32)
#define VPID_CAP_SINGLE (1ull << 41)

#define MAX_VPIDS 1024

struct vmx_host vmx_host;
static paddr_t vmxon_pa[MAX_CPUS];
static paddr_t current_vmcs[MAX_CPUS];   /* VMPTRLD'ed on that CPU, 0 none */
static struct vcpu *lazy_owner[MAX_CPUS]; /* whose lazy MSRs the CPU holds */
static u64 vpid_used[MAX_VPIDS / 64];     /* VPID 0 is the host's */
static spinlock_t vpid_lock = SPINLOCK_INIT;
struct vmx_caps vmx_caps;   /* read at the first enable; vmx_diag.c checks against it */

static const u32 lazy_msr_nr[LAZY_NR] = {
	[LAZY_STAR] = 0xc0000081, [LAZY_LSTAR] = 0xc0000082, [LAZY_CSTAR] = 0xc0000083,
	[LAZY_SFMASK] = 0xc0000084, [LAZY_KERNEL_GS_BASE] = 0xc0000102,
};

/* MSRs the guest reads and writes without an exit: VMCS fields or lazy. */
static const u32 passthrough_msrs[] = {
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, /* STAR LSTAR CSTAR SFMASK */
	0xc0000100, 0xc0000101, 0xc0000102,             /* FS_BASE GS_BASE KERNEL_GS_BASE */
	0x174, 0x175, 0x176,                            /* SYSENTER_CS/ESP/EIP */
};

void vmcs_fail(const char *op, unsigned field)
{
	panic("%s of VMCS field %#x failed", op, field);
}

static int alloc_zeroed(u64 pages, paddr_t *pa)
{
	*pa = pmm_alloc(pages, 1);
	if (!*pa)
		return -ENOMEM;
	memset(phys_to_virt(*pa), 0, pages * PAGE_SIZE);
	return 0;
}

/* ---- enabling VMX on a CPU ---- */

/*
 * A control word from what we need (want) and would like (opt): bits the
 * capability MSR forces to 1 are set, bits it forbids are dropped. A wanted
 * bit the CPU cannot set is an error.
 */
static int adjust_ctls(u64 cap, u32 want, u32 opt, u32 *out, const char *what, char *why,
		       size_t whylen)
{
	u32 must1 = (u32)cap, may1 = (u32)(cap >> 32);

	if (want & ~may1) {
		snprintf(why, whylen, "VT-x: %s control bits %#x are not supported", what,
			 want & ~may1);
		return -ENODEV;
	}
	*out = ((want | opt) & may1) | must1;
	return 0;
}

static int read_caps(char *why, size_t whylen)
{
	bool tru = vmx_caps.basic & VMX_BASIC_TRUE_CTLS;
	struct vmx_host *h = &vmx_host;
	int r;

	vmx_caps.pin = rdmsr(tru ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED);
	vmx_caps.proc = rdmsr(tru ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED);
	vmx_caps.exit = rdmsr(tru ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT);
	vmx_caps.entry = rdmsr(tru ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY);
	vmx_caps.proc2 = (vmx_caps.proc >> 32) & CPU_ACTIVATE_SECONDARY
				 ? rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) : 0;
	vmx_caps.misc = rdmsr(MSR_VMX_MISC);
	vmx_caps.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	vmx_caps.ept_vpid_cap = (vmx_caps.proc2 >> 32) & (SEC_ENABLE_EPT | SEC_ENABLE_VPID)
				    ? rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) : 0;
	vmx_caps.phys_addr_bits = cpuid_max_ext_leaf() >= 0x80000008
					  ? cpuid(0x80000008, 0).eax & 0xff : 36;

	/*
	 * Interrupts and NMIs of the host always end the guest's turn. The
	 * preemption timer is a backstop: it ends a turn when the host's next
	 * timer is due even if interrupt exits fail. Bochs 2.7 needs it: a
	 * guest entered with IF clear never exits for host interrupts there,
	 * as VM entry re-evaluates interrupt masking before the CPU counts as
	 * in the guest.
	 */
	r = adjust_ctls(vmx_caps.pin, PIN_EXT_INTR_EXITING | PIN_NMI_EXITING,
			PIN_PREEMPTION_TIMER | PIN_VIRTUAL_NMIS, &h->pin, "pin-based", why, whylen);
	/*
	 * HLT idles the vCPU in the scheduler; CR8 would reach the real TPR;
	 * RDPMC and MONITOR/MWAIT are not offered; I/O and MSRs go through
	 * bitmaps so only what is emulated exits.
	 */
	r = r ?: adjust_ctls(vmx_caps.proc,
			     CPU_HLT_EXITING | CPU_USE_TSC_OFFSETTING | CPU_CR8_LOAD_EXITING |
				     CPU_CR8_STORE_EXITING | CPU_RDPMC_EXITING | CPU_MWAIT_EXITING |
				     CPU_MONITOR_EXITING | CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS |
				     CPU_ACTIVATE_SECONDARY,
			     0, &h->proc, "processor-based", why, whylen);
	/* EPT is required; the guest may use RDTSCP, INVPCID and XSAVES when CPUID offers them. */
	r = r ?: adjust_ctls(vmx_caps.proc2, SEC_ENABLE_EPT | SEC_WBINVD_EXITING,
			     SEC_ENABLE_VPID | SEC_UNRESTRICTED_GUEST | SEC_ENABLE_RDTSCP |
				     SEC_ENABLE_INVPCID | SEC_ENABLE_XSAVES,
			     &h->proc2, "secondary", why, whylen);
	r = r ?: adjust_ctls(vmx_caps.exit,
			     EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT |
				     EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER,
			     EXIT_SAVE_DEBUG_CONTROLS, &h->exit, "VM-exit", why, whylen);
	r = r ?: adjust_ctls(vmx_caps.entry, ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER,
			     ENTRY_LOAD_DEBUG_CONTROLS, &h->entry, "VM-entry", why, whylen);
	if (r)
		return r;
	if ((vmx_caps.ept_vpid_cap & (EPT_CAP_WALK4 | EPT_CAP_WB | EPT_CAP_INVEPT)) !=
	    (EPT_CAP_WALK4 | EPT_CAP_WB | EPT_CAP_INVEPT)) {
		snprintf(why, whylen, "VT-x: EPT lacks 4-level walks, write-back or INVEPT (%#llx)",
			 (unsigned long long)vmx_caps.ept_vpid_cap);
		return -ENODEV;
	}
	h->invept_single = vmx_caps.ept_vpid_cap & EPT_CAP_INVEPT_SINGLE;
	h->unrestricted = h->proc2 & SEC_UNRESTRICTED_GUEST;
	h->vpid = (h->proc2 & SEC_ENABLE_VPID) &&
		  (vmx_caps.ept_vpid_cap & (VPID_CAP_INVVPID | VPID_CAP_SINGLE)) ==
			  (VPID_CAP_INVVPID | VPID_CAP_SINGLE);
	if (!h->vpid)
		h->proc2 &= ~SEC_ENABLE_VPID;
	h->cr0_fixed0 = vmx_caps.cr0_fixed0;
	h->cr0_fixed1 = vmx_caps.cr0_fixed1;
	h->cr4_fixed0 = vmx_caps.cr4_fixed0;
	h->cr4_fixed1 = vmx_caps.cr4_fixed1;
	/*
	 * CR bits VMX pins (fixed to 1 or 0) belong to the host: the guest sees
	 * and writes its own value through the read shadow and an exit. With
	 * unrestricted guest, PE and PG are the guest's own.
	 */
	h->cr0_mask = vmx_caps.cr0_fixed0 | ~vmx_caps.cr0_fixed1;
	if (h->unrestricted)
		h->cr0_mask &= ~(CR0_PE | CR0_PG);
	h->cr4_mask = vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1;
	h->revision = vmx_caps.basic & 0x7fffffff;
	h->preempt_shift = vmx_caps.misc & 0x1f; /* the timer counts TSC >> IA32_VMX_MISC[4:0] */
	return 0;
}

static void msr_bitmap_allow(u8 *bm, u32 msr)
{
	/* Read bitmaps at 0 (low MSRs) and 0x400 (high), write bitmaps 0x800 above them. */
	unsigned base = msr >= 0xc0000000 ? 0x400 : 0;
	u32 n = msr & 0x1fff;

	bm[base + n / 8] &= (u8) ~(1u << (n % 8));
	bm[base + 0x800 + n / 8] &= (u8) ~(1u << (n % 8));
}

static int alloc_bitmaps(void)
{
	struct vmx_host *h = &vmx_host;

	if (h->msr_bitmap)
		return 0;
	if (alloc_zeroed(1, &h->msr_bitmap) || alloc_zeroed(1, &h->io_bitmap_a) ||
	    alloc_zeroed(1, &h->io_bitmap_b))
		return -ENOMEM;
	/* Every port exits (all are emulated or read as nothing); MSRs exit unless listed. */
	memset(phys_to_virt(h->io_bitmap_a), 0xff, PAGE_SIZE);
	memset(phys_to_virt(h->io_bitmap_b), 0xff, PAGE_SIZE);
	memset(phys_to_virt(h->msr_bitmap), 0xff, PAGE_SIZE);
	for (size_t i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		msr_bitmap_allow(phys_to_virt(h->msr_bitmap), passthrough_msrs[i]);
	return 0;
}

static int vmx_cpu_enable(char *why, size_t whylen)
{
	unsigned cpu = this_cpu()->cpu_id;
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	bool ok;
	int r;

	if (cpu >= MAX_CPUS)
		return -ENODEV;
	/* Unlocked (OVMF leaves it 0): enable VMX outside SMX and lock it ourselves. */
	if (!(fc & FEATURE_CONTROL_LOCKED))
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCKED);
	else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		snprintf(why, whylen, "VT-x disabled by firmware (IA32_FEATURE_CONTROL locked)");
		return -ENODEV;
	}
	if (!vmx_caps.basic) {
		vmx_caps.basic = rdmsr(MSR_IA32_VMX_BASIC);
		r = read_caps(why, whylen);
		if (r) {
			vmx_caps.basic = 0;
			return r;
		}
		if (alloc_bitmaps()) {
			snprintf(why, whylen, "VT-x: out of memory for bitmaps");
			return -ENOMEM;
		}
		vmx_host.pat = rdmsr(MSR_IA32_PAT);
		vmx_host.efer = rdmsr(MSR_EFER);
	}
	if (!vmxon_pa[cpu]) {
		if (alloc_zeroed(1, &vmxon_pa[cpu])) {
			snprintf(why, whylen, "VT-x: out of memory for the VMXON region");
			return -ENOMEM;
		}
		*(u32 *)phys_to_virt(vmxon_pa[cpu]) = vmx_host.revision;
	}
	/* CR0 and CR4 as VMX operation requires (GRUB hands over CR0 without NE). */
	write_cr0((read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	write_cr4((read_cr4() | vmx_caps.cr4_fixed0 | CR4_VMXE) & vmx_caps.cr4_fixed1);
	__asm__ __volatile__("vmxon %1" : "=@cca"(ok) : "m"(vmxon_pa[cpu]) : "cc", "memory");
	if (!ok) {
		snprintf(why, whylen, "VT-x: VMXON failed");
		return -EIO;
	}
	/* No stale translations of earlier VMX users. */
	__asm__ __volatile__("" ::: "memory");
	return 0;
}

/* ---- VMCS handling ---- */

static void write_host_state(void);
static void vmcs_clear(struct vmx_vcpu *s);

static void vmcs_load(struct vmx_vcpu *s)
{
	unsigned cpu = this_cpu()->cpu_id;
	bool ok;

	if (current_vmcs[cpu] == s->vmcs_pa)
		return;
	/*
	 * A VMCS may be active on one CPU only (SDM 24.1): whoever lets a vCPU
	 * go VMCLEARs it there (vcpu_put, vcpu_release). Loading it elsewhere
	 * first would corrupt it silently, so it is a bug worth stopping for.
	 */
	if (s->cpu >= 0 && s->cpu != (int)cpu && current_vmcs[s->cpu] == s->vmcs_pa)
		panic("vmx: a VMCS active on CPU %d was loaded on CPU %u", s->cpu, cpu);
	__asm__ __volatile__("vmptrld %1" : "=@cca"(ok) : "m"(s->vmcs_pa) : "cc", "memory");
	if (!ok)
		panic("vmptrld %#llx failed", (unsigned long long)s->vmcs_pa);
	current_vmcs[cpu] = s->vmcs_pa;
	s->cpu = (int)cpu;
	/* Host GS, TR and GDTR bases are this CPU's own. */
	if (s->host_cpu != (int)cpu) {
		write_host_state();
		s->host_cpu = (int)cpu;
	}
}

/* Done with a vCPU that does not run here: let any CPU load it next. */
static void vmcs_release(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);

	if (lazy_owner[this_cpu()->cpu_id] != v)
		vmcs_clear(s);
}

static void vmcs_clear(struct vmx_vcpu *s)
{
	bool ok;

	__asm__ __volatile__("vmclear %1" : "=@cca"(ok) : "m"(s->vmcs_pa) : "cc", "memory");
	if (!ok)
		panic("vmclear %#llx failed", (unsigned long long)s->vmcs_pa);
	if (s->cpu >= 0 && current_vmcs[s->cpu] == s->vmcs_pa)
		current_vmcs[s->cpu] = 0;
	s->launched = false;
}

struct invept_desc {
	u64 eptp, reserved;
};

static void invept(u64 eptp)
{
	struct invept_desc d = { eptp, 0 };
	u64 type = vmx_host.invept_single ? 1 : 2;

	__asm__ __volatile__("invept %0, %1" : : "m"(d), "r"(type) : "cc", "memory");
}

struct invvpid_desc {
	u64 vpid, linear;
};

static void invvpid(u16 vpid)
{
	struct invvpid_desc d = { vpid, 0 };
	u64 type = 1; /* single context */

	__asm__ __volatile__("invvpid %0, %1" : : "m"(d), "r"(type) : "cc", "memory");
}

/* Host state that differs per CPU or is fixed for the kernel's lifetime. */
static void write_host_state(void)
{
	struct percpu *pc = this_cpu();
	struct desc_ptr gdtr, idtr;

	__asm__ __volatile__("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	vmcs_writel(HOST_CR0, read_cr0());
	vmcs_writel(HOST_CR3, read_cr3());
	vmcs_writel(HOST_CR4, read_cr4());
	vmcs_write16(HOST_CS_SELECTOR, SEL_KCODE);
	vmcs_write16(HOST_SS_SELECTOR, SEL_KDATA);
	vmcs_write16(HOST_DS_SELECTOR, SEL_KDATA);
	vmcs_write16(HOST_ES_SELECTOR, SEL_KDATA);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, SEL_TSS);
	vmcs_writel(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_writel(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmcs_writel(HOST_TR_BASE, (u64)&pc->tss);
	vmcs_writel(HOST_GDTR_BASE, gdtr.base);
	vmcs_writel(HOST_IDTR_BASE, idtr.base);
	vmcs_write32(HOST_IA32_SYSENTER_CS, 0);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, 0);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write64(HOST_IA32_PAT, vmx_host.pat);
	vmcs_write64(HOST_IA32_EFER, vmx_host.efer);
	vmcs_writel(HOST_RIP, (u64)vmx_exit_point);
}

static void write_controls(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);
	struct vmx_host *h = &vmx_host;

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, h->pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, h->proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, h->proc2);
	vmcs_write32(VM_EXIT_CONTROLS, h->exit);
	vmcs_write32(VM_ENTRY_CONTROLS, h->entry);
	/* #DB and #AC could loop inside the CPU forever; #MC is the host's business. */
	vmcs_write32(EXCEPTION_BITMAP, (1u << 1) | (1u << 17) | (1u << 18));
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO, 0);
	vmcs_write64(IO_BITMAP_A, h->io_bitmap_a);
	vmcs_write64(IO_BITMAP_B, h->io_bitmap_b);
	vmcs_write64(MSR_BITMAP, h->msr_bitmap);
	vmcs_write64(EPT_POINTER, to_vmx_vm(v->vm)->eptp);
	if (s->vpid)
		vmcs_write16(VIRTUAL_PROCESSOR_ID, s->vpid);
	vmcs_writel(CR0_GUEST_HOST_MASK, h->cr0_mask);
	vmcs_writel(CR4_GUEST_HOST_MASK, h->cr4_mask);
	vmcs_write64(VMCS_LINK_POINTER, ~0ull);
}

/* ---- EPT ---- */

static struct pt_ops ept_ops(struct vmx_vm *x)
{
	/* EPT's R, W, X sit where P, W, U are: the x86 table code builds both. */
	return pt_ops_guest(&x->ept_pages, EPT_R | EPT_W | EPT_X);
}

static int vmx_vm_init(struct vm *vm)
{
	struct vmx_vm *x = kzalloc(sizeof(*x));
	struct pt_ops ops;

	if (!x)
		return -ENOMEM;
	ops = ept_ops(x);
	x->ept_root = ops.alloc_table(ops.ctx);
	if (!x->ept_root) {
		kfree(x);
		return -ENOMEM;
	}
	x->eptp = x->ept_root | EPTP_WALK4 | EPTP_WB;
	vm->arch.vendor = x;
	return 0;
}

static void vmx_vm_destroy(struct vm *vm)
{
	struct vmx_vm *x = to_vmx_vm(vm);
	struct pt_ops ops;

	if (!x)
		return;
	ops = ept_ops(x);
	/* Cached translations of this EPT must not outlive its tables. */
	invept(x->eptp);
	pt_free_tree(&ops, x->ept_root, 4);
	kfree(x);
	vm->arch.vendor = NULL;
}

static int vmx_vm_map_ram(struct vm *vm, u64 gpa, paddr_t hpa, u64 size)
{
	struct vmx_vm *x = to_vmx_vm(vm);
	struct pt_ops ops = ept_ops(x);

	/* Write-back, and the guest's PAT decides within that (no "ignore PAT"). */
	return pt_map(&ops, x->ept_root, gpa, hpa, size, EPT_R | EPT_W | EPT_X | EPT_MT_WB);
}

static int vmx_vm_map_page(struct vm *vm, u64 gpa, paddr_t hpa, enum vm_prot prot)
{
	struct vmx_vm *x = to_vmx_vm(vm);
	struct pt_ops ops = ept_ops(x);
	u64 *e = pt_entry_4k(&ops, x->ept_root, gpa);

	if (!e)
		return -ENOMEM;
	*e = prot == VM_PROT_NONE ? 0 : hpa | EPT_R | EPT_X | EPT_MT_WB |
						(prot == VM_PROT_RW ? EPT_W : 0);
	return 0;
}

static u64 vmx_vm_overhead(struct vm *vm)
{
	struct vmx_vm *x = to_vmx_vm(vm);

	return x->ept_pages * PAGE_SIZE + sizeof(*x) +
	       vm->nvcpus * (PAGE_SIZE + sizeof(struct vmx_vcpu));
}

/* ---- vCPUs ---- */

static u16 vpid_alloc(void)
{
	irqflags_t f = spin_lock_irqsave(&vpid_lock);
	u16 id = 0;

	for (unsigned i = 1; i < MAX_VPIDS && !id; i++) {
		if (!(vpid_used[i / 64] & (1ull << (i % 64)))) {
			vpid_used[i / 64] |= 1ull << (i % 64);
			id = (u16)i;
		}
	}
	spin_unlock_irqrestore(&vpid_lock, f);
	return id; /* 0 when all are taken: flush on every entry instead */
}

static void vpid_free(u16 id)
{
	irqflags_t f;

	if (!id)
		return;
	f = spin_lock_irqsave(&vpid_lock);
	vpid_used[id / 64] &= ~(1ull << (id % 64));
	spin_unlock_irqrestore(&vpid_lock, f);
}

static int vmx_vcpu_init(struct vcpu *v)
{
	struct vmx_vcpu *s = kzalloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	if (alloc_zeroed(1, &s->vmcs_pa)) {
		kfree(s);
		return -ENOMEM;
	}
	s->vmcs = phys_to_virt(s->vmcs_pa);
	*(u32 *)s->vmcs = vmx_host.revision;
	s->cpu = s->host_cpu = s->last_cpu = -1;
	s->vpid = vmx_host.vpid ? vpid_alloc() : 0;
	v->arch.vendor = s;
	vmcs_clear(s);
	vmcs_load(s);
	write_controls(v);
	vmcs_release(v);
	return 0;
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);

	if (!s)
		return;
	/* The CPU may cache an active VMCS: flush it to memory before the page is reused. */
	vmcs_clear(s);
	for (unsigned i = 0; i < MAX_CPUS; i++)
		if (lazy_owner[i] == v)
			lazy_owner[i] = NULL;
	if (s->vpid)
		invvpid(s->vpid);
	vpid_free(s->vpid);
	pmm_free(s->vmcs_pa, 1);
	kfree(s);
	v->arch.vendor = NULL;
}

/* Segment attributes: the VMCB's 12-bit form (generic) and VMX access rights. */
static u32 attrib_to_ar(u16 attrib)
{
	u32 ar = (attrib & 0xffu) | ((u32)(attrib & 0xf00u) << 4);

	return (attrib & 0x80) ? ar : ar | VMX_AR_UNUSABLE;
}

static u16 ar_to_attrib(u32 ar)
{
	if (ar & VMX_AR_UNUSABLE)
		return 0;
	return (u16)((ar & 0xff) | ((ar >> 4) & 0xf00));
}

static void write_seg(unsigned seg, const struct guest_seg *g)
{
	__vmcs_write(VMCS_SEG(GUEST_ES_SELECTOR, seg), g->selector);
	__vmcs_write(VMCS_SEG(GUEST_ES_LIMIT, seg), g->limit);
	__vmcs_write(VMCS_SEG(GUEST_ES_AR_BYTES, seg), attrib_to_ar(g->attrib));
	__vmcs_write(VMCS_SEG(GUEST_ES_BASE, seg), g->base);
}

static void vmx_vcpu_set_boot_state(struct vcpu *v, const struct guest_boot_state *b)
{
	struct vmx_vcpu *s = to_vmx(v);
	const struct guest_seg *segs[8] = { &b->es, &b->cs, &b->ss, &b->ds,
					    &b->fs, &b->gs, &b->ldtr, &b->tr };

	vmcs_load(s);
	memset(v->regs, 0, sizeof(v->regs));
	v->regs[VREG_RSI] = b->rsi;
	v->regs[VREG_RSP] = b->rsp;
	v->regs[VREG_RIP] = b->rip;
	vmcs_writel(GUEST_RFLAGS, b->rflags | 2);
	vmx_set_cr0(v, b->cr0);
	vmx_set_cr4(v, b->cr4);
	vmcs_writel(GUEST_CR3, b->cr3);
	vcpu_set(v, VREG_EFER, b->efer);
	vmcs_write64(GUEST_IA32_PAT, PAT_POWER_ON);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_writel(GUEST_DR7, 0x400);
	vmcs_writel(GUEST_GDTR_BASE, b->gdt_base);
	vmcs_write32(GUEST_GDTR_LIMIT, b->gdt_limit);
	vmcs_writel(GUEST_IDTR_BASE, b->idt_base);
	vmcs_write32(GUEST_IDTR_LIMIT, b->idt_limit);
	for (unsigned i = 0; i < 8; i++)
		write_seg(i, segs[i]);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO, 0);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, vmx_host.proc);
	s->cr2 = 0;
	memset(s->lazy_msr, 0, sizeof(s->lazy_msr));
	for (unsigned i = 0; i < MAX_CPUS; i++)
		if (lazy_owner[i] == v)
			lazy_owner[i] = NULL; /* reload the cleared values */
	s->event_pending = false;
	s->flush_tlb = true;
	s->exit_rip = ~0ull; /* write RIP at the next entry */
}

/* CR0 and CR4 as the guest sees them: host-owned bits come from the read shadow. */
u64 vmx_get_cr0(void)
{
	u64 m = vmx_host.cr0_mask;

	return (vmcs_readl(GUEST_CR0) & ~m) | (vmcs_readl(CR0_READ_SHADOW) & m);
}

u64 vmx_get_cr4(void)
{
	u64 m = vmx_host.cr4_mask;

	return (vmcs_readl(GUEST_CR4) & ~m) | (vmcs_readl(CR4_READ_SHADOW) & m);
}

void vmx_set_cr0(struct vcpu *v, u64 val)
{
	struct vmx_host *h = &vmx_host;
	u64 hw = (val | h->cr0_fixed0) & h->cr0_fixed1;

	if (h->unrestricted)
		hw = (hw & ~(CR0_PE | CR0_PG)) | (val & (CR0_PE | CR0_PG));
	vmcs_writel(CR0_READ_SHADOW, val);
	vmcs_writel(GUEST_CR0, hw);
	to_vmx(v)->flush_tlb = true;
}

void vmx_set_cr4(struct vcpu *v, u64 val)
{
	struct vmx_host *h = &vmx_host;

	vmcs_writel(CR4_READ_SHADOW, val);
	vmcs_writel(GUEST_CR4, (val | h->cr4_fixed0) & h->cr4_fixed1);
	to_vmx(v)->flush_tlb = true;
}

static u64 vmx_vcpu_get(struct vcpu *v, enum vreg r)
{
	vmcs_load(to_vmx(v));
	switch (r) {
	case VREG_RFLAGS: return vmcs_readl(GUEST_RFLAGS);
	case VREG_CR0: return vmx_get_cr0();
	case VREG_CR2: return to_vmx(v)->cr2;
	case VREG_CR3: return vmcs_readl(GUEST_CR3);
	case VREG_CR4: return vmx_get_cr4();
	case VREG_EFER: return vmcs_read64(GUEST_IA32_EFER);
	case VREG_PAT: return vmcs_read64(GUEST_IA32_PAT);
	default: return r < VREG_FILE_NR ? v->regs[r] : 0;
	}
}

static void vmx_vcpu_set(struct vcpu *v, enum vreg r, u64 val)
{
	struct vmx_vcpu *s = to_vmx(v);
	u32 entry;

	vmcs_load(s);
	switch (r) {
	case VREG_RFLAGS: vmcs_writel(GUEST_RFLAGS, val | 2); break;
	case VREG_CR0: vmx_set_cr0(v, val); break;
	case VREG_CR2: s->cr2 = val; break;
	case VREG_CR3: vmcs_writel(GUEST_CR3, val); s->flush_tlb = true; break;
	case VREG_CR4: vmx_set_cr4(v, val); break;
	case VREG_EFER:
		/* VM entry takes IA-32e mode from a control, not from EFER: keep them in step. */
		vmcs_write64(GUEST_IA32_EFER, val);
		entry = vmcs_read32(VM_ENTRY_CONTROLS) & ~ENTRY_IA32E_MODE;
		vmcs_write32(VM_ENTRY_CONTROLS, entry | ((val & EFER_LMA) ? ENTRY_IA32E_MODE : 0));
		break;
	case VREG_PAT: vmcs_write64(GUEST_IA32_PAT, val); break;
	default:
		if (r < VREG_FILE_NR)
			v->regs[r] = val;
		break;
	}
}

static void vmx_vcpu_get_seg(struct vcpu *v, enum vseg sg, struct vseg_state *out)
{
	vmcs_load(to_vmx(v));
	out->selector = (u16)__vmcs_read(VMCS_SEG(GUEST_ES_SELECTOR, sg));
	out->limit = (u32)__vmcs_read(VMCS_SEG(GUEST_ES_LIMIT, sg));
	out->attrib = ar_to_attrib((u32)__vmcs_read(VMCS_SEG(GUEST_ES_AR_BYTES, sg)));
	out->base = __vmcs_read(VMCS_SEG(GUEST_ES_BASE, sg));
}

static int vmx_vcpu_code_mode(struct vcpu *v, u64 *cs_base)
{
	enum x86_cpu_mode m;

	vmcs_load(to_vmx(v));
	m = x86_code_mode(vmcs_readl(GUEST_CR0), vmcs_read64(GUEST_IA32_EFER),
			  ar_to_attrib(vmcs_read32(GUEST_CS_AR_BYTES)));
	*cs_base = m == X86_MODE_64 ? 0 : vmcs_readl(GUEST_CS_BASE);
	return m;
}

static unsigned vmx_vcpu_cpl(struct vcpu *v)
{
	vmcs_load(to_vmx(v));
	/* VM entry requires SS.DPL to be the CPL. */
	return (vmcs_read32(GUEST_SS_AR_BYTES) >> 5) & 3;
}

void vmx_queue_event(struct vcpu *v, u32 intr_info, u32 error, u32 insn_len)
{
	struct vmx_vcpu *s = to_vmx(v);

	vmcs_write32(VM_ENTRY_INTR_INFO, intr_info | INTR_INFO_VALID);
	if (intr_info & INTR_INFO_DELIVER_CODE)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, insn_len);
	s->event_pending = true;
}

static void vmx_vcpu_inject_exception(struct vcpu *v, u8 vec, bool has_err, u32 err, u64 cr2)
{
	vmcs_load(to_vmx(v));
	if (vec == 14)
		to_vmx(v)->cr2 = cr2;
	/*
	 * This replaces a pending event: an interrupt re-queued from an exit
	 * during its delivery would be lost with its ISR bit set (svm.c says
	 * when; deliver_events never injects an interrupt over an exception).
	 */
	vmx_queue_event(v, vec | INTR_TYPE_HW_EXCEPTION | (has_err ? INTR_INFO_DELIVER_CODE : 0),
			err, 0);
}

/*
 * Interruptibility as the next entry will see it: the STI/MOV SS blocking
 * ended if the VMM completed an instruction for the guest (HLT after STI),
 * which vmx_vcpu_enter then clears. Read stale, an NMI for `sti; hlt`
 * would wait behind a shadow that is already gone, at every HLT again.
 */
static u32 vmx_interruptibility(struct vcpu *v)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if (v->regs[VREG_RIP] != to_vmx(v)->exit_rip)
		intr &= ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
	return intr;
}

static bool vmx_vcpu_can_inject_irq(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);

	vmcs_load(s);
	return !s->event_pending && (vmcs_readl(GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmx_interruptibility(v) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

static void vmx_vcpu_inject_irq(struct vcpu *v, u8 vector)
{
	vmcs_load(to_vmx(v));
	vmx_queue_event(v, vector | INTR_TYPE_EXT_INTR, 0, 0);
}

/*
 * With virtual NMIs the CPU blocks NMIs from an injected one until the
 * guest's IRET (interruptibility bit 3); without them (no CPU of interest
 * lacks them) nesting is possible, as with KVM's fallback.
 */
static bool vmx_vcpu_inject_nmi(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);
	u32 block = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS;

	vmcs_load(s);
	if (vmx_host.pin & PIN_VIRTUAL_NMIS)
		block |= INTERRUPTIBILITY_NMI;
	if (s->event_pending || (vmx_interruptibility(v) & block))
		return false;
	vmx_queue_event(v, 2 | INTR_TYPE_NMI, 0, 0);
	return true;
}

static void vmx_vcpu_request_irq_window(struct vcpu *v)
{
	vmcs_load(to_vmx(v));
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
		     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) | CPU_INTR_WINDOW_EXITING);
}

static void vmx_vcpu_load(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);
	unsigned cpu = this_cpu()->cpu_id;

	if (lazy_owner[cpu] == v)
		return;
	for (unsigned i = 0; i < LAZY_NR; i++)
		wrmsr(lazy_msr_nr[i], s->lazy_msr[i]);
	lazy_owner[cpu] = v;
}

static void vmx_vcpu_put(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);
	unsigned cpu = this_cpu()->cpu_id;

	if (lazy_owner[cpu] == v) {
		for (unsigned i = 0; i < LAZY_NR; i++)
			s->lazy_msr[i] = rdmsr(lazy_msr_nr[i]);
		lazy_owner[cpu] = NULL;
	}
	/* The scheduler may run it on another CPU next. */
	if (s->cpu == (int)cpu && current_vmcs[cpu] == s->vmcs_pa)
		vmcs_clear(s);
}

/* Preemption-timer units until the host's next timer is due (at most 10 ms). */
static u32 preemption_budget(void)
{
	u64 now = arch_uptime_ns(), next = ktimer_next_deadline(), ns = 10000000;

	if (next && next - now < ns)
		ns = next > now ? next - now : 0;
	return (u32)MAX((ns * (arch_tsc_hz() / 1000000) / 1000) >> vmx_host.preempt_shift, 1);
}

static int vmx_vcpu_enter(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);
	struct vmx_vm *x = to_vmx_vm(v->vm);
	irqflags_t f;
	int failed;

	vmcs_load(s);
	vmx_vcpu_load(v);
	/*
	 * EPT-tagged and VPID-tagged translations are per CPU: flush them when
	 * the vCPU arrives on a CPU that may hold stale ones (it ran here before
	 * the mappings or its VPID's owner changed), or the mappings changed.
	 */
	if (vcpu_guest_entering(v) || s->last_cpu != (int)this_cpu()->cpu_id) {
		invept(x->eptp);
		s->flush_tlb = true;
		s->last_cpu = (int)this_cpu()->cpu_id;
	}
	if (s->flush_tlb || !s->vpid) {
		if (s->vpid)
			invvpid(s->vpid);
		s->flush_tlb = false;
	}
	vmcs_write64(TSC_OFFSET, v->vm->tsc_offset);
	if (vmx_host.pin & PIN_PREEMPTION_TIMER)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, preemption_budget());
	vmcs_writel(GUEST_RSP, v->regs[VREG_RSP]);
	if (v->regs[VREG_RIP] != s->exit_rip) {
		/* We completed an instruction for the guest: an STI or MOV SS shadow ended with it. */
		u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

		if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
			vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
				     intr & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
		vmcs_writel(GUEST_RIP, v->regs[VREG_RIP]);
	}

	/*
	 * Interrupts stay off across the switch; one that arrives while the
	 * guest runs exits (pin-based control) and is taken here, when IF is
	 * restored. CR2 is the guest's from here to the exit.
	 */
	f = arch_irq_save();
	if (read_cr2() != s->cr2)
		write_cr2(s->cr2);
	failed = vmx_vmrun(v->regs, s->launched);
	vcpu_guest_left(v);
	s->cr2 = read_cr2();
	arch_irq_restore(f);

	if (failed) {
		vmx_entry_failed(v, vmcs_read32(VM_INSTRUCTION_ERROR), false);
		return -1;
	}
	s->launched = true;
	v->regs[VREG_RSP] = vmcs_readl(GUEST_RSP);
	v->regs[VREG_RIP] = s->exit_rip = vmcs_readl(GUEST_RIP);
	return vmx_handle_exit(v);
}

static void vmx_vcpu_dump(struct vcpu *v)
{
	struct vmx_vcpu *s = to_vmx(v);

	vmcs_load(s);
	pr_err("  RFLAGS %016llx CPL %u\n", (unsigned long long)vmcs_readl(GUEST_RFLAGS),
	       vmx_vcpu_cpl(v));
	pr_err("  CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx EFER %llx\n",
	       (unsigned long long)vmx_get_cr0(), (unsigned long long)s->cr2,
	       (unsigned long long)vmcs_readl(GUEST_CR3), (unsigned long long)vmx_get_cr4(),
	       (unsigned long long)vmcs_read64(GUEST_IA32_EFER));
	pr_err("  CS %04x/%05x base %llx  SS %04x/%05x  IDT %llx/%x\n",
	       vmcs_read16(GUEST_CS_SELECTOR), vmcs_read32(GUEST_CS_AR_BYTES),
	       (unsigned long long)vmcs_readl(GUEST_CS_BASE), vmcs_read16(GUEST_SS_SELECTOR),
	       vmcs_read32(GUEST_SS_AR_BYTES), (unsigned long long)vmcs_readl(GUEST_IDTR_BASE),
	       vmcs_read32(GUEST_IDTR_LIMIT));
	pr_err("  last exit %u qualification %#llx interruptibility %#x idt-vectoring %#x\n",
	       s->exit_reason, (unsigned long long)vmcs_readl(EXIT_QUALIFICATION),
	       vmcs_read32(GUEST_INTERRUPTIBILITY_INFO), vmcs_read32(IDT_VECTORING_INFO));
}

const struct vmm_ops vmx_ops = {
	.name = "Intel VT-x",
	.cpu_enable = vmx_cpu_enable,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.vm_map_ram = vmx_vm_map_ram,
	.vm_map_page = vmx_vm_map_page,
	.vm_overhead = vmx_vm_overhead,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_set_boot_state = vmx_vcpu_set_boot_state,
	.vcpu_enter = vmx_vcpu_enter,
	.vcpu_get = vmx_vcpu_get,
	.vcpu_set = vmx_vcpu_set,
	.vcpu_get_seg = vmx_vcpu_get_seg,
	.vcpu_cpl = vmx_vcpu_cpl,
	.vcpu_code_mode = vmx_vcpu_code_mode,
	.vcpu_inject_exception = vmx_vcpu_inject_exception,
	.vcpu_can_inject_irq = vmx_vcpu_can_inject_irq,
	.vcpu_inject_irq = vmx_vcpu_inject_irq,
	.vcpu_inject_nmi = vmx_vcpu_inject_nmi,
	.vcpu_request_irq_window = vmx_vcpu_request_irq_window,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_put = vmx_vcpu_put,
	.vcpu_dump = vmx_vcpu_dump,
};
