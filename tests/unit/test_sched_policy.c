// SPDX-License-Identifier: MIT
/*
 * test_sched_policy.c: the CPU policy (kernel/sched_policy.c) driven by a
 * small discrete-event simulator of host CPUs, so shares, reservations,
 * limits, affinity and co-scheduling can be measured in simulated time.
 */
#include "test.h"

#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/sched_policy.h>

#define MS 1000000ull
#define SEC 1000000000ull
#define MHZ 1000u

/* A vCPU and its workload: CPU-bound (burst 0) or run burst ns, halt for sleep ns. */
struct task {
	struct sp_vcpu v;
	u64 burst, sleep;
	u64 left;               /* CPU time before it halts */
	u64 wake_at;            /* halted by the workload until then; 0: not */
	u64 ready_at;           /* became READY */
	u64 max_wait;           /* longest READY stretch before a pick */
	u64 ran_on;             /* CPUs it was picked on */
	u64 picks;
};

struct sim {
	struct sp_sched s;
	u64 now;
	struct {
		struct task *cur;
		u64 start, until, timer;
	} cpu[SP_MAX_CPUS];
	struct sp_vm vms[512];
	unsigned nvms;
	struct task tasks[512];
	unsigned ntasks;
	unsigned bad;           /* picks that broke an invariant */
	bool audit;             /* look for idle CPUs that could run something */
	unsigned idle_missed;
};

static struct sim sim;

static void sim_init(unsigned ncpus)
{
	memset(&sim, 0, sizeof(sim));
	sp_init(&sim.s, ncpus, MHZ);
}

static struct sp_vm *vm_add(u32 shares, u32 min, u32 max, u64 affinity, unsigned nvcpus)
{
	struct sp_vm_params p = { shares, min, max, affinity, nvcpus };
	struct sp_vm *vm = &sim.vms[sim.nvms++];
	char why[160];
	int r = sp_admit(&sim.s, vm, &p, why, sizeof(why));

	if (r)
		fprintf(stderr, "[%s] admission refused: %s\n", test_current, why);
	CHECK_EQ(r, 0);
	return vm;
}

static struct task *task_add(struct sp_vm *vm, u64 burst, u64 sleep, bool runnable)
{
	struct task *t = &sim.tasks[sim.ntasks++];

	t->burst = t->left = burst;
	t->sleep = sleep;
	CHECK_EQ(sp_add_vcpu(&sim.s, vm, &t->v, sim.now), 0);
	if (runnable) {
		t->ready_at = sim.now;
		sp_wake(&sim.s, &t->v, sim.now);
	}
	return t;
}

/* CPUs v may run on, as the header defines them. */
static u64 allowed(const struct sp_vcpu *v)
{
	u64 vm = v->vm->p.affinity & sim.s.all, m;

	if (!vm)
		vm = sim.s.all;
	m = v->affinity & vm;
	return m ? m : vm;
}

/* CPU c stops what it runs (the workload decides: halt or preempted) and picks again. */
static void resched(unsigned c)
{
	struct task *t = sim.cpu[c].cur;
	struct sp_vcpu *v;
	u64 until = 0;

	if (t) {
		u64 ran = sim.now - sim.cpu[c].start;
		bool halt = false;

		if (t->burst) {
			t->left -= ran < t->left ? ran : t->left;
			if (!t->left) {
				halt = true;
				t->left = t->burst;
				t->wake_at = sim.now + t->sleep;
			}
		}
		sp_put(&sim.s, &t->v, sim.now, halt);
		if (!halt)
			t->ready_at = sim.now;
		sim.cpu[c].cur = NULL;
	}
	v = sp_pick(&sim.s, c, sim.now, &until);
	sim.cpu[c].timer = 0;
	if (!v) {
		sim.cpu[c].timer = sp_next_event(&sim.s, c, sim.now);
		if (sim.cpu[c].timer && sim.cpu[c].timer <= sim.now)
			sim.bad++;      /* would spin */
		return;
	}
	t = container_of(v, struct task, v);
	for (unsigned o = 0; o < sim.s.ncpus; o++)
		if (sim.cpu[o].cur == t)
			sim.bad++;
	if (v->state != SP_RUNNING || v->cpu != (int)c || until <= sim.now ||
	    until > sim.now + SP_SLICE_NS || !(allowed(v) >> c & 1) || sim.s.cpu[c].curr != v)
		sim.bad++;
	if (sim.now - t->ready_at > t->max_wait)
		t->max_wait = sim.now - t->ready_at;
	t->ran_on |= 1ull << c;
	t->picks++;
	sim.cpu[c].cur = t;
	sim.cpu[c].start = sim.now;
	sim.cpu[c].until = until;
}

static u64 cpu_event(unsigned c)
{
	struct task *t = sim.cpu[c].cur;

	if (!t)
		return sim.cpu[c].timer;
	if (t->burst && sim.cpu[c].start + t->left < sim.cpu[c].until)
		return sim.cpu[c].start + t->left;
	return sim.cpu[c].until;
}

/* Run the host until `end`: wake-ups, run ends, timers and kicks, in time order. */
static void sim_run(u64 end)
{
	unsigned spins = 0;

	for (;;) {
		u64 kicks = sp_take_kicks(&sim.s), next = end;

		if (kicks) {
			/* An IPI: an idle CPU looks, a busy one preempts its vCPU. */
			if (++spins > 100000) {
				sim.bad++;
				return;
			}
			for (unsigned c = 0; c < sim.s.ncpus; c++)
				if (kicks >> c & 1)
					resched(c);
			continue;
		}
		spins = 0;
		/* Settled: an idle CPU that finds work now should have been kicked. */
		for (unsigned c = 0; sim.audit && c < sim.s.ncpus; c++) {
			if (sim.cpu[c].cur)
				continue;
			resched(c);
			if (sim.cpu[c].cur)
				sim.idle_missed++;
		}
		for (unsigned c = 0; c < sim.s.ncpus; c++) {
			u64 e = cpu_event(c);

			if (e && e < next)
				next = e;
		}
		for (unsigned i = 0; i < sim.ntasks; i++)
			if (sim.tasks[i].wake_at && sim.tasks[i].wake_at < next)
				next = sim.tasks[i].wake_at;
		if (next >= end) {
			sim.now = end;
			return;
		}
		sim.now = next;
		for (unsigned i = 0; i < sim.ntasks; i++) {
			struct task *t = &sim.tasks[i];

			if (t->wake_at && t->wake_at <= sim.now) {
				t->wake_at = 0;
				t->ready_at = sim.now;
				sp_wake(&sim.s, &t->v, sim.now);
			}
		}
		for (unsigned c = 0; c < sim.s.ncpus; c++) {
			u64 e = cpu_event(c);

			if (e && e <= sim.now)
				resched(c);
		}
	}
}

/* |a / b - want| <= tol, as ratios. */
static bool near(double a, double b, double want, double tol)
{
	double r = b ? a / b : 0;

	return r >= want * (1 - tol) && r <= want * (1 + tol);
}

static void check_pct_sums(void)
{
	for (unsigned i = 0; i < sim.ntasks; i++) {
		const struct sp_pct *p = &sim.tasks[i].v.pct;

		CHECK_EQ(p->run + p->rdy + p->wait, 1000);
		CHECK(p->cstp + p->mlmtd <= p->rdy + 1);
	}
}

/* ---- 1. shares ---------------------------------------------------------- */

TEST(shares_2_to_1)
{
	sim_init(2);
	/* Both pinned to CPU 1; CPU 0 stays idle. */
	struct task *a = task_add(vm_add(2000, 0, 0, 0x2, 1), 0, 0, true);
	struct task *b = task_add(vm_add(1000, 0, 0, 0x2, 1), 0, 0, true);

	sim_run(10 * SEC);
	sp_sample(&sim.s, sim.now);
	CHECK_EQ(sim.bad, 0);
	CHECK(near((double)a->v.run_ns, (double)b->v.run_ns, 2.0, 0.05));
	CHECK(a->v.run_ns + b->v.run_ns == 10 * SEC);
	CHECK(near(a->v.pct.run, 1000, 2.0 / 3, 0.02));
	CHECK(near(b->v.pct.rdy, 1000, 2.0 / 3, 0.02));
	CHECK_EQ(a->ran_on | b->ran_on, 0x2);
	check_pct_sums();
}

TEST(shares_many_cpus)
{
	/* Six equal VMs on four CPUs: each gets 4/6 of a CPU. */
	struct task *t[6];

	sim_init(4);
	for (int i = 0; i < 6; i++)
		t[i] = task_add(vm_add(1000, 0, 0, 0, 1), 0, 0, true);
	sim_run(10 * SEC);
	CHECK_EQ(sim.bad, 0);
	for (int i = 0; i < 6; i++)
		CHECK(near((double)t[i]->v.run_ns, 10.0 * SEC, 4.0 / 6, 0.05));

	/* A VM's shares are split over its vCPUs: 2 vCPUs at 2000 vs 1 vCPU at 1000 on one CPU. */
	sim_init(1);
	struct sp_vm *x = vm_add(2000, 0, 0, 0, 2);
	struct task *x0 = task_add(x, 0, 0, true), *x1 = task_add(x, 0, 0, true);
	struct task *y = task_add(vm_add(1000, 0, 0, 0, 1), 0, 0, true);

	sim_run(10 * SEC);
	CHECK_EQ(sim.bad, 0);
	CHECK(near((double)(x0->v.run_ns + x1->v.run_ns), (double)y->v.run_ns, 2.0, 0.05));
	CHECK(near((double)x0->v.run_ns, (double)x1->v.run_ns, 1.0, 0.05));
}

/* ---- 2. reservation ------------------------------------------------------- */

TEST(reservation)
{
	struct task *a, *h[3];

	/* Without a reservation a low-share VM gets its 500 / 6500 of the CPU... */
	sim_init(1);
	a = task_add(vm_add(500, 0, 0, 0, 1), 0, 0, true);
	for (int i = 0; i < 3; i++)
		h[i] = task_add(vm_add(2000, 0, 0, 0, 1), 0, 0, true);
	sim_run(10 * SEC);
	CHECK_EQ(sim.bad, 0);
	CHECK(near((double)a->v.run_ns, 10.0 * SEC, 500.0 / 6500, 0.05));

	/* ...with 600 MHz of a 1000 MHz CPU reserved it gets 60%, the hogs share the rest. */
	sim_init(1);
	a = task_add(vm_add(500, 600, 0, 0, 1), 0, 0, true);
	for (int i = 0; i < 3; i++)
		h[i] = task_add(vm_add(2000, 0, 0, 0, 1), 0, 0, true);
	sim_run(10 * SEC);
	sp_sample(&sim.s, sim.now);
	CHECK_EQ(sim.bad, 0);
	CHECK(a->v.run_ns >= 10 * SEC * 59 / 100);
	CHECK(a->v.run_ns <= 10 * SEC * 62 / 100);
	for (int i = 1; i < 3; i++)
		CHECK(near((double)h[i]->v.run_ns, (double)h[0]->v.run_ns, 1.0, 0.05));
	check_pct_sums();

	/* A reservation below the fair share changes nothing: the VM gets the larger. */
	sim_init(1);
	a = task_add(vm_add(2000, 100, 0, 0, 1), 0, 0, true);
	h[0] = task_add(vm_add(1000, 0, 0, 0, 1), 0, 0, true);
	sim_run(10 * SEC);
	CHECK(near((double)a->v.run_ns, (double)h[0]->v.run_ns, 2.0, 0.05));

	/* A 2-vCPU VM reserving 1.5 CPUs of 2 against high-share hogs on all CPUs. */
	sim_init(2);
	struct sp_vm *r = vm_add(1, 1500, 0, 0, 2);
	struct task *r0 = task_add(r, 0, 0, true), *r1 = task_add(r, 0, 0, true);

	for (int i = 0; i < 3; i++)
		task_add(vm_add(100000, 0, 0, 0, 1), 0, 0, true);
	sim_run(10 * SEC);
	CHECK_EQ(sim.bad, 0);
	CHECK(r0->v.run_ns + r1->v.run_ns >= 10 * SEC * 3 / 2 * 98 / 100);
}

/* ---- 3. limit ------------------------------------------------------------- */

TEST(limit)
{
	struct task *a;
	u64 until;

	/* Half a CPU, alone on an idle 2-CPU host. */
	sim_init(2);
	a = task_add(vm_add(1000, 0, 500, 0, 1), 0, 0, true);
	sim_run(10 * SEC);
	sp_sample(&sim.s, sim.now);
	CHECK_EQ(sim.bad, 0);
	CHECK(near((double)a->v.run_ns, 10.0 * SEC, 0.5, 0.02));
	CHECK(near(a->v.pct.run, 1000, 0.5, 0.02));
	CHECK(near(a->v.pct.mlmtd, 1000, 0.5, 0.02));
	CHECK(a->v.pct.mlmtd <= a->v.pct.rdy);
	CHECK_EQ(a->v.pct.wait, 0);
	check_pct_sums();

	/* By hand: the run is cut where the budget ends, the idle CPU learns when to look again. */
	sim_init(1);
	a = task_add(vm_add(1000, 0, 250, 0, 1), 0, 0, true);
	CHECK(sp_pick(&sim.s, 0, 0, &until) == &a->v);
	CHECK_EQ(until, SP_SLICE_NS);
	sp_put(&sim.s, &a->v, 20 * MS, false);
	CHECK(sp_pick(&sim.s, 0, 20 * MS, &until) == &a->v);
	CHECK_EQ(until, 25 * MS);       /* 25 ms of each 100 ms window */
	sp_put(&sim.s, &a->v, 25 * MS, false);
	CHECK(sp_pick(&sim.s, 0, 25 * MS, &until) == NULL);
	CHECK_EQ(sp_next_event(&sim.s, 0, 25 * MS), SP_WINDOW_NS);
	CHECK(sp_pick(&sim.s, 0, SP_WINDOW_NS - 1, &until) == NULL);
	CHECK(sp_pick(&sim.s, 0, SP_WINDOW_NS, &until) == &a->v);
	/* An overshoot (a late timer) is paid back: 40 ms run, 15 ms of debt, next window 10 ms. */
	sp_put(&sim.s, &a->v, SP_WINDOW_NS + 40 * MS, false);
	CHECK(sp_pick(&sim.s, 0, SP_WINDOW_NS + 40 * MS, &until) == NULL);
	CHECK(sp_pick(&sim.s, 0, 2 * SP_WINDOW_NS, &until) == &a->v);
	CHECK_EQ(until, 2 * SP_WINDOW_NS + 10 * MS);

	/* A 2-vCPU VM limited to 1.5 CPUs on 4 idle CPUs: the limit counts all its vCPUs. */
	sim_init(4);
	struct sp_vm *m = vm_add(1000, 0, 1500, 0, 2);
	struct task *m0 = task_add(m, 0, 0, true), *m1 = task_add(m, 0, 0, true);

	sim_run(10 * SEC);
	CHECK_EQ(sim.bad, 0);
	CHECK(near((double)(m0->v.run_ns + m1->v.run_ns), 10.0 * SEC, 1.5, 0.02));

	/* A limited VM with high shares under contention still stops at its limit. */
	sim_init(1);
	a = task_add(vm_add(100000, 0, 300, 0, 1), 0, 0, true);
	struct task *b = task_add(vm_add(1000, 0, 0, 0, 1), 0, 0, true);

	sim_run(10 * SEC);
	CHECK(near((double)a->v.run_ns, 10.0 * SEC, 0.3, 0.02));
	CHECK(near((double)b->v.run_ns, 10.0 * SEC, 0.7, 0.02));
}

/* ---- 4. affinity ---------------------------------------------------------- */

TEST(affinity)
{
	static const struct {
		u64 vm, vcpu;
		unsigned nv;
		u64 burst, sleep;
	} w[] = {
		{ 0x1, 0, 1, 0, 0 },
		{ 0x6, 0, 2, 0, 0 },
		{ 0x8, 0, 1, 3 * MS, 2 * MS },
		{ 0, 0, 2, 0, 0 },
		{ 0, 0x4, 1, 1 * MS, 7 * MS },           /* the vCPU's own mask narrows the VM's */
		{ 0x3c, 0, 1, 0, 0 },                    /* CPUs 4 and 5 do not exist: 2-3 */
		{ 0x3, 0x8, 1, 0, 0 },                   /* disjoint vCPU mask: the VM's */
		{ 0x5, 0, 3, 2 * MS, 1 * MS },
	};
	struct task *t[16];
	unsigned n = 0;

	sim_init(4);
	for (unsigned i = 0; i < ARRAY_SIZE(w); i++) {
		struct sp_vm *vm = vm_add(500 + 300 * i, 0, 0, w[i].vm, w[i].nv);

		for (unsigned k = 0; k < w[i].nv; k++) {
			t[n] = &sim.tasks[sim.ntasks];
			t[n]->v.affinity = w[i].vcpu;
			task_add(vm, w[i].burst, w[i].sleep, true);
			n++;
		}
	}
	sim_run(5 * SEC);
	/* resched() checked every pick against the mask; here, where each one ran. */
	CHECK_EQ(sim.bad, 0);
	n = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(w); i++) {
		for (unsigned k = 0; k < w[i].nv; k++, n++) {
			u64 want = (w[i].vm & 0xf) ? w[i].vm & 0xf : 0xf;

			if (w[i].vcpu & want)
				want &= w[i].vcpu;
			CHECK(t[n]->picks > 0);
			CHECK_EQ(t[n]->ran_on & ~want, 0);
		}
	}
	CHECK_EQ(t[0]->ran_on, 0x1);
	CHECK_EQ(t[6]->ran_on, 0x4);
	CHECK_EQ(t[7]->ran_on & ~0xcull, 0);
	CHECK_EQ(t[8]->ran_on & ~0x3ull, 0);
}

/* ---- 5. no starvation ----------------------------------------------------- */

TEST(no_starvation)
{
	struct task *big[3], *small[3];
	u64 small_ns = 0;

	sim_init(1);
	for (int i = 0; i < 3; i++)
		big[i] = task_add(vm_add(1000000, 0, 0, 0, 1), 0, 0, true);
	for (int i = 0; i < 3; i++)
		small[i] = task_add(vm_add(1, 0, 0, 0, 1), 0, 0, true);
	sim_run(20 * SEC);
	CHECK_EQ(sim.bad, 0);
	for (int i = 0; i < 3; i++) {
		/* Each small one runs at least every SP_STARVE_NS and a few slices. */
		CHECK(small[i]->picks >= 20 * SEC / (SP_STARVE_NS + 4 * SP_SLICE_NS));
		CHECK(small[i]->max_wait <= SP_STARVE_NS + 4 * SP_SLICE_NS);
		CHECK(small[i]->max_wait < 1 * SEC);
		small_ns += small[i]->v.run_ns;
	}
	/* The floor is about a slice per SP_STARVE_NS each; the big ones keep the rest, evenly. */
	CHECK(small_ns <= 20 * SEC / 15);
	CHECK(near((double)big[0]->v.run_ns, (double)big[1]->v.run_ns, 1.0, 0.05));
	CHECK(near((double)big[2]->v.run_ns, (double)big[1]->v.run_ns, 1.0, 0.05));

	/* 40 VMs of mixed extremes on 4 CPUs, some periodic: everyone READY gets a CPU in time. */
	sim_init(4);
	for (int i = 0; i < 40; i++) {
		u32 shares = i % 3 == 0 ? 1 : i % 3 == 1 ? 1000000 : 1000;

		task_add(vm_add(shares, 0, 0, 0, 1), i % 4 == 0 ? 2 * MS : 0, 5 * MS, true);
	}
	sim_run(20 * SEC);
	CHECK_EQ(sim.bad, 0);
	for (unsigned i = 0; i < sim.ntasks; i++) {
		CHECK(sim.tasks[i].picks > 20);
		CHECK(sim.tasks[i].max_wait < 1 * SEC);
	}
}

/* ---- 6. halted vCPUs cost nothing ----------------------------------------- */

static void two_hogs(unsigned nblocked, u64 *a_ns, u64 *b_ns)
{
	sim_init(1);
	for (unsigned i = 0; i < nblocked; i++)
		task_add(vm_add(1 + 997 * i, 0, 0, 0, 1), 0, 0, false);
	struct task *a = task_add(vm_add(2000, 0, 0, 0, 1), 0, 0, true);
	struct task *b = task_add(vm_add(1000, 0, 0, 0, 1), 0, 0, true);

	sim_run(10 * SEC);
	CHECK_EQ(sim.bad, 0);
	*a_ns = a->v.run_ns;
	*b_ns = b->v.run_ns;
}

TEST(idle_vcpus_cost_nothing)
{
	u64 a0, b0, a1, b1, picks, visits;

	two_hogs(0, &a0, &b0);
	picks = sim.s.picks;
	visits = sim.s.visits;
	two_hogs(100, &a1, &b1);
	/* The same decisions, with the same work per decision. */
	CHECK_EQ(a1, a0);
	CHECK_EQ(b1, b0);
	CHECK(near((double)a1, (double)b1, 2.0, 0.05));
	CHECK_EQ(sim.s.picks, picks);
	CHECK_EQ(sim.s.visits, visits);
	/* Each pick looks at the two READY vCPUs at most. */
	CHECK(sim.s.visits <= 2 * sim.s.picks);

	/* Visits grow with the READY vCPUs only: 64 hogs on 4 CPUs. */
	sim_init(4);
	for (int i = 0; i < 64; i++)
		task_add(vm_add(1000, 0, 0, 0, 1), 0, 0, true);
	for (int i = 0; i < 200; i++)
		task_add(vm_add(1000, 0, 0, 0, 1), 0, 0, false);
	sim_run(1 * SEC);
	CHECK_EQ(sim.bad, 0);
	CHECK(sim.s.visits <= 64 * sim.s.picks);
}

/* ---- 7. admission --------------------------------------------------------- */

static int admit(struct sp_vm *vm, u32 shares, u32 min, u32 max, u64 aff, unsigned nv, char *why)
{
	struct sp_vm_params p = { shares, min, max, aff, nv };

	why[0] = '\0';
	return sp_admit(&sim.s, vm, &p, why, 160);
}

TEST(admission)
{
	struct sp_vm a, b, c, d;
	struct sp_vcpu v[3];
	char why[160];

	sim_init(4);
	CHECK_EQ(admit(&a, 2000, 1800, 0, 0, 2, why), 0);
	CHECK_EQ(admit(&b, 1000, 1000, 2000, 0, 1, why), 0);
	CHECK_EQ(sim.s.reserved_mhz, 2800);
	CHECK_EQ(admit(&c, 4000, 3000, 0, 0, 4, why), -ENOSPC);
	CHECK_STR(why, "reservation 3000 MHz exceeds the 1200 MHz unreserved of 4 CPUs x 1000 MHz");
	CHECK_EQ(sim.s.reserved_mhz, 2800);
	CHECK_EQ(admit(&c, 4000, 1200, 0, 0, 4, why), 0);
	CHECK_EQ(admit(&d, 1000, 1, 0, 0, 1, why), -ENOSPC);
	CHECK_STR(why, "reservation 1 MHz exceeds the 0 MHz unreserved of 4 CPUs x 1000 MHz");
	/* No reservation: always admitted. */
	CHECK_EQ(admit(&d, 1000, 0, 0, 0, 1, why), 0);
	CHECK_EQ(sp_vm_remove(&sim.s, &d), 0);

	/* A VM with vCPUs stays; without, its reservation is released. */
	CHECK_EQ(sp_add_vcpu(&sim.s, &c, &v[0], 0), 0);
	CHECK_EQ(sp_vm_remove(&sim.s, &c), -EBUSY);
	sp_remove_vcpu(&sim.s, &v[0], 0);
	CHECK_EQ(sp_vm_remove(&sim.s, &c), 0);
	CHECK_EQ(sim.s.reserved_mhz, 2800);
	CHECK_EQ(admit(&c, 4000, 1200, 0, 0, 4, why), 0);

	/* Parameters. */
	sim_init(4);
	CHECK_EQ(admit(&a, 1000, 1500, 1000, 0, 2, why), -EINVAL);
	CHECK_STR(why, "reservation 1500 MHz exceeds the limit 1000 MHz");
	CHECK_EQ(admit(&a, 0, 0, 0, 0, 1, why), -EINVAL);
	CHECK_STR(why, "shares 0: must be 1 to 1000000");
	CHECK_EQ(admit(&a, 1000001, 0, 0, 0, 1, why), -EINVAL);
	CHECK_STR(why, "shares 1000001: must be 1 to 1000000");
	CHECK_EQ(admit(&a, 1000, 0, 0, 0, 0, why), -EINVAL);
	CHECK_STR(why, "0 vCPUs: a VM has 1 to 16");
	CHECK_EQ(admit(&a, 1000, 0, 0, 0, 17, why), -EINVAL);
	CHECK_STR(why, "17 vCPUs: a VM has 1 to 16");
	CHECK_EQ(admit(&a, 1000, 0, 0, 0x30, 1, why), -EINVAL);
	CHECK_STR(why, "affinity names no host CPU (CPUs 4-5; the host has 0-3)");
	CHECK_EQ(admit(&a, 1000, 0, 0, 0x1ull << 63 | 0x500, 1, why), -EINVAL);
	CHECK_STR(why, "affinity names no host CPU (CPUs 8,10,63; the host has 0-3)");
	/* What the VM itself could use. */
	CHECK_EQ(admit(&a, 1000, 1500, 0, 0, 1, why), -ENOSPC);
	CHECK_STR(why, "reservation 1500 MHz exceeds the 1000 MHz its 1 vCPU can use");
	CHECK_EQ(admit(&a, 1000, 3001, 0, 0, 3, why), -ENOSPC);
	CHECK_STR(why, "reservation 3001 MHz exceeds the 3000 MHz its 3 vCPUs can use");
	CHECK_EQ(admit(&a, 1000, 2500, 0, 0x3, 4, why), -ENOSPC);
	CHECK_STR(why, "reservation 2500 MHz exceeds the 2000 MHz its affinity's CPUs 0-1 can give");
	CHECK_EQ(sim.s.reserved_mhz, 0);
	/* Bits beyond the host's CPUs are ignored. */
	CHECK_EQ(admit(&a, 1000, 2000, 0, 0xf3, 4, why), 0);
	CHECK_EQ(a.mask, 0x3);
	CHECK_EQ(sp_vm_remove(&sim.s, &a), 0);

	/* Reservations pinned to the same CPUs add up there. */
	CHECK_EQ(admit(&a, 1000, 700, 0, 0x1, 1, why), 0);
	CHECK_EQ(admit(&b, 1000, 400, 0, 0x1, 1, why), -ENOSPC);
	CHECK_STR(why, "reservation 400 MHz exceeds the 300 MHz unreserved of CPUs 0 (1 x 1000 MHz)");
	CHECK_EQ(admit(&b, 1000, 400, 0, 0x2, 1, why), 0);
	/* An unpinned VM may use what the pinned ones leave. */
	CHECK_EQ(admit(&c, 1000, 2900, 0, 0, 4, why), 0);
	CHECK_EQ(sp_vm_remove(&sim.s, &c), 0);
	/* Two overlapping masks: {0,1} and {1,2} share 3 CPUs. */
	CHECK_EQ(sp_vm_remove(&sim.s, &a), 0);
	CHECK_EQ(sp_vm_remove(&sim.s, &b), 0);
	CHECK_EQ(admit(&a, 1000, 1500, 0, 0x3, 2, why), 0);
	CHECK_EQ(admit(&b, 1000, 1600, 0, 0x6, 2, why), -ENOSPC);
	CHECK_STR(why, "reservation 1600 MHz exceeds the 1500 MHz unreserved of CPUs 0-2 (3 x 1000 MHz)");
	CHECK_EQ(admit(&b, 1000, 1500, 0, 0x6, 2, why), 0);
	CHECK_EQ(sim.s.reserved_mhz, 3000);

	/* vCPUs beyond nvcpus are refused. */
	memset(v, 0, sizeof(v));
	CHECK_EQ(sp_add_vcpu(&sim.s, &a, &v[0], 0), 0);
	CHECK_EQ(sp_add_vcpu(&sim.s, &a, &v[1], 0), 0);
	CHECK_EQ(sp_add_vcpu(&sim.s, &a, &v[2], 0), -EINVAL);
	CHECK_EQ(v[0].idx, 0);
	CHECK_EQ(v[1].idx, 1);
	CHECK_EQ(v[0].state, SP_BLOCKED);
	CHECK_EQ(v[0].cpu, -1);

	/* A 64-CPU host: the whole mask. */
	sim_init(64);
	CHECK_EQ(admit(&a, 1000, 16000, 0, 0, 16, why), 0);
	CHECK_EQ(a.mask, ~0ull);
	CHECK_EQ(admit(&b, 1000, 0, 0, 1ull << 63, 1, why), 0);
	CHECK_EQ(b.mask, 1ull << 63);
}

/* ---- 8. co-scheduling ----------------------------------------------------- */

TEST(costop)
{
	struct sp_vm *x;
	struct task *x0, *x1, *h;

	/*
	 * X0 may run on CPU 0 only, X1 on CPU 1 only, where H has all the
	 * shares: X1 runs only when the starvation guard lets it, and X0 is
	 * held within the skew bound of it.
	 */
	sim_init(2);
	x = vm_add(2000, 0, 0, 0, 2);
	x0 = &sim.tasks[sim.ntasks];
	x0->v.affinity = 0x1;
	task_add(x, 0, 0, true);
	x1 = &sim.tasks[sim.ntasks];
	x1->v.affinity = 0x2;
	task_add(x, 0, 0, true);
	h = task_add(vm_add(1000000, 0, 0, 0x2, 1), 0, 0, true);
	sim_run(10 * SEC);
	sp_sample(&sim.s, sim.now);
	CHECK_EQ(sim.bad, 0);
	CHECK(x1->v.run_ns > 0);
	CHECK(x1->v.run_ns < 10 * SEC / 20);
	CHECK(x0->v.run_ns <= x1->v.run_ns + SP_SKEW_NS + SP_SLICE_NS);
	CHECK(x0->v.run_ns >= x1->v.run_ns);
	CHECK(x0->v.cstp_ns > 9 * SEC);
	CHECK(x0->v.pct.cstp > 900);
	CHECK(x0->v.pct.rdy >= x0->v.pct.cstp);
	CHECK_EQ(x1->v.cstp_ns, 0);
	CHECK(h->v.run_ns > 9 * SEC);
	check_pct_sums();

	/* With both allowed everywhere the siblings take turns: never co-stopped. */
	sim_init(2);
	x = vm_add(2000, 0, 0, 0, 2);
	x0 = task_add(x, 0, 0, true);
	x1 = task_add(x, 0, 0, true);
	h = task_add(vm_add(1000000, 0, 0, 0x2, 1), 0, 0, true);
	sim_run(10 * SEC);
	CHECK_EQ(sim.bad, 0);
	CHECK_EQ(x0->v.cstp_ns + x1->v.cstp_ns, 0);
	CHECK(near((double)(x0->v.run_ns + x1->v.run_ns), 10.0 * SEC, 1.0, 0.02));

	/* A halted sibling does not count: the other runs on alone. */
	sim_init(2);
	x = vm_add(2000, 0, 0, 0, 2);
	x0 = task_add(x, 0, 0, true);
	x1 = task_add(x, 1 * MS, 500 * MS, true);
	sim_run(10 * SEC);
	sp_sample(&sim.s, sim.now);
	CHECK_EQ(sim.bad, 0);
	CHECK_EQ(x0->v.cstp_ns, 0);
	CHECK(x0->v.run_ns == 10 * SEC);
	CHECK(x1->v.pct.wait > 990);
	check_pct_sums();
}

/* ---- more behaviour ------------------------------------------------------- */

TEST(wakeup_latency)
{
	/* An interactive vCPU (1 ms every 10 ms) beside a hog runs as soon as it wakes. */
	sim_init(1);
	struct task *hog = task_add(vm_add(1000, 0, 0, 0, 1), 0, 0, true);
	struct task *io = task_add(vm_add(1000, 0, 0, 0, 1), 1 * MS, 9 * MS, false);

	io->wake_at = 5 * MS;           /* not at 0, where both start equal */
	sim_run(10 * SEC);
	sp_sample(&sim.s, sim.now);
	CHECK_EQ(sim.bad, 0);
	CHECK(io->max_wait <= 1 * MS);
	CHECK(near((double)io->v.run_ns, 10.0 * SEC, 0.1, 0.02));
	CHECK(near((double)hog->v.run_ns, 10.0 * SEC, 0.9, 0.01));
	CHECK(io->v.pct.rdy <= 5);
	check_pct_sums();

	/*
	 * A vCPU pinned to CPU 0 wakes there and preempts an unpinned hog while
	 * CPU 1 idles: the hog moves to CPU 1 at once instead of waiting.
	 */
	sim_init(2);
	hog = task_add(vm_add(1000, 0, 0, 0, 1), 0, 0, true);
	io = task_add(vm_add(1000, 0, 0, 0x1, 1), 1 * MS, 9 * MS, false);
	io->wake_at = 5 * MS;
	sim_run(10 * SEC);
	sp_sample(&sim.s, sim.now);
	CHECK_EQ(sim.bad, 0);
	CHECK_EQ(hog->max_wait, 0);
	CHECK_EQ(hog->v.pct.run, 1000);
	CHECK_EQ(hog->ran_on, 0x3);
	CHECK_EQ(io->max_wait, 0);

	/* A sleeper banks no credit: after 5 s asleep it does not monopolize the CPU. */
	sim_init(1);
	struct task *a = task_add(vm_add(1000, 0, 0, 0, 1), 0, 0, true);
	struct task *b = task_add(vm_add(1000, 0, 0, 0, 1), 0, 0, false);

	sim_run(5 * SEC);
	b->ready_at = sim.now;
	sp_wake(&sim.s, &b->v, sim.now);
	sim_run(6 * SEC);
	CHECK_EQ(sim.bad, 0);
	/* In the second after the wake: a half each, give or take the wake bonus. */
	CHECK(b->v.run_ns <= SEC / 2 + SP_WAKE_BONUS_NS + SP_SLICE_NS);
	CHECK(b->v.run_ns >= SEC / 2 - SP_SLICE_NS);
	CHECK(a->v.run_ns >= 5 * SEC + SEC / 2 - SP_WAKE_BONUS_NS - SP_SLICE_NS);
}

static u32 rnd_state;

static u32 rnd(u32 n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

TEST(random_workloads)
{
	for (u32 seed = 1; seed <= 20; seed++) {
		unsigned ncpus = 1 + seed % 8, nhogs = seed % 2 ? ncpus : 0;
		u64 added[512], T = 3 * SEC, total = 0;

		rnd_state = seed;
		sim_init(ncpus);
		sim.audit = true;
		/* Unpinned, unlimited hogs keep every CPU wanted: no CPU may idle. */
		for (unsigned i = 0; i < nhogs; i++)
			task_add(vm_add(1 + rnd(5000), 0, 0, 0, 1), 0, 0, true);
		for (unsigned i = 0; i < 30; i++) {
			struct sp_vm_params p = {
				.shares = 1 + rnd(i % 5 ? 4000 : 1000000),
				.min_mhz = rnd(3) ? 0 : rnd(400),
				.max_mhz = rnd(3) ? 0 : 50 + rnd(2000),
				.affinity = rnd(2) ? 0 : (u64)rnd(1u << ncpus) << rnd(2),
				.nvcpus = 1 + rnd(4),
			};
			struct sp_vm *vm = &sim.vms[sim.nvms];
			char why[160];

			if (p.max_mhz && p.min_mhz > p.max_mhz)
				p.min_mhz = p.max_mhz;
			if (sp_admit(&sim.s, vm, &p, why, sizeof(why)))
				continue;
			sim.nvms++;
			for (unsigned k = 0; k < p.nvcpus; k++) {
				struct task *t = &sim.tasks[sim.ntasks];

				t->v.affinity = rnd(4) ? 0 : 1ull << rnd(ncpus);
				added[sim.ntasks] = sim.now;
				task_add(vm, rnd(2) ? 0 : (1 + rnd(20)) * MS / 4, rnd(30) * MS / 2, rnd(4) != 0);
			}
		}
		for (unsigned i = 0; i < nhogs; i++)
			added[i] = 0;
		sim_run(T);
		sp_sample(&sim.s, sim.now);
		CHECK_EQ(sim.bad, 0);
		CHECK_EQ(sim.idle_missed, 0);
		for (unsigned i = 0; i < sim.ntasks; i++) {
			const struct sp_vcpu *v = &sim.tasks[i].v;

			/* Every ns of a vCPU's life is in exactly one state. */
			CHECK_EQ(v->run_ns + v->ready_ns + v->wait_ns, T - added[i]);
			CHECK(v->cstp_ns + v->mlmtd_ns <= v->ready_ns);
			total += v->run_ns;
		}
		/* With the hogs wanting every CPU, no CPU idled at all. */
		if (nhogs)
			CHECK_EQ(total, ncpus * T);
		/* Limits hold over the run, give or take a window and one slice per vCPU. */
		for (unsigned i = 0; i < sim.nvms; i++) {
			const struct sp_vm *vm = &sim.vms[i];
			u64 used = 0;

			if (!vm->p.max_mhz)
				continue;
			for (unsigned k = 0; k < sim.ntasks; k++)
				if (sim.tasks[k].v.vm == vm)
					used += sim.tasks[k].v.run_ns;
			CHECK(used <= T / MHZ * vm->p.max_mhz + SP_WINDOW_NS * vm->p.max_mhz / MHZ +
				       vm->p.nvcpus * SP_SLICE_NS);
		}
	}
}

TEST(lifecycle)
{
	struct sp_vm *vm;
	struct task *t0, *t1;
	u64 until;

	/* Removing vCPUs in every state leaves the others running and the CPU free. */
	sim_init(2);
	vm = vm_add(1000, 0, 0, 0, 3);
	t0 = task_add(vm, 0, 0, true);
	t1 = task_add(vm, 0, 0, true);
	task_add(vm, 0, 0, false);
	sim_run(1 * SEC);
	CHECK(t0->v.state == SP_RUNNING);
	sp_remove_vcpu(&sim.s, &t0->v, sim.now);
	CHECK(sim.s.cpu[t0->v.cpu].curr == NULL);
	sim.cpu[t0->v.cpu].cur = NULL;
	sp_remove_vcpu(&sim.s, &sim.tasks[2].v, sim.now);
	CHECK(sp_pick(&sim.s, (unsigned)t0->v.cpu, sim.now, &until) == NULL);
	CHECK_EQ(sp_wake(&sim.s, &t1->v, sim.now), -1);   /* not BLOCKED */
	CHECK_EQ(vm->nadded, 1);
	CHECK_EQ(vm->nactive, 1);

	/* A clock read before the lock was taken may be late: it counts as the latest seen. */
	sp_sample(&sim.s, sim.now);
	sp_put(&sim.s, &t1->v, sim.now - 5 * MS, false);
	CHECK(t1->v.state == SP_READY);
	sp_sample(&sim.s, sim.now - 1 * SEC);
	CHECK_EQ(t1->v.run_ns + t1->v.ready_ns + t1->v.wait_ns, sim.now);
	CHECK_EQ(t1->v.pct.run + t1->v.pct.rdy + t1->v.pct.wait, 0);
	CHECK(sp_pick(&sim.s, 0, sim.now - 2 * MS, &until) == &t1->v);
	CHECK_EQ(until, sim.now + SP_SLICE_NS);

	/* A CPU beyond ncpus is never given work. */
	CHECK(sp_pick(&sim.s, 5, sim.now, &until) == NULL);
	sp_put(&sim.s, &t0->v, sim.now, false);            /* removed: ignored */
	CHECK_EQ(vm->nrunning, 1);
}

TEST_MAIN({ "shares_2_to_1", shares_2_to_1 }, { "shares_many_cpus", shares_many_cpus },
	  { "reservation", reservation }, { "limit", limit }, { "affinity", affinity },
	  { "no_starvation", no_starvation }, { "idle_vcpus_cost_nothing", idle_vcpus_cost_nothing },
	  { "admission", admission }, { "costop", costop }, { "wakeup_latency", wakeup_latency },
	  { "random_workloads", random_workloads }, { "lifecycle", lifecycle })
