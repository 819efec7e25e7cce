/* SPDX-License-Identifier: MIT */
/*
 * vmm.h: virtual machines and virtual CPUs, vendor-neutral (docs/vmm.md).
 *
 * Generic code (vmm/) owns VM lifecycle, guest memory, the I/O buses, the
 * device models, CPUID and MSR policy and interrupt delivery. The vendor
 * backends (arch/x86/svm, arch/x86/vmx) enter the guest and decode their
 * exits into calls to the vmm_* services declared at the end of this file.
 */
#ifndef TV_VMM_H
#define TV_VMM_H

#include <arch/vcpu.h>
#include <tv/compiler.h>
#include <tv/gmem.h>
#include <tv/ktimer.h>
#include <tv/spinlock.h>
#include <tv/types.h>
#include <tv/vdev.h>
#include <tv/vmconfig.h>

#define VM_MAX_VCPUS 16
#define VM_CHUNK_SHIFT 21                /* guest RAM is backed in 2 MiB chunks */
#define VM_CHUNK_SIZE (1ull << VM_CHUNK_SHIFT)

enum vm_state {
	VM_STATE_OFF,       /* powered off by the guest or stopped */
	VM_STATE_RUNNING,
	VM_STATE_CRASHED,   /* triple fault, unemulatable access, internal error */
	VM_STATE_REFUSED,   /* config error or no resources: never started */
};

/* Generic exit reasons: counted per VM and compared across vendors. */
enum vm_exit {
	VMEXIT_IO,
	VMEXIT_MMIO,
	VMEXIT_CPUID,
	VMEXIT_RDMSR,
	VMEXIT_WRMSR,
	VMEXIT_HLT,
	VMEXIT_INTR,        /* host interrupt while the guest ran */
	VMEXIT_IRQ_WINDOW,
	VMEXIT_EXCEPTION,   /* intercepted guest exception */
	VMEXIT_XSETBV,
	VMEXIT_CR_ACCESS,
	VMEXIT_SHUTDOWN,    /* triple fault */
	VMEXIT_UD,          /* instructions the guest may not use (VMRUN, MONITOR...) */
	VMEXIT_RAM,         /* a nested page fault that backed guest RAM */
	VMEXIT_OTHER,
	VMEXIT_NR
};
const char *vm_exit_name(enum vm_exit e);

/* Registers generic code may read and write through the backend. */
enum vreg {
	VREG_RAX, VREG_RCX, VREG_RDX, VREG_RBX, VREG_RSP, VREG_RBP, VREG_RSI, VREG_RDI,
	VREG_R8, VREG_R9, VREG_R10, VREG_R11, VREG_R12, VREG_R13, VREG_R14, VREG_R15,
	VREG_RIP, VREG_RFLAGS, VREG_CR0, VREG_CR2, VREG_CR3, VREG_CR4, VREG_EFER,
	VREG_PAT,
	VREG_NR
};

enum vseg { VSEG_ES, VSEG_CS, VSEG_SS, VSEG_DS, VSEG_FS, VSEG_GS, VSEG_NR };

struct vseg_state {
	u16 selector;
	u16 attrib;         /* VMCB-style: access byte bits 0-7, AVL L D/B G in bits 8-11 */
	u32 limit;
	u64 base;
};
#define VSEG_ATTR_L (1u << 9)
#define VSEG_ATTR_DB (1u << 10)
#define VSEG_ATTR_DPL(a) (((a) >> 5) & 3)

struct vm;
struct guest_boot_state;

/* A device's side of a bus range: offsets are relative to the range base. */
struct vio_ops {
	int (*read)(void *dev, u64 off, unsigned size, u64 *val);
	int (*write)(void *dev, u64 off, unsigned size, u64 val);
};

/* RAX..R15 and RIP: the slice of struct vcpu.regs. */
#define VREG_FILE_NR (VREG_RIP + 1)

struct vcpu {
	/*
	 * The guest's GPRs and RIP while it is out of the CPU: the backend
	 * loads them at entry and stores them at exit, so exit handlers read
	 * them without a vendor call. Other registers go through vcpu_get.
	 */
	u64 regs[VREG_FILE_NR];
	struct vm *vm;
	unsigned id;                   /* = its APIC ID; vCPU 0 is the bootstrap processor */
	/*
	 * Run state, written only by the vCPU's own run loop and exit handlers
	 * (and by vm_reset while every vCPU is parked); others only read it.
	 */
	bool halted;                   /* HLT, or waiting for SIPI: not in the guest */
	bool wait_sipi;                /* after INIT (APs: from power-on): only a SIPI starts it */
	bool boot_pending;             /* vCPU 0: load vm->boot at the next vcpu_run */
	bool sipi_logged;              /* its first start since power-on was logged */
	u32 kicks;                     /* vcpu_kick count: the run loop re-checks if it moved */
	struct vlapic *lapic;
	u64 apic_base;                 /* IA32_APIC_BASE */
	u64 xcr0;
	u64 mtrr_def_type, mtrr_fixed[11];
	u64 exits[VMEXIT_NR];
	unsigned insn_retries;         /* exits whose instruction changed under us */
	struct {
		u64 gpa, rip;              /* the last event delivery that faulted on RAM */
		unsigned repeats;          /* how many times in a row */
	} npf_ram;
	struct {
		u64 cr3, page;             /* guest CR3 and linear page of the last decode */
		const u8 *host;            /* that page in host memory... */
		u32 gen;                   /* ...while vm->tlb_gen is still this (emulate.c, vmm_fast.h) */
	} code_cache;
	/*
	 * The CPUID policy's answers (exits.c, tv/vmm_fast.h), direct-mapped by
	 * leaf: valid for the same leaf and subleaf and the CR4 bits the policy
	 * reads (cr4key, bit 0 set when the entry is in use). Cleared at reset.
	 */
	struct cpuid_memo {
		u64 key;                   /* leaf | subleaf << 32 */
		u32 cr4key, out[4];
	} cpuid_memo[8];
	u64 cycles_in_guest;
	/*
	 * Nested TLB shootdown (vm_tlb_shootdown): set from just before the
	 * backend reads vm->tlb_gen until the guest has exited; tlb_seen is the
	 * generation its last entry flushed to.
	 */
	bool in_guest;
	u32 tlb_seen;
	void *fpu;                     /* XSAVE area while the vCPU is not on a CPU */
	bool loaded;                   /* its FPU (and lazily switched MSRs) are in this CPU */
	void *sched;                   /* the scheduler's (kernel/sched.c) */
	struct vcpu_arch arch;         /* vendor state: arch/vcpu.h */
};

struct vm_bus_range;

struct vm {
	char name[VMCFG_NAME_MAX + 1];
	char file[CFG_MAX_PATH + 8];   /* the config on the stick, e.g. "vms/web.vmx" */
	unsigned id;
	enum vm_state state;
	char why[128];                 /* why it stopped or was refused */
	struct vm_config cfg;

	u64 ram_size;
	struct gmem mem;               /* guest RAM page by page (tv/gmem.h, vmm/vm_mem.c) */
	spinlock_t mem_lock;           /* mem, the pool, the spare pages and the nested mappings */
	u32 tlb_gen;                   /* bumped when nested mappings change: vCPUs flush at entry */
	paddr_t *pool;                 /* 2 MiB frames set aside for sched.mem.min, not used yet */
	u64 pool_n;
	paddr_t spare;                 /* 4 KiB frames kept for the reservation: a list through them */
	u64 spare_n;
	u64 reserved_pages;            /* sched.mem.min in pages */
	u64 own_peak;                  /* the most pages with frames of their own at once */
	u64 balloon_target;            /* the policy's last target, pages (boot CPU only) */
	bool limit_warned;             /* sched.mem.max without a balloon: said once */
	u64 overhead_bytes;            /* host memory used beyond guest RAM */

	unsigned nvcpus;
	unsigned vcpus_queued;         /* vCPUs the scheduler still holds (atomic) */
	struct vcpu *vcpus[VM_MAX_VCPUS];

	/*
	 * The reset rendezvous (docs/vmm.md, "Concurrency"): how many vCPUs are
	 * inside vcpu_run, and whether one of them is resetting the VM.
	 */
	spinlock_t run_lock;
	unsigned in_run;
	bool resetting;
	struct guest_boot_state *boot; /* vCPU 0's state at power-on (for resets) */

	/*
	 * Devices, buses, timers, every vCPU's local APIC and the interrupt
	 * routes between them. Taken with interrupts off; never held across a
	 * guest entry. Nests outside con_lock.
	 */
	spinlock_t lock;
	struct vm_bus_range *pio, *mmio;
	struct vtimer *timers;         /* armed, sorted by deadline */
	struct ktimer ktimer;          /* host timer for the earliest of them */
	bool timers_due;
	struct vdev_host host;         /* what devices call back into */
	struct vm_devices *dev;
	void *dev_pm_ports;
	struct vm_virtio *virtio;      /* virtio-mmio devices (vmm/virtio_host.c) */
	unsigned nvirtio;              /* virtio-mmio slots in use */

	bool stop_requested;
	bool reset_requested;          /* set by vm_request_reset; cleared by the reset */
	unsigned msr_logged;           /* unknown-MSR messages so far (rate limit) */
	u64 tsc_offset;                /* guest TSC = host TSC + offset */
	u64 started_ns;

	/* Guest console: a ring for the console UI, lines to the host log. */
	spinlock_t con_lock;           /* the ring and the line being collected */
	char *con_ring;
	u64 con_head;
	char con_line[160];
	unsigned con_len;
	u64 con_window_ns;
	char hvc_line[160];            /* virtio-console output being collected (con_lock) */
	unsigned hvc_len;
	char con_in[256];              /* typed on the host, not yet in the UART FIFO */
	u32 con_in_head, con_in_tail;
	unsigned con_lines_in_window, con_suppressed;

	void *sched;                   /* the scheduler's (kernel/sched.c) */
	struct vm_arch arch;           /* nested paging root, ASID: arch/vcpu.h */
};

/* ---- lifecycle (vmm/vm.c) ---- */

/*
 * Create a VM from a parsed config and the guest files on the stick,
 * take its memory reservation, load the guest and make it runnable. On failure
 * returns NULL and explains in why, with *why_line the config line it
 * points at (0: the file as a whole; the caller logs "file:line: why").
 */
struct vm *vm_create(const struct vm_config *cfg, char *why, size_t whylen, unsigned *why_line);
/*
 * Stop a VM: state off or crashed with a reason; its vCPUs never enter the
 * guest again (each is kicked and leaves vcpu_run with VCPU_YIELD_STOPPED).
 * Any CPU, any context, vm->lock held or not; only the first call counts.
 */
void vm_stop(struct vm *vm, enum vm_state state, const char *fmt, ...) __printf(3, 4);
/* Release everything a VM that never ran holds, and the VM itself. */
void vm_destroy(struct vm *vm);
/*
 * The scheduler let go of a stopped VM's vCPU v for good: v is not inside
 * vcpu_run on any CPU and never will be again. The last vCPU released
 * frees the VM's memory (so no sibling can still be running in it).
 */
void vm_release_if_idle(struct vcpu *v);
/*
 * The guest asked for a reset (0xcf9, i8042, INIT to vCPU 0): every vCPU
 * is kicked out of the guest, and the last one to leave vcpu_run reloads
 * the VM (vm_reset) while all are parked. Any CPU, vm->lock held or not.
 */
void vm_request_reset(struct vm *vm);
/* Reload the guest and start over; only while no vCPU of vm is in vcpu_run. */
int vm_reset(struct vm *vm);
const char *vm_state_name(enum vm_state s);
/* Log the VM's exit counters by reason. */
void vm_log_exits(struct vm *vm);
/* Tests: make the VM's first entry fail (kernel option test.corrupt_vm=NAME). */
void vm_test_corrupt(struct vm *vm);

/* ---- guest memory ---- */

/*
 * Copy to/from guest RAM; -EFAULT if any byte is not RAM. A write backs
 * (or copies, if shared) the pages first; if the host cannot, a running VM
 * is stopped (out of host memory). There is no pointer into guest RAM: a
 * page's frame may change whenever the lock is not held.
 */
int vm_read(struct vm *vm, u64 gpa, void *dst, u64 len);
int vm_write(struct vm *vm, u64 gpa, const void *src, u64 len);
int vm_zero(struct vm *vm, u64 gpa, u64 len);
/* "vm web: memory: 134 of 256 MiB backed, 128 MB reserved ..." to the log. */
void vm_log_memory(struct vm *vm);
/* Host memory the hypervisor uses for vm beyond its RAM (structures, nested tables, page entries). */
u64 vm_overhead(struct vm *vm);
/* Boot CPU's housekeeping: the page scanner's turn and, each second, the balloon policy. */
void vm_mem_housekeeping(u64 now_ns);
/*
 * No vCPU of vm keeps a nested translation older than this call once it
 * returns (vCPUs in the guest are kicked out and waited for). Any context
 * but NMI, any locks held: a vCPU takes none before it has left the guest.
 */
void vm_tlb_shootdown(struct vm *vm);
/* Called by the backends with interrupts off: true if this entry must flush nested translations. */
static inline bool vcpu_guest_entering(struct vcpu *v)
{
	u32 gen;
	bool stale;

	__atomic_store_n(&v->in_guest, true, __ATOMIC_SEQ_CST);
	gen = __atomic_load_n(&v->vm->tlb_gen, __ATOMIC_SEQ_CST);
	stale = gen != v->tlb_seen;
	__atomic_store_n(&v->tlb_seen, gen, __ATOMIC_SEQ_CST);
	return stale;
}
static inline void vcpu_guest_left(struct vcpu *v)
{
	__atomic_store_n(&v->in_guest, false, __ATOMIC_RELEASE);
}
bool vm_gpa_is_ram(struct vm *vm, u64 gpa);
/* Whether all of [gpa, gpa+len) is this VM's RAM (len 0, or wrapping: false). */
bool vm_ram_contains(struct vm *vm, u64 gpa, u64 len);

/* ---- buses (vmm/bus.c) ---- */

int vm_bus_add(struct vm *vm, bool mmio, u64 base, u64 size, const struct vio_ops *ops,
	       void *dev);
/* Dispatch to the device at addr; unclaimed reads give all-ones, writes are dropped. */
int vm_bus_access(struct vm *vm, bool mmio, u64 addr, unsigned size, u64 *val, bool write);

/* ---- timers and interrupts ---- */

void vm_timers_run(struct vm *vm);
u64 vm_next_deadline(struct vm *vm);
void vm_set_irq(struct vm *vm, unsigned gsi, bool level);
/*
 * v has new work (an interrupt, NMI, INIT or SIPI, a due timer, a stop or
 * reset of its VM): make it look at it soon. The one call for that; any
 * CPU, any context (vm->lock may be held, interrupts may be off), never
 * blocks. The scheduler's side of the contract is in docs/vmm.md.
 */
void vcpu_kick(struct vcpu *v);

/* ---- console ---- */

void vm_console_putc(struct vm *vm, u8 c);
/*
 * Bytes typed on the host for the guest's serial port, queued until the
 * UART's FIFO has room; returns how many were taken (the queue holds 256).
 */
size_t vm_console_input(struct vm *vm, const char *buf, size_t len);
/* Move queued input into the UART as its FIFO drains (the vCPU run loop). */
void vm_console_feed(struct vm *vm);

/* ---- running (vmm/vcpu.c) ---- */

/*
 * Why vcpu_run returned: the slice ended (sched_need_resched), the vCPU has
 * nothing to do until a kick (HLT, waiting for SIPI, parked for a reset),
 * or its VM stopped.
 */
enum vcpu_yield { VCPU_YIELD_PREEMPT, VCPU_YIELD_HALT, VCPU_YIELD_STOPPED };
/*
 * Run v on this CPU until it yields. At most one CPU may be inside
 * vcpu_run(v) at a time; siblings of v may run concurrently on others.
 */
enum vcpu_yield vcpu_run(struct vcpu *v);
/* Whether vcpu_run(v) would do something now. Lock-free; any CPU. */
bool vcpu_runnable(struct vcpu *v);
/* The vCPU leaves this CPU: save what lives in its registers (FPU). */
void vcpu_put(struct vcpu *v);

/* ---- services the vendor backends call on exits ---- */

u64 vcpu_get_slow(struct vcpu *v, enum vreg r);
void vcpu_set_slow(struct vcpu *v, enum vreg r, u64 val);

static inline u64 vcpu_get(struct vcpu *v, enum vreg r)
{
	return r < VREG_FILE_NR ? v->regs[r] : vcpu_get_slow(v, r);
}

static inline void vcpu_set(struct vcpu *v, enum vreg r, u64 val)
{
	if (r < VREG_FILE_NR)
		v->regs[r] = val;
	else
		vcpu_set_slow(v, r, val);
}
void vcpu_advance_rip(struct vcpu *v, unsigned len);
/*
 * Where the intercepted instruction at RIP, of kind op (X86_OP_*), ends:
 * len is its length if the CPU reported it, else 0 and the VMM decodes it.
 * 0 with *next set; <0: do nothing and let the guest execute it again (a
 * #PF is queued, the code changed under us, or the VM was crashed).
 */
int vcpu_insn_end(struct vcpu *v, int op, unsigned len, u64 *next);
void vcpu_inject_gp(struct vcpu *v);
void vcpu_inject_ud(struct vcpu *v);

/* Port I/O: 0 done; <0 the VM was stopped. */
int vmm_io(struct vcpu *v, u16 port, unsigned size, bool in, u32 *val);
/*
 * INS/OUTS at RIP, one element per call; REP re-executes until RCX is 0.
 * Address size, segment and REP come from decoding the instruction.
 */
int vmm_io_string(struct vcpu *v, u16 port, unsigned size, bool in, u64 next_rip);
/* Access to guest-physical gpa that is not RAM: decode and emulate at RIP. */
int vmm_mmio(struct vcpu *v, u64 gpa);
/*
 * A nested page fault (NPF, EPT violation) at gpa; delivering: the CPU was
 * delivering an event (the backend has queued it again). An access by the
 * instruction at RIP is emulated; one by the delivery is not (vmm/emulate.c).
 * 0, or <0 when the VM stopped.
 */
int vmm_nested_fault(struct vcpu *v, u64 gpa, bool delivering);
/*
 * Intercepted instructions (vmm/exits.c). len as for vcpu_insn_end; each
 * reads its operands from and writes its results to struct vcpu.regs.
 * 0, or <0 when the VM stopped.
 */
int vmm_exit_cpuid(struct vcpu *v, unsigned len);
int vmm_exit_hlt(struct vcpu *v, unsigned len);
int vmm_exit_msr(struct vcpu *v, bool write, unsigned len);
int vmm_exit_xsetbv(struct vcpu *v, unsigned len);
/*
 * IN/OUT (and INS/OUTS when string) at port; next_rip is where the
 * instruction ends, which both vendors report for I/O exits.
 */
int vmm_exit_io(struct vcpu *v, u16 port, unsigned size, bool in, bool string, u64 next_rip);
/* MOV to/from CR8 with GPR gpr (VREG_* numbering): the vLAPIC's TPR. */
int vmm_exit_cr8(struct vcpu *v, bool write, unsigned gpr, unsigned len);
/* INVD, WBINVD: skipped (INVD would drop host cache lines, WBINVD stall other VMs). */
int vmm_exit_skip(struct vcpu *v, int op, unsigned len);
/* The MSR policy (vmm/msr.c): 0, or -EPERM: inject #GP. */
int vmm_rdmsr(struct vcpu *v, u32 msr, u64 *val);
int vmm_wrmsr(struct vcpu *v, u32 msr, u64 val);
/* Triple fault or a guest state the CPU refuses: the VM is crashed. */
void vmm_crash(struct vcpu *v, const char *fmt, ...) __printf(2, 3);

#endif
