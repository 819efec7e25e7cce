// SPDX-License-Identifier: MIT
/*
 * sched_bench.c: bench.sched, the cost of one scheduling decision (a pick
 * and the put that ends the run) with 4 to 64 runnable vCPUs on a private
 * policy instance, so no VM is disturbed. Run before the VMs start, on the
 * boot CPU with interrupts off; scripts/bench.sh runs it under QEMU
 * -icount, where TSC cycles count instructions.
 */
#include <tv/arch.h>
#include <tv/log.h>
#include <tv/sched.h>
#include <tv/sched_policy.h>
#include <tv/string.h>

#define BENCH_MAX 64
#define BENCH_ROUNDS 256
#define BENCH_CPUS 4

static struct sp_sched bs;
static struct sp_vm bvm[BENCH_MAX];
static struct sp_vcpu bv[BENCH_MAX];

static u64 one_size(unsigned n)
{
	const struct sp_vm_params p = { .shares = 1000, .nvcpus = 1 };
	u64 now = 1000000000ull, cycles = 0;
	char why[96];

	sp_init(&bs, BENCH_CPUS, (u32)(arch_tsc_hz() / 1000000));
	memset(bvm, 0, sizeof(bvm));
	memset(bv, 0, sizeof(bv));
	for (unsigned i = 0; i < n; i++) {
		if (sp_admit(&bs, &bvm[i], &p, why, sizeof(why)) ||
		    sp_add_vcpu(&bs, &bvm[i], &bv[i], now))
			return 0;
		sp_wake(&bs, &bv[i], now);
	}
	/* Every CPU busy: a decision is made where all n vCPUs compete. */
	for (unsigned c = 1; c < BENCH_CPUS; c++) {
		u64 until;

		sp_pick(&bs, c, now, &until);
	}
	for (unsigned r = 0; r < BENCH_ROUNDS; r++) {
		u64 until, t0 = arch_cycles();
		struct sp_vcpu *v = sp_pick(&bs, 0, now, &until);

		now = until;
		if (v)
			sp_put(&bs, v, now, false);
		cycles += arch_cycles() - t0;
		(void)sp_take_kicks(&bs);
	}
	return cycles / BENCH_ROUNDS;
}

void sched_bench(void)
{
	irqflags_t f = arch_irq_save();

	for (unsigned n = 4; n <= BENCH_MAX; n *= 2)
		pr_info("bench.sched: %u runnable vCPUs on %u CPUs: %llu cycles per decision "
			"(pick + put)\n", n, BENCH_CPUS, (unsigned long long)one_size(n));
	arch_irq_restore(f);
}
