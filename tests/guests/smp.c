// SPDX-License-Identifier: MIT
/*
 * smp.c: a VM with several vCPUs (smp.cpus=N, 2..16). vCPU 0 starts every
 * other one the way firmware and Linux do, INIT-SIPI-SIPI through its
 * local APIC; each AP runs a real-mode trampoline at 0x10000, goes to long
 * mode and reports in. Then IPIs between vCPUs: ping-pong (fixed vectors,
 * each side counts and answers), NMIs, logical and broadcast destinations,
 * lowest priority, the shorthands; then hostile ones: IPIs, INITs and
 * SIPIs to APIC IDs nobody has, an illegal vector, a SIPI to a running AP
 * (ignored), INIT and restart of an AP, an IPI storm from one AP at
 * another, an INIT storm. Last, with APs spinning, one AP sends INIT to
 * vCPU 0, which resets the VM; the second boot (a mark in CMOS RAM) starts
 * the APs again and passes. Only vCPU 0 prints.
 */
#include "rt.h"

TV_TEST_NAME("smp");

#define MAX_CPUS 16
#define TRAMP 0x10000ul          /* SIPI vector 0x10: free low RAM in the VM layout */
#define SIPI_VECTOR (TRAMP >> 12)
#define AP_STACK 16384

#define VEC_TIMER 0x30           /* vCPU 0's 10 ms tick: bounds every wait */
#define VEC_PING 0x40            /* answered with VEC_PONG to ping_src[me] */
#define VEC_PONG 0x41
#define VEC_COUNT 0x42           /* counted in got[me]; an AP answers vCPU 0 */
#define VEC_CMD 0x44             /* look at cmd[me] */
#define VEC_STORM 0x45           /* counted only */
#define VEC_SPURIOUS 0xff

#define LAPIC_LDR 0xd0
#define LAPIC_DFR 0xe0
#define LAPIC_ESR 0x280
#define LAPIC_ICR 0x300
#define LAPIC_ICR2 0x310
#define ICR_BUSY (1u << 12)
#define ICR_FIXED 0x000u
#define ICR_LOWEST 0x100u
#define ICR_NMI 0x400u
#define ICR_INIT 0x500u
#define ICR_SIPI 0x600u
#define ICR_LOGICAL (1u << 11)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_SELF (1u << 18)
#define ICR_ALL (2u << 18)
#define ICR_OTHERS (3u << 18)

#define MARK_REG 0x41
#define MARK 0xa5

enum { CMD_NONE, CMD_PING, CMD_STORM, CMD_INIT_STORM, CMD_INIT_BSP, CMD_SPIN };

/* What each vCPU reports (index: APIC ID = vCPU number). */
struct cpu_info {
	u32 online;              /* reached ap_main (count) */
	u32 lapic_id, cpuid_apic, x2apic_id;
	u64 apic_base;
	u64 up_tsc;
};

static struct cpu_info cpu[MAX_CPUS];
static volatile u32 online;              /* APs that reported in since the last reset of it */
static volatile u32 pongs[MAX_CPUS], pings[MAX_CPUS], got[MAX_CPUS], nmis[MAX_CPUS];
static volatile u32 storms[MAX_CPUS], ticks;
static volatile u32 ping_src[MAX_CPUS];
static volatile u64 ping_tsc[MAX_CPUS], ping_seen_tsc[MAX_CPUS];
static volatile u32 tsc_backwards;
static volatile u32 cmd[MAX_CPUS], cmd_arg[MAX_CPUS], cmd_arg2[MAX_CPUS];
static volatile u32 cmd_done[MAX_CPUS];
static u8 ap_stacks[MAX_CPUS][AP_STACK] __attribute__((aligned(4096)));
static unsigned ncpus;

/*
 * The AP trampoline, copied to TRAMP. Real mode at 0x1000:0000 (as the
 * SIPI starts it), then 32-bit protected mode, then long mode with vCPU
 * 0's CR3/CR4/EFER/CR0 and IDT; the stack is ap_stacks[APIC ID]. Absolute
 * addresses are (label - smp_tramp + 0x10000).
 */
#define T(l) "(" #l " - smp_tramp + 0x10000)"
__asm__(
	".section .rodata\n"
	".globl smp_tramp, smp_tramp_end, t_starts, t_cr0, t_cr3, t_cr4, t_efer, t_idtr, t_entry, t_stacks\n"
	".code16\n"
	"smp_tramp:\n"
	"	cli\n"
	"	movw %cs, %ax\n"
	"	movw %ax, %ds\n"
	"	lock incl (t_starts - smp_tramp)\n"  /* every real-mode start counts */
	"	lgdtl (t_gdtr - smp_tramp)\n"
	"	movl %cr0, %eax\n"
	"	orl $1, %eax\n"
	"	movl %eax, %cr0\n"
	"	ljmpl $0x08, $" T(t_pm32) "\n"
	".code32\n"
	"t_pm32:\n"
	"	movw $0x18, %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %es\n"
	"	movw %ax, %ss\n"
	"	movw %ax, %fs\n"
	"	movw %ax, %gs\n"
	"	movl " T(t_cr4) ", %eax\n"
	"	movl %eax, %cr4\n"
	"	movl " T(t_cr3) ", %eax\n"
	"	movl %eax, %cr3\n"
	"	movl $0xc0000080, %ecx\n"
	"	movl " T(t_efer) ", %eax\n"
	"	xorl %edx, %edx\n"
	"	wrmsr\n"                             /* EFER.LME (intercepted) */
	"	movl " T(t_cr0) ", %eax\n"
	"	movl %eax, %cr0\n"                   /* paging on: long mode */
	"	ljmp $0x10, $" T(t_pm64) "\n"
	".code64\n"
	"t_pm64:\n"
	"	movl $" T(t_idtr) ", %eax\n"
	"	lidt (%rax)\n"
	"	movl $1, %eax\n"
	"	cpuid\n"
	"	shrl $24, %ebx\n"                    /* initial APIC ID */
	"	andl $15, %ebx\n"
	"	leal 1(%rbx), %eax\n"
	"	imull $16384, %eax\n"
	"	movl $" T(t_stacks) ", %ecx\n"
	"	movq (%rcx), %rsp\n"
	"	addq %rax, %rsp\n"
	"	xorl %ebp, %ebp\n"
	"	movl %ebx, %edi\n"
	"	movl $" T(t_entry) ", %ecx\n"
	"	call *(%rcx)\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".balign 8\n"
	"t_gdt:\n"
	"	.quad 0\n"
	"	.quad 0x00cf9b000000ffff\n"          /* 0x08: 32-bit code */
	"	.quad 0x00af9b000000ffff\n"          /* 0x10: 64-bit code, as vCPU 0's CS */
	"	.quad 0x00cf93000000ffff\n"          /* 0x18: data */
	"t_gdtr:\n"
	"	.word 31\n"
	"	.long " T(t_gdt) "\n"
	".balign 8\n"
	"t_starts: .long 0\n"
	"t_cr0: .long 0\n"
	"t_cr3: .long 0\n"
	"t_cr4: .long 0\n"
	"t_efer: .long 0\n"
	".balign 8\n"
	"t_entry: .quad 0\n"
	"t_stacks: .quad 0\n"
	"t_idtr: .word 0\n"
	"	.quad 0\n"
	"smp_tramp_end:\n"
	".previous\n");

extern const u8 smp_tramp[], smp_tramp_end[], t_starts[], t_cr0[], t_cr3[], t_cr4[], t_efer[],
	t_idtr[], t_entry[], t_stacks[];

/* The trampoline's fields at TRAMP, where the APs see them. */
#define TFIELD(type, sym) (*(volatile type *)(TRAMP + (uptr)((sym) - smp_tramp)))

/* This CPU's number, from its stack: no exit. */
static unsigned me(void)
{
	uptr sp = (uptr)__builtin_frame_address(0);
	uptr base = (uptr)ap_stacks;

	if (sp >= base && sp < base + sizeof(ap_stacks))
		return (unsigned)((sp - base) / AP_STACK);
	return 0;
}

/* ICR2 then ICR, with interrupts off: a handler sending in between would clobber ICR2. */
static u32 send(u32 dest, u32 lo)
{
	u64 fl = read_rflags();
	u32 busy = 0;

	cli();
	for (int i = 0; i < 1000 && (lapic_read(LAPIC_ICR) & ICR_BUSY); i++)
		busy++;
	lapic_write(LAPIC_ICR2, dest << 24);
	lapic_write(LAPIC_ICR, lo);
	if (lapic_read(LAPIC_ICR) & ICR_BUSY)
		busy++;
	if (fl & (1u << 9))
		sti();
	return busy;
}

static u32 esr(void)
{
	lapic_write(LAPIC_ESR, 0);      /* latches the errors since the last write */
	return lapic_read(LAPIC_ESR);
}

/* ---- interrupt handlers (every vCPU) ---- */

static void on_tick(struct tv_frame *f)
{
	(void)f;
	ticks++;
	lapic_write(LAPIC_EOI, 0);
}

static void on_ping(struct tv_frame *f)
{
	unsigned c = me();
	u64 t = rdtsc();

	(void)f;
	if (t < ping_tsc[c])
		tsc_backwards++;
	ping_seen_tsc[c] = t;
	pings[c]++;
	lapic_write(LAPIC_EOI, 0);
	send(ping_src[c], VEC_PONG | ICR_ASSERT);
}

static void on_pong(struct tv_frame *f)
{
	(void)f;
	pongs[me()]++;
	lapic_write(LAPIC_EOI, 0);
}

static void on_count(struct tv_frame *f)
{
	unsigned c = me();

	(void)f;
	got[c]++;
	lapic_write(LAPIC_EOI, 0);
	if (c)
		send(0, VEC_PONG | ICR_ASSERT);
}

static void on_storm(struct tv_frame *f)
{
	(void)f;
	storms[me()]++;
	lapic_write(LAPIC_EOI, 0);
}

static void on_nmi(struct tv_frame *f)
{
	unsigned c = me();

	(void)f;
	nmis[c]++;
	if (c)
		send(0, VEC_PONG | ICR_ASSERT);
}

static void on_cmd(struct tv_frame *f)
{
	(void)f;
	lapic_write(LAPIC_EOI, 0);      /* the AP's main loop looks at cmd[] */
}

static void on_spurious(struct tv_frame *f)
{
	(void)f;
}

static void lapic_setup(unsigned c)
{
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(LAPIC_DFR, 0xffffffffu);        /* flat model */
	lapic_write(LAPIC_LDR, (1u << c) << 24);     /* logical ID: one bit per vCPU (< 8) */
	lapic_write(LAPIC_TPR, 0);
}

/* ---- the APs ---- */

static void run_cmd(unsigned c, u32 what, u32 arg, u32 arg2)
{
	switch (what) {
	case CMD_PING: /* arg2 rounds of ping-pong with vCPU arg */
		for (u32 i = 0; i < arg2; i++) {
			u32 before = pongs[c];

			ping_src[arg] = c;
			ping_tsc[arg] = rdtsc();
			send(arg, VEC_PING | ICR_ASSERT);
			while (pongs[c] == before) {
				sti_hlt();
				cli();
			}
		}
		break;
	case CMD_STORM: /* arg2 fixed IPIs at vCPU arg, as fast as the ICR takes them */
		for (u32 i = 0; i < arg2; i++)
			send(arg, VEC_STORM | ICR_ASSERT);
		break;
	case CMD_INIT_STORM:
		for (u32 i = 0; i < arg2; i++)
			send(arg, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
		break;
	case CMD_INIT_BSP:
		send(0, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
		break;
	case CMD_SPIN: /* busy in the guest, interrupts on: a reset must still get it out */
		sti();
		for (;;)
			cpu_relax();
	}
}

void ap_main(u32 apic_id);
void ap_main(u32 apic_id)
{
	unsigned c = apic_id;

	if (c != me())
		tv_fail("vCPU with APIC ID %u runs on stack %u", c, me());
	cpu[c].lapic_id = lapic_read(LAPIC_ID) >> 24;
	cpu[c].cpuid_apic = cpuid(1, 0).ebx >> 24;
	cpu[c].x2apic_id = cpuid(0xb, 0).edx;
	cpu[c].apic_base = rdmsr(MSR_APIC_BASE);
	cpu[c].up_tsc = rdtsc();
	lapic_setup(c);
	cpu[c].online++;
	__atomic_add_fetch(&online, 1, __ATOMIC_SEQ_CST);
	send(0, VEC_PONG | ICR_ASSERT);
	for (;;) {
		u32 what;

		cli();
		what = cmd[c];
		if (!what) {
			sti_hlt();
			continue;
		}
		cmd[c] = CMD_NONE;
		run_cmd(c, what, cmd_arg[c], cmd_arg2[c]);
		cmd_done[c]++;
		send(0, VEC_PONG | ICR_ASSERT);
	}
}

/* ---- vCPU 0 ---- */

/* Wait with interrupts on (in hlt) until *p reaches want; 0 after ms milliseconds. */
static int wait_for(volatile u32 *p, u32 want, u64 ms)
{
	u64 end = rdtsc() + us_to_tsc(ms * 1000);

	while (*p < want) {
		if ((s64)(rdtsc() - end) > 0)
			return 0;
		sti_hlt();
		cli();
	}
	return 1;
}

/* Let the others run for about ms milliseconds. */
static void idle(u64 ms)
{
	u32 t = ticks;

	wait_for(&ticks, t + (u32)(ms / 10) + 1, ms + 100);
}

static void command(unsigned c, u32 what, u32 arg, u32 arg2)
{
	cmd_arg[c] = arg;
	cmd_arg2[c] = arg2;
	cmd[c] = what;
	send(c, VEC_CMD | ICR_ASSERT);
}

/* INIT, INIT de-assert, SIPI, SIPI: what Linux's smpboot sends, checking ESR like it does. */
static void init_sipi_sipi(unsigned c, u32 *esr_bad)
{
	*esr_bad |= esr();
	send(c, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
	send(c, ICR_INIT | ICR_LEVEL);                  /* de-assert: a no-op since the P4 */
	for (int i = 0; i < 2; i++) {
		*esr_bad |= esr();
		send(c, ICR_SIPI | SIPI_VECTOR);
		*esr_bad |= esr();
	}
}

static void tramp_install(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr;
	u64 cr3;

	memcpy((void *)TRAMP, smp_tramp, (unsigned long)(smp_tramp_end - smp_tramp));
	asm volatile("mov %%cr3, %0; sidt %1" : "=r"(cr3), "=m"(idtr));
	TFIELD(u32, t_cr0) = (u32)read_cr0();
	TFIELD(u32, t_cr3) = (u32)cr3;
	TFIELD(u32, t_cr4) = (u32)read_cr4() & ~(1u << 17); /* no PCIDE outside long mode */
	TFIELD(u32, t_efer) = (u32)rdmsr(MSR_EFER) & ~(1u << 10); /* LMA is the CPU's */
	TFIELD(u64, t_entry) = (u64)(uptr)ap_main;
	TFIELD(u64, t_stacks) = (u64)(uptr)ap_stacks;
	TFIELD(u16, t_idtr) = idtr.limit;
	*(volatile u64 *)(TRAMP + (uptr)(t_idtr - smp_tramp) + 2) = idtr.base;
}

static void bsp_setup(void)
{
	tv_set_handler(VEC_TIMER, on_tick);
	tv_set_handler(VEC_PING, on_ping);
	tv_set_handler(VEC_PONG, on_pong);
	tv_set_handler(VEC_COUNT, on_count);
	tv_set_handler(VEC_CMD, on_cmd);
	tv_set_handler(VEC_STORM, on_storm);
	tv_set_handler(2, on_nmi);
	tv_set_handler(VEC_SPURIOUS, on_spurious);
	lapic_setup(0);
	/* A 10 ms tick (1 GHz APIC bus / 16) so that no wait in hlt lasts forever. */
	lapic_write(LAPIC_TIMER_DCR, 0x3);
	lapic_write(LAPIC_LVT_TIMER, (1u << 17) | VEC_TIMER);
	lapic_write(LAPIC_TIMER_ICR, 625000);
	tsc_hz();
	tramp_install();
}

/* Start every AP; 1 if all reported in. */
static int start_aps(void)
{
	u32 esr_bad = 0;
	int ok = 1;

	for (unsigned c = 1; c < ncpus; c++) {
		u32 before = online;

		init_sipi_sipi(c, &esr_bad);
		ok &= tv_check(wait_for(&online, before + 1, 3000), "vCPU %u reports in after INIT-SIPI-SIPI", c);
	}
	tv_check(!esr_bad, "ESR stays 0 during INIT-SIPI-SIPI (read %#x)", esr_bad);
	return ok;
}

static void check_identity(void)
{
	u32 sid = cpuid(1, 0).ebx >> 24;

	tv_check(sid == 0 && (lapic_read(LAPIC_ID) >> 24) == 0, "vCPU 0: APIC ID 0, CPUID initial APIC ID %u", sid);
	tv_check(rdmsr(MSR_APIC_BASE) & (1u << 8), "vCPU 0: IA32_APIC_BASE has the BSP bit");
	for (unsigned c = 1; c < ncpus; c++) {
		struct cpu_info *i = &cpu[c];

		tv_check(i->lapic_id == c && i->cpuid_apic == c && i->x2apic_id == c,
			 "vCPU %u: LAPIC ID %u, CPUID.1 APIC ID %u, CPUID.B x2APIC ID %u", c, i->lapic_id,
			 i->cpuid_apic, i->x2apic_id);
		tv_check(!(i->apic_base & (1u << 8)) && (i->apic_base & (1u << 11)),
			 "vCPU %u: IA32_APIC_BASE %#llx: enabled, no BSP bit", c, i->apic_base);
	}
}

/*
 * rounds of ping-pong between vCPU 0 and vCPU c; the TSC must not go back
 * between them. The pong wakes vCPU 0; what it waits for is c's count (a
 * pong of another AP may be on its way too).
 */
static int ping(unsigned c, u32 rounds)
{
	for (u32 i = 0; i < rounds; i++) {
		u32 before = pings[c];

		ping_src[c] = 0;
		ping_tsc[c] = rdtsc();
		send(c, VEC_PING | ICR_ASSERT);
		if (!wait_for(&pings[c], before + 1, 2000))
			return 0;
		if (rdtsc() < ping_seen_tsc[c])
			tsc_backwards++;
	}
	return 1;
}

static u32 total(volatile u32 *a)
{
	u32 n = 0;

	for (unsigned c = 0; c < ncpus; c++)
		n += a[c];
	return n;
}

/* Wait until the counters of all vCPUs add up to want. */
static int wait_total(volatile u32 *a, u32 want, u64 ms)
{
	u64 end = rdtsc() + us_to_tsc(ms * 1000);

	while (total(a) < want) {
		if ((s64)(rdtsc() - end) > 0)
			return 0;
		sti_hlt();
		cli();
	}
	return 1;
}

static void ipi_tests(u32 rounds)
{
	u32 p;

	for (unsigned c = 1; c < ncpus; c++) {
		u32 pc = pings[c];

		tv_check(ping(c, rounds) && pings[c] == pc + rounds,
			 "ping-pong vCPU 0 <-> vCPU %u: %u rounds", c, rounds);
	}
	if (ncpus >= 3) {
		u32 pc = pings[2], done = cmd_done[1];
		int ok;

		command(1, CMD_PING, 2, rounds);
		ok = wait_for(&cmd_done[1], done + 1, 5000);
		tv_check(ok && pings[2] == pc + rounds, "ping-pong vCPU 1 <-> vCPU 2: %u rounds (%u pings)",
			 rounds, pings[2] - pc);
	}
	tv_check(!tsc_backwards, "the TSC never went back from one vCPU to another (%u times)",
		 tsc_backwards);

	/* NMIs: each is handled and answered; the next is taken after the handler's IRET. */
	for (unsigned c = 1; c < ncpus; c++) {
		u32 n = nmis[c];

		for (u32 k = 1; k <= 3; k++) {
			send(c, ICR_NMI | ICR_ASSERT);
			wait_for(&nmis[c], n + k, 2000);
		}
		tv_check(nmis[c] == n + 3, "NMI IPIs to vCPU %u: 3 sent, %u handled", c, nmis[c] - n);
	}

	/*
	 * Destinations and shorthands, counted in got[]: the APs' answers to
	 * vCPU 0 coalesce in its IRR when they come at once, so they only wake it.
	 */
	u32 aps = ncpus - 1, mask = 0, g;

	for (unsigned c = 1; c < ncpus && c < 8; c++)
		mask |= 1u << c;
	p = got[0];
	g = total(got);
	send(mask, VEC_COUNT | ICR_ASSERT | ICR_LOGICAL);
	tv_check(wait_total(got, g + (ncpus < 8 ? aps : 7), 2000) && got[0] == p,
		 "logical destination %#x reaches every AP in it", mask);
	g = total(got);
	send(0, VEC_COUNT | ICR_ASSERT | ICR_OTHERS);
	tv_check(wait_total(got, g + aps, 2000) && got[0] == p,
		 "all-excluding-self reaches every AP and not the sender");
	g = total(got);
	send(0, VEC_COUNT | ICR_ASSERT | ICR_ALL);
	tv_check(wait_total(got, g + ncpus, 2000) && got[0] == p + 1,
		 "all-including-self reaches every vCPU");
	g = total(got);
	send(0xff, VEC_COUNT | ICR_ASSERT);
	tv_check(wait_total(got, g + ncpus, 2000) && got[0] == p + 2,
		 "physical broadcast 0xff reaches every vCPU");
	send(0, VEC_COUNT | ICR_ASSERT | ICR_SELF);
	tv_check(wait_for(&got[0], p + 3, 500), "self IPI");

	/* Lowest priority: one AP per message, spread over the APs when they are alike. */
	u32 g0[MAX_CPUS], takers = 0, all = total(got);

	for (unsigned c = 0; c < ncpus; c++)
		g0[c] = got[c];
	for (unsigned k = 0; k < 2 * aps; k++) {
		send(mask, VEC_COUNT | ICR_ASSERT | ICR_LOWEST | ICR_LOGICAL);
		wait_total(got, all + k + 1, 2000);
	}
	idle(30);
	for (unsigned c = 1; c < ncpus; c++)
		takers += got[c] != g0[c];
	tv_check(total(got) == all + 2 * aps && (aps == 1 || takers > 1),
		 "lowest priority: %u messages, %u delivered, %u APs took some", 2 * aps,
		 total(got) - all, takers);
}

static void hostile_tests(u32 storm)
{
	static const u32 nobody[] = { 0x10, 0x7f, 0xfe };
	u32 g = total(got), n = total(nmis), st = TFIELD(u32, t_starts), on = online, b = 0;

	/* APIC IDs nobody has: fixed, NMI, INIT, SIPI, also logically addressed. */
	for (unsigned i = 0; i < ARRAY_SIZE(nobody); i++) {
		if (nobody[i] < ncpus)
			continue;
		b |= send(nobody[i], VEC_COUNT | ICR_ASSERT);
		b |= send(nobody[i], ICR_NMI | ICR_ASSERT);
		b |= send(nobody[i], ICR_INIT | ICR_ASSERT | ICR_LEVEL);
		b |= send(nobody[i], ICR_SIPI | SIPI_VECTOR);
	}
	b |= send(0x80, ICR_INIT | ICR_ASSERT | ICR_LEVEL | ICR_LOGICAL);
	idle(30);
	tv_check(!b, "the ICR reads idle after every IPI");
	tv_check(!esr(), "IPIs to APIC IDs nobody has log no error");
	tv_check(total(got) == g && total(nmis) == n && TFIELD(u32, t_starts) == st,
		 "IPIs, NMIs, INITs, SIPIs to APIC IDs nobody has reach no vCPU");
	send(1, 0x03 | ICR_ASSERT);
	tv_check(esr() == 0x20, "an IPI with vector 3: ESR 'send illegal vector'");

	/* A SIPI to an AP that does not wait for one is ignored. */
	send(1, ICR_SIPI | SIPI_VECTOR);
	idle(30);
	tv_check(TFIELD(u32, t_starts) == st && ping(1, 1), "a SIPI to a running AP is ignored");

	/* INIT stops an AP (its APIC is reset: it takes no interrupt) until a SIPI. */
	unsigned v = ncpus - 1;
	u32 pc = pings[v];

	send(v, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
	idle(20);
	ping_src[v] = 0;
	send(v, VEC_PING | ICR_ASSERT);
	send(v, ICR_NMI | ICR_ASSERT);
	idle(50);
	tv_check(pings[v] == pc && total(nmis) == n, "an AP after INIT takes no interrupt, no NMI");
	u32 e = 0;

	init_sipi_sipi(v, &e);
	int up = wait_for(&online, on + 1, 3000);

	idle(30);       /* the second SIPI must not start it again */
	tv_check(up && TFIELD(u32, t_starts) == st + 1 && ping(v, 3),
		 "INIT-SIPI-SIPI restarts it once (real-mode starts %u -> %u)", st,
		 TFIELD(u32, t_starts));

	/* An IPI storm from one AP at another, then an INIT storm. */
	if (ncpus >= 3) {
		u32 done = cmd_done[1], s = storms[2];

		command(1, CMD_STORM, 2, storm);
		tv_check(wait_for(&cmd_done[1], done + 1, 60000), "vCPU 1 sent %u IPIs at vCPU 2", storm);
		idle(30);
		tv_check(storms[2] > s && storms[2] - s <= storm,
			 "vCPU 2 took %u of them (equal vectors coalesce in IRR)", storms[2] - s);
		tv_check(ping(2, 3), "vCPU 2 still answers pings after the storm");
		on = online;
		st = TFIELD(u32, t_starts);
		done = cmd_done[1];
		command(1, CMD_INIT_STORM, 2, storm / 10);
		tv_check(wait_for(&cmd_done[1], done + 1, 60000), "vCPU 1 sent %u INITs at vCPU 2",
			 storm / 10);
		init_sipi_sipi(2, &e);
		up = wait_for(&online, on + 1, 3000);
		tv_check(up && TFIELD(u32, t_starts) == st + 1 && ping(2, 3),
			 "vCPU 2 starts again, once, after the INIT storm");
	}
	for (unsigned c = 1; c < ncpus; c++)
		tv_check(ping(c, 2), "vCPU %u answers pings at the end", c);
}

void guest_main(const u8 *boot_params)
{
	u32 want = (u32)cmdline_u64("smp.cpus", 2);
	u32 rounds = (u32)cmdline_u64("smp.rounds", 100);
	u32 storm = (u32)cmdline_u64("smp.storm", 3000);
	int second = cmos_read(MARK_REG) == MARK;

	(void)boot_params;
	ncpus = cpuid(0xb, 1).ebx & 0xffff;
	tv_printf("smp: %s boot, %u vCPUs (CPUID leaf 0xb), smp.cpus=%u\n",
		  second ? "second" : "first", ncpus, want);
	if (ncpus != want || ncpus < 2 || ncpus > MAX_CPUS)
		tv_fail("CPUID leaf 0xb reports %u vCPUs, smp.cpus=%u", ncpus, want);
	bsp_setup();
	if (!start_aps())
		tv_finish();
	tv_check(online == ncpus - 1 && TFIELD(u32, t_starts) == ncpus - 1,
		 "%u APs online, %u real-mode starts", online, TFIELD(u32, t_starts));
	if (second) {
		cmos_write(MARK_REG, 0);
		for (unsigned c = 1; c < ncpus; c++)
			tv_check(ping(c, 2), "after the reset: vCPU %u answers pings", c);
		tv_printf("TV-TEST smp: second boot after INIT to vCPU 0\n");
		tv_finish();
	}
	check_identity();
	ipi_tests(rounds);
	hostile_tests(storm);
	if (tv_failures())
		tv_finish();

	/* The reset: APs busy in the guest, the last one sends INIT to vCPU 0. */
	cmos_write(MARK_REG, MARK);
	tv_printf("TV-TEST smp: first boot done; vCPU %u sends INIT to vCPU 0\n", ncpus - 1);
	for (unsigned c = 1; c + 1 < ncpus; c++)
		command(c, CMD_SPIN, 0, 0);
	idle(30);
	command(ncpus - 1, CMD_INIT_BSP, 0, 0);
	idle(3000);
	cmos_write(MARK_REG, 0);
	tv_fail("still running 3 s after INIT to vCPU 0");
}
