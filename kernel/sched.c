// SPDX-License-Identifier: MIT
/*
 * sched.c: running vCPUs on every host CPU that has virtualization enabled.
 * The decisions (who runs where, for how long) are the proportional-share
 * policy's (kernel/sched_policy.c, pure and unit-tested); this file is its
 * mechanism: one lock around the policy, a loop per CPU, slice timers, IPIs
 * that make a CPU look again, and loading/putting vCPU state.
 *
 * A vCPU's state is in one CPU at a time. A CPU keeps the vCPU it ran last
 * loaded until it picks another or goes idle, so a vCPU that runs again at
 * once costs no reload; a CPU that picks a vCPU still loaded elsewhere waits
 * the few microseconds until that CPU puts it. Every CPU puts its own
 * before waiting for another's, so no two can wait for each other.
 */
#include <tv/arch.h>
#include <tv/cmdline.h>
#include <tv/dcui_host.h>
#include <tv/heap.h>
#include <tv/ktimer.h>
#include <tv/log.h>
#include <tv/printf.h>
#include <tv/sched.h>
#include <tv/sched_policy.h>
#include <tv/spinlock.h>
#include <tv/string.h>
#include <tv/vmm.h>
#include <tv/vms.h>

#define STATS_INTERVAL_S 60                /* %RUN/%RDY/%WAIT to the log; sched.stats=S */
#define REAP_INTERVAL_NS 100000000ull

struct sched_vm {
	struct sp_vm sp;
	unsigned live;                 /* vCPUs still in the policy */
};

struct sched_vcpu {
	struct sp_vcpu sp;
	struct vcpu *v;
	int loaded_on;                 /* CPU holding its state, -1 none */
	bool removed;
	struct sched_vcpu *next_all;
};

static struct {
	struct vcpu *last;             /* loaded here (running, or kept for a quick return) */
	struct ktimer slice, idle;
	volatile bool need_resched;
} cpus[ARCH_MAX_CPUS];

static spinlock_t lock;
static struct sp_sched pol;
static bool pol_ready;
static u64 cpu_mask;
static struct sched_vcpu *all;     /* every vCPU ever added, for stats and reaping */
static u64 next_stats_ns, next_reap_ns, stats_ns;

static inline struct sched_vcpu *ent(struct vcpu *v)
{
	return v->sched;
}

static void flag_resched(struct ktimer *t)
{
	(void)t;
	cpus[arch_cpu_id()].need_resched = true;
}

/*
 * CPUs the policy wants to choose again (sp_take_kicks, taken under the
 * lock, sent after it). The flag comes first: an idle CPU checks it with
 * interrupts off before halting, so a kick cannot fall between.
 */
static void kick(u64 mask)
{
	unsigned self = arch_cpu_id();

	for (unsigned c = 0; mask; c++, mask >>= 1) {
		if (!(mask & 1))
			continue;
		cpus[c].need_resched = true;
		if (c != self)
			arch_cpu_kick(c);
	}
}

void sched_cpu_add(unsigned cpu)
{
	if (cpu < ARCH_MAX_CPUS)
		__atomic_or_fetch(&cpu_mask, 1ull << cpu, __ATOMIC_RELEASE);
}

static void policy_init(void)
{
	unsigned n = 0;

	if (pol_ready)
		return;
	/* The policy numbers CPUs 0..n-1: the CPUs that enabled virtualization. */
	while (n < ARCH_MAX_CPUS && (cpu_mask & (1ull << n)))
		n++;
	sp_init(&pol, n ? n : 1, (u32)(arch_tsc_hz() / 1000000));
	pol_ready = true;
	pr_info("sched: %u CPUs of %u MHz run vCPUs; proportional shares, %llu ms slices\n",
		pol.ncpus, pol.cpu_mhz, SP_SLICE_NS / 1000000);
}

static struct sp_vm_params vm_params(const struct vm_config *c)
{
	return (struct sp_vm_params){ .shares = c->cpu_shares, .min_mhz = c->cpu_min_mhz,
				      .max_mhz = c->cpu_max_mhz, .affinity = c->cpu_affinity,
				      .nvcpus = c->numvcpus };
}

int sched_admit(const struct vm_config *c, char *why, size_t whylen)
{
	static struct sp_vm probe;       /* under the lock */
	struct sp_vm_params p = vm_params(c);
	irqflags_t f;
	int r;

	f = spin_lock_irqsave(&lock);
	policy_init();
	memset(&probe, 0, sizeof(probe));
	r = sp_admit(&pol, &probe, &p, why, whylen);
	if (!r)
		sp_vm_remove(&pol, &probe);
	spin_unlock_irqrestore(&lock, f);
	return r;
}

void sched_add(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct sched_vcpu *e = kzalloc(sizeof(*e));
	struct sched_vm *g = vm->sched;
	struct sp_vm_params p = vm_params(&vm->cfg);
	irqflags_t f;
	u64 kicks;
	char why[128];
	int r = 0;

	if (!g)
		g = vm->sched = kzalloc(sizeof(*g));
	if (!e || !g) {
		kfree(e);
		pr_err("vm %s: vCPU %u: out of memory for scheduling; it never runs\n", vm->name,
		       v->id);
		return;
	}
	vm->overhead_bytes += sizeof(*e) + (v->id == 0 ? sizeof(*g) : 0);
	e->v = v;
	e->loaded_on = -1;
	v->sched = e;
	f = spin_lock_irqsave(&lock);
	policy_init();
	/* sched_admit said yes a moment ago on this CPU, with nothing admitted since. */
	if (!g->live && sp_admit(&pol, &g->sp, &p, why, sizeof(why)))
		r = -1;
	else if (sp_add_vcpu(&pol, &g->sp, &e->sp, arch_uptime_ns()))
		r = -2;
	if (!r) {
		g->live++;
		e->next_all = all;
		all = e;
		if (vcpu_runnable(v))
			sp_wake(&pol, &e->sp, arch_uptime_ns());
	}
	kicks = sp_take_kicks(&pol);
	spin_unlock_irqrestore(&lock, f);
	kick(kicks);
	if (r)
		pr_err("vm %s: vCPU %u not scheduled: %s\n", vm->name, v->id,
		       r == -1 ? why : "more vCPUs than admitted");
}

bool sched_need_resched(void)
{
	return cpus[arch_cpu_id()].need_resched;
}

void sched_wake(void)
{
	cpus[arch_cpu_id()].need_resched = true;
}

void sched_wake_vcpu(struct vcpu *v)
{
	struct sched_vcpu *e = ent(v);
	irqflags_t f;
	u64 kicks = 0;

	if (!e)
		return;
	f = spin_lock_irqsave(&lock);
	if (e->sp.state == SP_BLOCKED && !e->removed) {
		sp_wake(&pol, &e->sp, arch_uptime_ns());
		kicks = sp_take_kicks(&pol);
	} else if (e->sp.state == SP_RUNNING && e->sp.cpu != (int)arch_cpu_id()) {
		/* In the guest over there: an exit is enough, its run loop delivers. */
		arch_cpu_kick((unsigned)e->sp.cpu);
	}
	spin_unlock_irqrestore(&lock, f);
	kick(kicks);
}

unsigned sched_running_vms(void)
{
	unsigned n = 0;
	irqflags_t f = spin_lock_irqsave(&lock);

	/* A stopped VM counts until its vCPUs are reaped and its memory is back. */
	for (struct sched_vcpu *e = all; e; e = e->next_all)
		if (!e->removed && e->v->id == 0)
			n++;
	spin_unlock_irqrestore(&lock, f);
	return n;
}

unsigned sched_vms(struct vm **out, unsigned max)
{
	unsigned n = 0;
	irqflags_t f = spin_lock_irqsave(&lock);

	for (struct sched_vcpu *e = all; e && n < max; e = e->next_all)
		if (!e->removed && e->v->id == 0 && READ_ONCE(e->v->vm->state) == VM_STATE_RUNNING)
			out[n++] = e->v->vm;
	spin_unlock_irqrestore(&lock, f);
	return n;
}

/*
 * vCPUs of stopped VMs leave the policy once no CPU holds them; the last
 * one of a VM lets it free its memory (outside the lock).
 */
static void reap(void)
{
	struct vcpu *gone[16];
	unsigned n = 0;
	u64 kicks;
	irqflags_t f = spin_lock_irqsave(&lock);

	for (struct sched_vcpu *e = all; e && n < ARRAY_SIZE(gone); e = e->next_all) {
		struct vm *vm = e->v->vm;

		if (e->removed || vm->state == VM_STATE_RUNNING || e->sp.state == SP_RUNNING ||
		    __atomic_load_n(&e->loaded_on, __ATOMIC_ACQUIRE) >= 0)
			continue;
		sp_remove_vcpu(&pol, &e->sp, arch_uptime_ns());
		e->removed = true;
		if (--((struct sched_vm *)vm->sched)->live == 0)
			sp_vm_remove(&pol, &((struct sched_vm *)vm->sched)->sp);
		gone[n++] = e->v;
	}
	kicks = sp_take_kicks(&pol);
	spin_unlock_irqrestore(&lock, f);
	kick(kicks);
	for (unsigned i = 0; i < n; i++)
		vm_release_if_idle(gone[i]);
}

static void log_stats(u64 now)
{
	struct {
		struct vcpu *v;
		struct sp_pct p;
	} row[64];
	unsigned n = 0;
	irqflags_t f;

	if (!pol_ready)
		return;         /* no VM ever started: nothing to sample, no policy yet */
	f = spin_lock_irqsave(&lock);
	/* Sampled under the lock, printed after it: the log is slow. */
	sp_sample(&pol, now);
	for (struct sched_vcpu *e = all; e && n < ARRAY_SIZE(row); e = e->next_all)
		if (!e->removed)
			row[n].v = e->v, row[n++].p = e->sp.pct;
	spin_unlock_irqrestore(&lock, f);
	for (unsigned i = 0; i < n; i++) {
		const struct sp_pct *p = &row[i].p;

		pr_info("sched: %s vCPU %u: %%RUN %u.%u %%RDY %u.%u %%WAIT %u.%u (%%CSTP %u.%u "
			"%%MLMTD %u.%u)\n", row[i].v->vm->name, row[i].v->id, p->run / 10,
			p->run % 10, p->rdy / 10, p->rdy % 10, p->wait / 10, p->wait % 10,
			p->cstp / 10, p->cstp % 10, p->mlmtd / 10, p->mlmtd % 10);
		/* Released VMs leave the rows in reap, on this CPU: the VM is still whole. */
		if (row[i].v->id == 0)
			vm_log_memory(row[i].v->vm);
	}
}

bool sched_vcpu_pct(struct vcpu *v, struct sp_pct *out)
{
	struct sched_vcpu *e = ent(v);
	irqflags_t f;

	if (!e)
		return false;
	f = spin_lock_irqsave(&lock);
	*out = e->sp.pct;
	spin_unlock_irqrestore(&lock, f);
	return true;
}

/* Make v's state this CPU's: put ours first, then wait for its old CPU to let go. */
static void take(unsigned cpu, struct vcpu *v)
{
	struct vcpu *last = cpus[cpu].last;

	if (last && last != v) {
		vcpu_put(last);
		__atomic_store_n(&ent(last)->loaded_on, -1, __ATOMIC_RELEASE);
		cpus[cpu].last = NULL;
	}
	if (last == v)
		return;
	while (__atomic_load_n(&ent(v)->loaded_on, __ATOMIC_ACQUIRE) >= 0)
		arch_pause();
	ent(v)->loaded_on = (int)cpu;
	cpus[cpu].last = v;
}

/* Nothing to run: let go of the last vCPU so other CPUs may take it. */
static void release_last(unsigned cpu)
{
	struct vcpu *last = cpus[cpu].last;

	if (!last)
		return;
	vcpu_put(last);
	__atomic_store_n(&ent(last)->loaded_on, -1, __ATOMIC_RELEASE);
	cpus[cpu].last = NULL;
}

static void housekeeping(unsigned cpu, u64 now)
{
	if (cpu != 0)
		return;
	dcui_pump();
	vm_mem_housekeeping(now);
	if (now >= next_reap_ns) {
		next_reap_ns = now + REAP_INTERVAL_NS;
		reap();
	}
	if (now >= next_stats_ns) {
		if (!stats_ns) {
			const char *s = cmdline_get("sched.stats");
			unsigned long secs = s ? strtoul(s, NULL, 10) : 0;

			stats_ns = (secs ? secs : STATS_INTERVAL_S) * 1000000000ull;
		}
		if (next_stats_ns)
			log_stats(now);
		next_stats_ns = now + stats_ns;
	}
}

void sched_run(void)
{
	unsigned cpu = arch_cpu_id();

	cpus[cpu].slice.fn = flag_resched;
	cpus[cpu].idle.fn = flag_resched;
	if (!(__atomic_load_n(&cpu_mask, __ATOMIC_ACQUIRE) & (1ull << cpu))) {
		/*
		 * No virtualization here: this CPU only takes interrupts, and the
		 * boot CPU keeps its housekeeping (console, test.poweroff_idle).
		 */
		for (;;) {
			if (cpu == 0) {
				housekeeping(cpu, arch_uptime_ns());
				sched_idle_hook();
			}
			arch_wait_for_interrupt();
		}
	}
	for (;;) {
		struct vcpu *v = NULL;
		struct sp_vcpu *sv;
		enum vcpu_yield y;
		u64 until = 0, wake = 0, kicks, now = arch_uptime_ns();
		irqflags_t f;

		housekeeping(cpu, now);
		f = spin_lock_irqsave(&lock);
		cpus[cpu].need_resched = false;
		now = arch_uptime_ns();
		sv = pol_ready && cpu < pol.ncpus ? sp_pick(&pol, cpu, now, &until) : NULL;
		if (sv)
			v = container_of(sv, struct sched_vcpu, sp)->v;
		else if (pol_ready && cpu < pol.ncpus)
			wake = sp_next_event(&pol, cpu, now);
		kicks = pol_ready ? sp_take_kicks(&pol) : 0;
		spin_unlock_irqrestore(&lock, f);
		kick(kicks & ~(1ull << cpu));

		if (!v) {
			release_last(cpu);
			if (cpu == 0 && sched_idle_hook())
				continue;
			arch_irq_disable();
			if (wake)
				ktimer_arm(&cpus[cpu].idle, wake);
			/* sti;hlt is atomic: a kick cannot slip in between. */
			if (!cpus[cpu].need_resched)
				arch_wait_for_interrupt();
			arch_irq_enable();
			ktimer_cancel(&cpus[cpu].idle);
			continue;
		}
		take(cpu, v);
		if (until)
			ktimer_arm(&cpus[cpu].slice, until);
		y = vcpu_run(v);
		ktimer_cancel(&cpus[cpu].slice);

		f = spin_lock_irqsave(&lock);
		now = arch_uptime_ns();
		/*
		 * A wake-up that came while v was deciding to halt found it still
		 * running and only kicked: so look again, under the lock, before
		 * calling it blocked.
		 */
		sp_put(&pol, sv, now,
		       y == VCPU_YIELD_STOPPED || (y == VCPU_YIELD_HALT && !vcpu_runnable(v)));
		kicks = sp_take_kicks(&pol);
		spin_unlock_irqrestore(&lock, f);
		kick(kicks & ~(1ull << cpu));
		if (y == VCPU_YIELD_STOPPED)
			next_reap_ns = 0;
	}
}
