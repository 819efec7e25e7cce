// SPDX-License-Identifier: MIT
/* trap.c: dispatching exceptions and interrupts taken in the host. */
#include <tv/arch.h>
#include <tv/log.h>
#include <tv/panic.h>
#include <x86/lapic.h>
#include <x86/percpu.h>
#include <x86/trap.h>

static irq_handler_t handlers[256];

static const char *const exc_names[32] = {
	[0] = "#DE divide error",          [1] = "#DB debug",
	[2] = "NMI",                       [3] = "#BP breakpoint",
	[4] = "#OF overflow",              [5] = "#BR bound range",
	[6] = "#UD invalid opcode",        [7] = "#NM device not available",
	[8] = "#DF double fault",          [10] = "#TS invalid TSS",
	[11] = "#NP segment not present",  [12] = "#SS stack fault",
	[13] = "#GP general protection",   [14] = "#PF page fault",
	[16] = "#MF x87 floating point",   [17] = "#AC alignment check",
	[18] = "#MC machine check",        [19] = "#XM SIMD floating point",
	[20] = "#VE virtualization",       [21] = "#CP control protection",
	[29] = "#VC VMM communication",    [30] = "#SX security",
};

const char *trap_name(unsigned vector)
{
	if (vector < 32)
		return exc_names[vector] ? exc_names[vector] : "reserved exception";
	return "interrupt";
}

void trap_set_handler(unsigned vector, irq_handler_t fn)
{
	if (vector < 32 || vector > 255)
		panic("trap_set_handler: vector %u is not an interrupt", vector);
	handlers[vector] = fn;
}

void trap_dispatch(struct trap_frame *tf)
{
	unsigned v = (unsigned)tf->vector;

	if (v == VEC_NMI && panic_in_progress())
		arch_halt_forever();
	if (v < 32)
		panic_trap(tf, trap_name(v));
	if (v == VEC_SPURIOUS)
		return;                 /* the LAPIC wants no EOI for these */
	if (v == VEC_IPI_STOP)
		arch_halt_forever();
	if (handlers[v])
		handlers[v](tf);
	else
		pr_warn("trap: unexpected interrupt vector %#x on CPU %u\n", v, this_cpu()->cpu_id);
	lapic_eoi();
}

void arch_dump_frame(const struct trap_frame *tf)
{
	u64 cr0, cr2, cr3, cr4;

	__asm__ __volatile__("movq %%cr0, %0; movq %%cr2, %1; movq %%cr3, %2; movq %%cr4, %3"
			     : "=r"(cr0), "=r"(cr2), "=r"(cr3), "=r"(cr4));
	pr_err("RIP: %04llx:%016llx  RFLAGS: %016llx  error code: %#llx\n",
	       (unsigned long long)tf->cs, (unsigned long long)tf->rip,
	       (unsigned long long)tf->rflags, (unsigned long long)tf->error);
	pr_err("RSP: %04llx:%016llx  CPU: %u\n", (unsigned long long)tf->ss,
	       (unsigned long long)tf->rsp, this_cpu()->cpu_id);
	pr_err("RAX: %016llx RBX: %016llx RCX: %016llx\n", (unsigned long long)tf->rax,
	       (unsigned long long)tf->rbx, (unsigned long long)tf->rcx);
	pr_err("RDX: %016llx RSI: %016llx RDI: %016llx\n", (unsigned long long)tf->rdx,
	       (unsigned long long)tf->rsi, (unsigned long long)tf->rdi);
	pr_err("RBP: %016llx R8:  %016llx R9:  %016llx\n", (unsigned long long)tf->rbp,
	       (unsigned long long)tf->r8, (unsigned long long)tf->r9);
	pr_err("R10: %016llx R11: %016llx R12: %016llx\n", (unsigned long long)tf->r10,
	       (unsigned long long)tf->r11, (unsigned long long)tf->r12);
	pr_err("R13: %016llx R14: %016llx R15: %016llx\n", (unsigned long long)tf->r13,
	       (unsigned long long)tf->r14, (unsigned long long)tf->r15);
	pr_err("CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n",
	       (unsigned long long)cr0, (unsigned long long)cr2, (unsigned long long)cr3,
	       (unsigned long long)cr4);
	if (tf->vector == VEC_PF)
		pr_err("page fault: %s access to %#llx, %s%s%s\n",
		       (tf->error & 0x10) ? "instruction fetch" : (tf->error & 2) ? "write" : "read",
		       (unsigned long long)cr2,
		       (tf->error & 1) ? "protection violation" : "page not present",
		       (tf->error & 8) ? ", reserved bit set" : "",
		       (tf->error & 4) ? ", user mode" : "");
}

static bool frame_ok(u64 rbp)
{
	/* Stacks live in the direct map or the image; never read MMIO windows. */
	if ((rbp & 7) || rbp > 0xffffffffffffffe0ull)
		return false;
	return (rbp >= PHYS_MAP_BASE && rbp < IOREMAP_BASE) || rbp >= KERNEL_VMA_BASE;
}

void arch_backtrace(u64 rbp, void (*fn)(u64 addr, void *ctx), void *ctx)
{
	for (int depth = 0; depth < 24 && frame_ok(rbp); depth++) {
		u64 *frame = (u64 *)(uintptr_t)rbp;
		u64 ret = frame[1];

		if (ret < KERNEL_VMA_BASE)
			break;
		fn(ret, ctx);
		if (frame[0] <= rbp)
			break; /* the stack grows down: callers' frames lie above */
		rbp = frame[0];
	}
}

void arch_trap_frame_pc(const struct trap_frame *tf, u64 *pc, u64 *fp)
{
	*pc = tf->rip;
	*fp = tf->rbp;
}

void arch_stop_other_cpus(void)
{
	/* Only the boot CPU runs until SMP bring-up exists; then NMI the rest. */
	if (smp_cpus_online() > 1)
		lapic_nmi_others();
}

void __noreturn arch_halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt");
}
