/* SPDX-License-Identifier: MIT */
/*
 * arch.h: the boundary between generic code (kernel/, vmm/, drivers/) and
 * an architecture (arch/x86/). Generic code calls only what is declared
 * here and in <arch/...> headers; arch/x86/priv/ is invisible to it (the
 * Makefile does not put it on generic code's include path).
 */
#ifndef TV_ARCH_H
#define TV_ARCH_H

#include <arch/cpu.h>
#include <arch/mm.h>
#include <tv/compiler.h>
#include <tv/types.h>

struct bootinfo;
struct trap_frame;

/* Boot CPU: descriptor tables, per-CPU area, NX/SSE enables. Before any C that traps. */
void arch_early_init(void);

/*
 * Replace the loader's page tables with the kernel's: a direct map of every
 * memory-map region, the image with W^X permissions. Needs pmm_init first.
 */
void arch_paging_init(const struct bootinfo *bi);

/*
 * Map size bytes of MMIO at pa into the kernel's I/O window; wc selects
 * write-combining (framebuffers), otherwise uncached. NULL on failure.
 */
void *arch_ioremap(paddr_t pa, u64 size, bool wc);

/* True if [pa, pa+len) is RAM reachable through phys_to_virt. */
bool arch_phys_is_mapped(paddr_t pa, u64 len);

/* The host CPU's CPUID (leaf, subleaf) -> EAX, EBX, ECX, EDX. */
void arch_cpuid(u32 leaf, u32 subleaf, u32 out[4]);

/* One-line CPU description for the banner, e.g. "AuthenticAMD: AMD EPYC ...". */
void arch_cpu_describe(char *buf, size_t size);

/* Which virtualization extension this CPU offers, as a banner line. */
enum virt_kind { VIRT_NONE, VIRT_VMX, VIRT_SVM };
struct virt_info {
	enum virt_kind kind;
	bool usable;          /* present and not disabled by firmware */
	char detail[96];      /* features, or why it cannot be used */
};
void arch_virt_detect(struct virt_info *vi);
/*
 * Tests: lock IA32_FEATURE_CONTROL with VMX off, as firmware with VT-x
 * switched off in setup leaves it (Intel only; nothing elsewhere).
 */
void arch_virt_test_lock_off(void);

/*
 * Timekeeping: calibrate the TSC and the local APIC timer against a
 * reference clock (CPUID 0x15, the ACPI PM timer or the PIT), put the
 * local timer in one-shot mode for ktimer and start a bookkeeping tick of
 * hz on this CPU. Returns 0 or -errno.
 */
int arch_timer_init(unsigned hz);
u64 arch_tsc_hz(void);
/* Fire the local timer interrupt at deadline (uptime ns); 0 stops it. */
void arch_timer_oneshot(u64 deadline);
/* Count one bookkeeping tick on this CPU (arch_ticks). */
void arch_tick_account(void);
/* Nanoseconds since arch_timer_init (0 before). */
u64 arch_uptime_ns(void);
/* Ticks since arch_timer_init on this CPU. */
u64 arch_ticks(void);

/* Mask the legacy PICs and every I/O APIC pin from the ACPI MADT. */
int arch_irq_init(void);
/* Enable an IRQ line (GSI) to deliver vector on the boot CPU. */
int arch_irq_route(unsigned gsi, unsigned vector, bool level, bool active_low);
/*
 * Call fn(arg) in interrupt context for ISA IRQ irq (COM1 is 4), routed
 * through the I/O APIC with the firmware's interrupt source overrides.
 */
int arch_isa_irq_request(unsigned irq, void (*fn)(void *arg), void *arg);

/*
 * UEFI runtime services (arch/x86/efi_rt.c). The loader never calls
 * SetVirtualAddressMap, so they run at their physical addresses, on page
 * tables kept for these calls: arch_efi_map adds [pa, pa+size) to them 1:1
 * (page aligned, below 128 TiB; executable if exec, uncached for MMIO).
 * 0 or -errno (-EEXIST: overlaps an earlier range).
 */
int arch_efi_map(paddr_t pa, u64 size, bool exec, bool uncached);
/*
 * Run fn(ctx) on those tables. The kernel's upper half is mapped there as
 * always, so fn, its stack and the pointers it passes stay valid.
 * Interrupts are off, and this CPU's FPU/SSE/AVX state (a vCPU's, maybe) is
 * saved before and restored after, so the firmware may use SSE freely.
 * @pre at least one arch_efi_map succeeded; one call at a time host-wide
 * (the caller serializes: there is one save area).
 */
void arch_efi_run(void (*fn)(void *ctx), void *ctx);
/*
 * Tests: load a pattern into XMM0-15 and MXCSR, run a callback through
 * arch_efi_run that checks the firmware's FPU environment (MXCSR 0x1f80,
 * FCW 0x37f) and wipes the registers, and check the pattern came back.
 * 0 if all held, -1 if not; msg says what was seen. Same @pre.
 */
int arch_efi_fpu_selftest(char *msg, size_t len);

/* Port I/O for ACPI fixed hardware and legacy devices. */
u32 arch_io_read(u16 port, unsigned width);
void arch_io_write(u16 port, unsigned width, u32 value);

/* Last resort resets, used when ACPI offers nothing. */
void __noreturn arch_reset_fallback(void);

/* Print the registers of a trap frame through the log (panic screen). */
void arch_dump_frame(const struct trap_frame *tf);
/* The interrupted instruction and frame pointer of a trap frame. */
void arch_trap_frame_pc(const struct trap_frame *tf, u64 *pc, u64 *fp);
/*
 * Start every application processor the ACPI MADT lists (INIT-SIPI-SIPI).
 * One at a time, each sets itself up (descriptors, LAPIC and its timer,
 * FPU), calls setup, lets the next one start and calls cont, which never
 * returns. A CPU that does not start is logged and left out. Returns the
 * CPUs online; their numbers are 0..n-1 (0 = the boot CPU).
 */
unsigned arch_smp_start(void (*setup)(void), void (*cont)(void));
/* Interrupt cpu: it leaves a guest or a halt and looks at its scheduler. */
void arch_cpu_kick(unsigned cpu);
/* Run fn(arg) on every other online CPU, in interrupt context; waits. Interrupts on. */
void arch_smp_call_others(void (*fn)(void *), void *arg);
/* Drop the kernel's TLB entries for [va, va+len) on every CPU. Interrupts on. */
void arch_tlb_shootdown(u64 va, u64 len);
/* test.smp: calls and a TLB shootdown on every CPU; 0 if all passed, msg says what. */
int arch_smp_selftest(char *msg, size_t len);
/* Ask every other CPU to stop (NMI); returns at once. */
void arch_stop_other_cpus(void);
/* Walk the frame-pointer chain from rbp, calling fn for each return address. */
void arch_backtrace(u64 rbp, void (*fn)(u64 addr, void *ctx), void *ctx);
/* Stop this CPU forever with interrupts off. */
void __noreturn arch_halt_forever(void);

#endif
