// SPDX-License-Identifier: MIT
/*
 * smp.c: starting the application processors listed in the ACPI MADT
 * (INIT-SIPI-SIPI into smp_tramp.S), and the IPIs CPUs send each other:
 * a kick that makes a CPU leave its guest and look at its scheduler, and
 * calls on every other CPU, which the TLB shootdown uses.
 *
 * APs start one at a time; each gets its own per-CPU area, stacks and
 * descriptor tables before its SIPI. A CPU that does not answer is sent
 * INIT again (so it cannot wake later on another AP's stack), logged, and
 * the host goes on without it.
 */
#include <tv/acpi.h>
#include <tv/arch.h>
#include <tv/arch_vmm.h>
#include <tv/cmdline.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/panic.h>
#include <tv/pmm.h>
#include <tv/printf.h>
#include <tv/spinlock.h>
#include <tv/string.h>
#include <x86/cpuid.h>
#include <x86/desc.h>
#include <x86/lapic.h>
#include <x86/msr.h>
#include <x86/paging.h>
#include <x86/percpu.h>
#include <x86/trap.h>

#define AP_STACK_PAGES (BOOT_STACK_SIZE / PAGE_SIZE)
#define INIT_DELAY_NS 10000000ull          /* SDM: 10 ms after INIT */
#define SIPI_DELAY_NS 200000ull            /* 200 us between the two SIPIs */
/*
 * Real CPUs answer in microseconds; emulated ones on a busy host can take
 * hundreds of milliseconds to be scheduled. Only a dead CPU pays these.
 */
#define ALIVE_TIMEOUT_NS 2000000000ull     /* no sign of life: give up on the CPU */
#define READY_TIMEOUT_NS 3000000000ull     /* alive but stuck in its set-up */

#define CR4_PGE (1ull << 7)

extern const u8 smp_tramp_start[], smp_tramp_end[], smp_tramp_gdt[], smp_tramp_gdtr[];
extern const u8 smp_tramp_cr3[], smp_tramp_efer[], smp_tramp_ljmp[], smp_tramp_target[];
extern const u8 smp_tramp_long[];
extern const u8 ap_entry64[];

/* Read by ap_entry64 for the AP being started. */
u64 smp_boot_cr3, smp_boot_stack, smp_boot_percpu;

void __noreturn ap_main(struct percpu *pc);

static struct percpu *cpu_area[ARCH_MAX_CPUS];
static unsigned ncpus = 1;
static void (*ap_setup)(void), (*ap_continue)(void);
static volatile u32 ap_alive, ap_ready;
static int test_hang_cpu = -1;      /* test.ap_hang=N: CPU N stops in its set-up */

/* ---- calls on other CPUs ---- */

static spinlock_t call_lock;
static void (*call_fn)(void *);
static void *call_arg;
static u32 call_pending;

static void call_interrupt(struct trap_frame *tf)
{
	void (*fn)(void *) = READ_ONCE(call_fn);

	(void)tf;
	fn(READ_ONCE(call_arg));
	__atomic_sub_fetch(&call_pending, 1, __ATOMIC_RELEASE);
}

static void kick_interrupt(struct trap_frame *tf)
{
	/* Arriving was the point: a guest exited, a halt ended. The scheduler looks. */
	(void)tf;
}

void arch_smp_call_others(void (*fn)(void *), void *arg)
{
	unsigned self = arch_cpu_id(), sent = 0;

	/*
	 * Interrupts must be on, here and while waiting for the lock: a CPU
	 * spinning for call_lock with them off could never run the call the
	 * lock holder is waiting for.
	 */
	ASSERT(arch_irq_enabled());
	if (smp_cpus_online() < 2)
		return;
	spin_lock(&call_lock);
	call_fn = fn;
	call_arg = arg;
	for (unsigned c = 0; c < ncpus; c++)
		if (c != self && cpu_area[c] && cpu_area[c]->online)
			sent++;
	__atomic_store_n(&call_pending, sent, __ATOMIC_RELEASE);
	for (unsigned c = 0; c < ncpus; c++)
		if (c != self && cpu_area[c] && cpu_area[c]->online)
			lapic_send_ipi(cpu_area[c]->apic_id, VEC_CALL);
	while (__atomic_load_n(&call_pending, __ATOMIC_ACQUIRE))
		arch_pause();
	spin_unlock(&call_lock);
}

void arch_cpu_kick(unsigned cpu)
{
	if (cpu < ncpus && cpu != arch_cpu_id() && cpu_area[cpu] && cpu_area[cpu]->online)
		lapic_send_ipi(cpu_area[cpu]->apic_id, VEC_KICK);
}

struct shootdown {
	u64 va, len;
};

static void flush_range(void *arg)
{
	const struct shootdown *s = arg;

	if (s->len > 64 * PAGE_SIZE) {
		/* Cheaper to drop everything; CR4.PGE toggling drops global pages too. */
		u64 cr4;

		__asm__ __volatile__("movq %%cr4, %0" : "=r"(cr4));
		__asm__ __volatile__("movq %0, %%cr4; movq %1, %%cr4"
				     : : "r"(cr4 ^ CR4_PGE), "r"(cr4) : "memory");
		return;
	}
	for (u64 va = s->va & PAGE_MASK; va < s->va + s->len; va += PAGE_SIZE)
		__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

void arch_tlb_shootdown(u64 va, u64 len)
{
	struct shootdown s = { va, len };

	flush_range(&s);
	arch_smp_call_others(flush_range, &s);
}

/* ---- bring-up ---- */

static void wait_ns(u64 ns)
{
	u64 end = arch_uptime_ns() + ns;

	while (arch_uptime_ns() < end)
		arch_pause();
}

static bool wait_flag(volatile u32 *flag, u64 ns)
{
	u64 end = arch_uptime_ns() + ns;

	while (!*flag && arch_uptime_ns() < end)
		arch_pause();
	return *flag;
}

/*
 * Page tables for the trampoline, below 4 GiB because real mode loads a
 * 32-bit CR3: the low 2 MiB 1:1 (the trampoline page), and the kernel's
 * upper-half entries shared with its own tables.
 */
static paddr_t tramp_tables(void)
{
	paddr_t pml4 = pmm_alloc_below(3, 1ull << 32), kroot;
	u64 *t;

	if (!pml4)
		return 0;
	memset(phys_to_virt(pml4), 0, 3 * PAGE_SIZE);
	__asm__ __volatile__("movq %%cr3, %0" : "=r"(kroot));
	kroot &= PAGE_MASK;
	t = phys_to_virt(pml4);
	memcpy(t + 256, (u64 *)phys_to_virt(kroot) + 256, 256 * sizeof(u64));
	t[0] = (pml4 + PAGE_SIZE) | PTE_P | PTE_W;
	t = phys_to_virt(pml4 + PAGE_SIZE);
	t[0] = (pml4 + 2 * PAGE_SIZE) | PTE_P | PTE_W;
	t = phys_to_virt(pml4 + 2 * PAGE_SIZE);
	t[0] = 0 | PTE_P | PTE_W | PTE_PS;
	return pml4;
}

static void patch32(u8 *page, const u8 *slot, u32 val)
{
	memcpy(page + (slot - smp_tramp_start), &val, sizeof(val));
}

static struct percpu *new_area(unsigned cpu, u32 apic_id)
{
	struct percpu *pc = kzalloc(sizeof(*pc));
	paddr_t stack = pmm_alloc(AP_STACK_PAGES + 3 * IST_STACK_SIZE / PAGE_SIZE, PAGE_SIZE);
	u64 lo, hi;

	if (!pc || !stack) {
		kfree(pc);
		if (stack)
			pmm_free(stack, AP_STACK_PAGES + 3 * IST_STACK_SIZE / PAGE_SIZE);
		return NULL;
	}
	pc->self = pc;
	pc->cpu_id = cpu;
	pc->apic_id = apic_id;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	pc->stack_canary = (((hi << 32) | lo) * 0x9e3779b97f4a7c15ull) & ~0xffull;
	pc->stack_top = (u8 *)phys_to_virt(stack) + BOOT_STACK_SIZE;
	for (int i = 1; i <= 3; i++)
		pc->ist[i] = pc->stack_top + (u64)i * IST_STACK_SIZE;
	return pc;
}

static bool start_one(paddr_t page_pa, unsigned cpu, u32 apic_id)
{
	struct percpu *pc = new_area(cpu, apic_id);

	if (!pc) {
		pr_err("smp: CPU %u (APIC ID %u): out of memory for its stacks; not started\n", cpu,
		       apic_id);
		return false;
	}
	cpu_area[cpu] = pc;
	smp_boot_percpu = (u64)(uintptr_t)pc;
	smp_boot_stack = (u64)(uintptr_t)pc->stack_top;
	ap_alive = ap_ready = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_init(apic_id);
	wait_ns(INIT_DELAY_NS);
	lapic_send_sipi(apic_id, (u8)(page_pa >> 12));
	wait_ns(SIPI_DELAY_NS);
	if (!ap_alive)
		lapic_send_sipi(apic_id, (u8)(page_pa >> 12));
	if (!wait_flag(&ap_alive, ALIVE_TIMEOUT_NS)) {
		pr_err("smp: CPU %u (APIC ID %u) did not answer INIT-SIPI-SIPI; going on without it\n",
		       cpu, apic_id);
		goto dead;
	}
	if (!wait_flag(&ap_ready, READY_TIMEOUT_NS)) {
		pr_err("smp: CPU %u (APIC ID %u) started but did not finish its set-up; going on "
		       "without it\n", cpu, apic_id);
		goto dead;
	}
	return true;
dead:
	test_hang_cpu = -1;     /* one CPU only: the next takes the same number */
	/* Back to wait-for-SIPI: it must never run on this CPU's stack later. */
	lapic_send_init(apic_id);
	cpu_area[cpu] = NULL;   /* its memory is leaked on purpose: it may still be in use */
	return false;
}

unsigned arch_smp_start(void (*setup)(void), void (*cont)(void))
{
	const struct acpi_info *ai = acpi_host();
	u32 self_apic = lapic_id();
	paddr_t page_pa, tables;
	u8 *page;
	size_t len = (size_t)(smp_tramp_end - smp_tramp_start);
	unsigned started = 0, tried = 0;

	bsp_percpu.apic_id = self_apic;
	bsp_percpu.online = true;
	cpu_area[0] = &bsp_percpu;
	trap_set_handler(VEC_KICK, kick_interrupt);
	trap_set_handler(VEC_CALL, call_interrupt);
	if (!ai || ai->ncpus < 2)
		return 1;
	page_pa = pmm_alloc_below(1, 1ull << 20);
	tables = tramp_tables();
	if (!page_pa || !tables) {
		pr_err("smp: no memory below 1 MiB / 4 GiB for the start-up code; only the boot CPU "
		       "runs\n");
		return 1;
	}
	page = phys_to_virt(page_pa);
	memcpy(page, smp_tramp_start, len);
	{
		/* lgdt's operand: limit (16 bits) then the 32-bit base. */
		u32 gdt = (u32)page_pa + (u32)(smp_tramp_gdt - smp_tramp_start);

		memcpy(page + (smp_tramp_gdtr - smp_tramp_start) + 2, &gdt, 4);
	}
	patch32(page, smp_tramp_cr3, (u32)tables);
	patch32(page, smp_tramp_efer, (rdmsr(MSR_EFER) & EFER_NXE) ? EFER_NXE : 0);
	patch32(page, smp_tramp_ljmp, (u32)page_pa + (u32)(smp_tramp_long - smp_tramp_start));
	{
		u64 target = (u64)(uintptr_t)ap_entry64;

		memcpy(page + (smp_tramp_target - smp_tramp_start), &target, 8);
	}
	__asm__ __volatile__("movq %%cr3, %0" : "=r"(smp_boot_cr3));
	ap_setup = setup;
	ap_continue = cont;
	if (cmdline_get("test.ap_hang"))
		test_hang_cpu = (int)strtoul(cmdline_get("test.ap_hang"), NULL, 10);

	for (unsigned i = 0; i < ai->ncpus; i++) {
		u32 id = ai->cpus[i].apic_id;

		if (!ai->cpus[i].enabled || id == self_apic)
			continue;
		if (ncpus >= ARCH_MAX_CPUS) {
			pr_warn("smp: more than %u CPUs; APIC ID %u and later are not used\n",
				ARCH_MAX_CPUS, id);
			break;
		}
		tried++;
		if (start_one(page_pa, ncpus, id)) {
			ncpus++;
			started++;
		}
	}
	pmm_free(tables, 3);
	pmm_free(page_pa, 1);
	if (tried)
		pr_info("smp: %u of %u application processors started; %u CPUs online\n", started,
			tried, smp_cpus_online());
	return smp_cpus_online();
}

void ap_main(struct percpu *pc)
{
	ap_alive = 1;
	if ((int)pc->cpu_id == test_hang_cpu)
		arch_halt_forever();    /* as a CPU that faults or wedges in its set-up */
	percpu_load_descriptors(pc);
	idt_load();
	arch_cpu_setup_ap();
	if (lapic_init()) {
		pr_err("smp: CPU %u: local APIC unusable; stopping it\n", pc->cpu_id);
		arch_halt_forever();
	}
	arch_timer_init_ap();
	arch_fpu_init();
	pc->online = true;
	smp_mark_online();
	ap_setup();
	__atomic_store_n(&ap_ready, 1, __ATOMIC_RELEASE);
	ap_continue();
	arch_halt_forever();
}

/* ---- test.smp: every CPU answers, and a TLB shootdown reaches them all ---- */

static volatile u64 *probe_va;
static u64 probe_seen[ARCH_MAX_CPUS];

static void probe_read(void *arg)
{
	(void)arg;
	probe_seen[arch_cpu_id()] = *probe_va;
}

static unsigned probe_all(u64 want)
{
	unsigned ok = 0;

	memset(probe_seen, 0, sizeof(probe_seen));
	probe_read(NULL);
	arch_smp_call_others(probe_read, NULL);
	for (unsigned c = 0; c < ncpus; c++)
		if (cpu_area[c] && cpu_area[c]->online && probe_seen[c] == want)
			ok++;
	return ok;
}

int arch_smp_selftest(char *msg, size_t len)
{
	const u64 va_a = 0xa5a5a5a5a5a5a5a5ull, va_b = 0x5a5a5a5a5a5a5a5aull;
	paddr_t a = pmm_alloc(1, PAGE_SIZE), b = pmm_alloc(1, PAGE_SIZE);
	unsigned online = smp_cpus_online(), before, after;
	u64 *pte;

	if (!a || !b)
		return snprintf(msg, len, "out of memory"), -1;
	*(u64 *)phys_to_virt(a) = va_a;
	*(u64 *)phys_to_virt(b) = va_b;
	probe_va = arch_ioremap(a, PAGE_SIZE, false);
	pte = probe_va ? mmu_kernel_pte((u64)(uintptr_t)probe_va) : NULL;
	if (!pte)
		return snprintf(msg, len, "cannot map a probe page"), -1;
	/* Every CPU caches the translation to a... */
	before = probe_all(va_a);
	/* ...which now points at b, announced only by the shootdown. */
	*pte = (*pte & ~PTE_ADDR_MASK) | b;
	arch_tlb_shootdown((u64)(uintptr_t)probe_va, PAGE_SIZE);
	after = probe_all(va_b);
	snprintf(msg, len, "%u of %u CPUs answered a call; after remapping and a TLB shootdown "
		 "%u of %u read the new page", before, online, after, online);
	return before == online && after == online ? 0 : -1;
}
