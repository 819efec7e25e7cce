// SPDX-License-Identifier: MIT
/*
 * sched_policy.c: the proportional-share CPU policy (shares, reservation,
 * limit, affinity, relaxed co-scheduling), pure so that the host tests run
 * it in simulated time. The rules are in include/tv/sched_policy.h.
 */
#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/printf.h>
#include <tv/sched_policy.h>
#include <tv/string.h>

#define VT_UNIT 1000u                   /* shares that advance vtime 1 per ns */
#define VT_MAX_LEAD (1ull << 62)        /* keeps vtimes comparable modulo 2^64 */
#define CHARGE_MAX_NS (1ull << 32)      /* a longer run (a lost timer) is charged as this */
#define STALE_NS (3600ull * 1000000000) /* asleep longer: vtime taken afresh */

enum { WHY_NONE, WHY_LIMIT, WHY_COSTOP };

/* ---- small helpers ---- */

static void list_init(struct sp_link *h)
{
	h->next = h->prev = h;
}

static void list_add_tail(struct sp_link *h, struct sp_link *n)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static void list_del(struct sp_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

#define ready_of(l) container_of(l, struct sp_vcpu, link)
#define sib_of(l) container_of(l, struct sp_vcpu, sib)
#define vm_of(l) container_of(l, struct sp_vm, link)

static bool vt_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

static unsigned lowest(u64 mask)
{
	return (unsigned)__builtin_ctzll(mask);
}

/* Not __builtin_popcountll: without -mpopcnt that is a libgcc call, and the kernel has none. */
static unsigned ncpus_in(u64 mask)
{
	unsigned n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

/* a * b / c without overflow (c > 0); saturates when the result needs 65 bits. */
static u64 muldiv(u64 a, u32 b, u32 c)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	u64 hi = (u64)(p >> 64), lo = (u64)p, q = 0;

	if (hi >= c)
		return ~0ull;
	/* Long division in 32-bit steps: no 128-bit division in the kernel. */
	for (int i = 1; i >= 0; i--) {
		u64 cur = (hi << 32) | (u32)(lo >> (32 * i));

		q = (q << 32) | (cur / c);
		hi = cur % c;
	}
	return q;
}

/*
 * The time of a call: never before the latest one seen. Callers on
 * different CPUs may read the clock in one order and take the lock in the
 * other; every difference below is then safe from going negative.
 */
static u64 clock_in(struct sp_sched *s, u64 now)
{
	if (now < s->now)
		return s->now;
	s->now = now;
	return now;
}

static u64 vcpu_mask(const struct sp_vcpu *v)
{
	u64 m = v->affinity & v->vm->mask;

	return m ? m : v->vm->mask;
}

/* Virtual time for running d ns with the VM's shares split over its active vCPUs. */
static u64 vt_charge(const struct sp_vcpu *v, u64 d)
{
	const struct sp_vm *vm = v->vm;
	unsigned n = vm->nactive ? vm->nactive : 1;

	return muldiv(d < CHARGE_MAX_NS ? d : CHARGE_MAX_NS, VT_UNIT * n, vm->p.shares);
}

/* ---- accounting ---- */

/* Count v's time since its stamp in its current state. */
static void vcpu_charge(struct sp_vcpu *v, u64 now)
{
	u64 d = now > v->stamp ? now - v->stamp : 0;

	switch (v->state) {
	case SP_RUNNING:
		v->run_ns += d;
		v->prog += d;
		v->vtime += vt_charge(v, d);
		break;
	case SP_READY:
		v->ready_ns += d;
		if (v->why == WHY_LIMIT)
			v->mlmtd_ns += d;
		else if (v->why == WHY_COSTOP)
			v->cstp_ns += d;
		break;
	case SP_BLOCKED:
		v->wait_ns += d;
		break;
	}
	if (now > v->stamp)
		v->stamp = now;
}

static void vm_use(struct sp_vm *vm, u64 t)
{
	if (t > vm->used_t) {
		vm->used += vm->nrunning * (t - vm->used_t);
		vm->used_t = t;
	}
}

/*
 * Bring the VM's window usage up to now. At each window end the limit's
 * budget is paid in (an overshoot stays as debt, unused budget is lost);
 * without a limit the count simply restarts.
 */
static void vm_update(struct sp_vm *vm, u64 now)
{
	if (!vm->win_end) {
		vm->win_end = now + SP_WINDOW_NS;
		vm->used_t = now;
		return;
	}
	while (now >= vm->win_end) {
		u64 n = 1;

		vm_use(vm, vm->win_end);
		if (!vm->nrunning)
			n += (now - vm->win_end) / SP_WINDOW_NS;
		if (!vm->budget || vm->used / vm->budget < n)
			vm->used = 0;
		else
			vm->used -= n * vm->budget;
		vm->win_end += n * SP_WINDOW_NS;
	}
	vm_use(vm, now);
}

static u64 vcpu_prog(const struct sp_vcpu *v, u64 now)
{
	return v->prog + (v->state == SP_RUNNING && now > v->stamp ? now - v->stamp : 0);
}

/* Slowest progress among the VM's READY and RUNNING vCPUs; ~0 if none. */
static u64 vm_min_prog(const struct sp_vm *vm, u64 now)
{
	u64 m = ~0ull;

	for (struct sp_link *l = vm->vcpus.next; l != &vm->vcpus; l = l->next) {
		const struct sp_vcpu *w = sib_of(l);

		if (w->state != SP_BLOCKED && vcpu_prog(w, now) < m)
			m = vcpu_prog(w, now);
	}
	return m;
}

/* The VM's state for decision s->gen, computed once per decision. */
static void vm_refresh(struct sp_sched *s, struct sp_vm *vm, u64 now)
{
	if (vm->gen == s->gen)
		return;
	vm->gen = s->gen;
	vm_update(vm, now);
	vm->throttled = vm->budget && vm->used >= vm->budget;
	vm->below_resv = vm->used < vm->resv;
	vm->min_prog = vm->nadded > 1 ? vm_min_prog(vm, now) : 0;
}

/*
 * Co-stopped: too far ahead of the slowest sibling to run even the
 * shortest run without passing the skew bound.
 */
static bool costopped(const struct sp_vcpu *v, u64 min_prog)
{
	return v->prog + SP_MIN_RUN_NS > min_prog + SP_SKEW_NS;
}

/* Why a READY v may not run now (after vm_refresh). */
static u8 vcpu_why(const struct sp_vcpu *v)
{
	if (v->vm->throttled)
		return WHY_LIMIT;
	if (v->vm->nadded > 1 && costopped(v, v->vm->min_prog))
		return WHY_COSTOP;
	return WHY_NONE;
}

/*
 * Charge the VM's running vCPUs up to now: their share is about to change
 * with the number of active siblings, and vtime is charged at the share
 * of the moment.
 */
static void vm_charge_running(struct sp_vm *vm, u64 now)
{
	if (vm->nrunning == 0 || vm->nadded < 2)
		return;
	for (struct sp_link *l = vm->vcpus.next; l != &vm->vcpus; l = l->next)
		if (sib_of(l)->state == SP_RUNNING)
			vcpu_charge(sib_of(l), now);
}

/* ---- kicks ---- */

/* Kick one idle CPU of mask that is not kicked yet; false if none. */
static bool kick_idle(struct sp_sched *s, u64 mask)
{
	u64 m = mask & s->idle & ~s->kick;

	if (!m)
		return false;
	s->kick |= 1ull << lowest(m);
	return true;
}

/* A sibling halted or left: its co-stopped siblings may run now. */
static void kick_costopped(struct sp_sched *s, struct sp_vm *vm)
{
	for (struct sp_link *l = vm->vcpus.next; l != &vm->vcpus; l = l->next) {
		struct sp_vcpu *w = sib_of(l);

		if (w->state == SP_READY && w->why == WHY_COSTOP)
			kick_idle(s, vcpu_mask(w));
	}
}

u64 sp_take_kicks(struct sp_sched *s)
{
	u64 k = s->kick;

	s->kick = 0;
	return k;
}

/* ---- set-up and admission ---- */

void sp_init(struct sp_sched *s, unsigned ncpus, u32 cpu_mhz)
{
	memset(s, 0, sizeof(*s));
	if (ncpus < 1)
		ncpus = 1;
	if (ncpus > SP_MAX_CPUS)
		ncpus = SP_MAX_CPUS;
	s->ncpus = ncpus;
	s->cpu_mhz = cpu_mhz ? cpu_mhz : 1;
	s->all = ncpus == 64 ? ~0ull : (1ull << ncpus) - 1;
	s->idle = s->all;
	list_init(&s->ready);
	list_init(&s->vms);
}

/* "0,2-3": a CPU set for messages. */
static void fmt_cpus(char *buf, size_t size, u64 mask)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < 64 && off < size; c++) {
		unsigned e = c;

		if (!(mask >> c & 1))
			continue;
		while (e < 63 && (mask >> (e + 1) & 1))
			e++;
		off += (size_t)snprintf(buf + off, size - off, e == c ? "%s%u" : "%s%u-%u",
					off ? "," : "", c, e);
		c = e;
	}
}

/* Reservations of admitted VMs that can only run within CPUs t. */
static u64 reserved_within(const struct sp_sched *s, u64 t)
{
	u64 sum = 0;

	for (const struct sp_link *l = s->vms.next; l != &s->vms; l = l->next) {
		const struct sp_vm *m = vm_of(l);

		if (!(m->mask & ~t))
			sum += m->p.min_mhz;
	}
	return sum;
}

/* Does a reservation of min MHz on CPUs t fit beside the admitted ones? */
static bool resv_fits(const struct sp_sched *s, u64 t, u32 min, char *why, size_t whylen)
{
	unsigned n = ncpus_in(t);
	u64 cap = (u64)n * s->cpu_mhz, taken = reserved_within(s, t);
	char cpus[64];

	if (taken + min <= cap)
		return true;
	if (t == s->all) {
		snprintf(why, whylen,
			 "reservation %u MHz exceeds the %llu MHz unreserved of %u CPUs x %u MHz",
			 min, (unsigned long long)(cap > taken ? cap - taken : 0), n, s->cpu_mhz);
	} else {
		fmt_cpus(cpus, sizeof(cpus), t);
		snprintf(why, whylen,
			 "reservation %u MHz exceeds the %llu MHz unreserved of CPUs %s (%u x %u MHz)",
			 min, (unsigned long long)(cap > taken ? cap - taken : 0), cpus, n,
			 s->cpu_mhz);
	}
	return false;
}

int sp_admit(struct sp_sched *s, struct sp_vm *vm, const struct sp_vm_params *p, char *why,
	     size_t whylen)
{
	u64 mask = p->affinity & s->all;
	unsigned ncpu, usable;
	char cpus[64];

	if (p->nvcpus < 1 || p->nvcpus > SP_MAX_VM_VCPUS) {
		snprintf(why, whylen, "%u vCPUs: a VM has 1 to %u", p->nvcpus, SP_MAX_VM_VCPUS);
		return -EINVAL;
	}
	if (p->shares < 1 || p->shares > SP_SHARES_MAX) {
		snprintf(why, whylen, "shares %u: must be 1 to %u", p->shares, SP_SHARES_MAX);
		return -EINVAL;
	}
	if (p->max_mhz && p->min_mhz > p->max_mhz) {
		snprintf(why, whylen, "reservation %u MHz exceeds the limit %u MHz", p->min_mhz,
			 p->max_mhz);
		return -EINVAL;
	}
	if (p->affinity && !mask) {
		fmt_cpus(cpus, sizeof(cpus), p->affinity);
		snprintf(why, whylen, "affinity names no host CPU (CPUs %s; the host has 0-%u)", cpus,
			 s->ncpus - 1);
		return -EINVAL;
	}
	if (!mask)
		mask = s->all;
	ncpu = ncpus_in(mask);
	usable = p->nvcpus < ncpu ? p->nvcpus : ncpu;
	if (p->min_mhz > (u64)usable * s->cpu_mhz) {
		if (p->nvcpus <= ncpu) {
			snprintf(why, whylen, "reservation %u MHz exceeds the %llu MHz its %u vCPU%s can use",
				 p->min_mhz, (unsigned long long)usable * s->cpu_mhz, p->nvcpus,
				 p->nvcpus > 1 ? "s" : "");
		} else {
			fmt_cpus(cpus, sizeof(cpus), mask);
			snprintf(why, whylen,
				 "reservation %u MHz exceeds the %llu MHz its affinity's CPUs %s can give",
				 p->min_mhz, (unsigned long long)usable * s->cpu_mhz, cpus);
		}
		return -ENOSPC;
	}
	if (p->min_mhz) {
		/* Only sets that contain the new VM's CPUs can become over-committed. */
		if (!resv_fits(s, s->all, p->min_mhz, why, whylen) ||
		    !resv_fits(s, mask, p->min_mhz, why, whylen))
			return -ENOSPC;
		for (struct sp_link *l = s->vms.next; l != &s->vms; l = l->next) {
			const struct sp_vm *m = vm_of(l);

			if (m->p.min_mhz && !resv_fits(s, mask | m->mask, p->min_mhz, why, whylen))
				return -ENOSPC;
		}
	}

	memset(vm, 0, sizeof(*vm));
	vm->p = *p;
	vm->mask = mask;
	list_init(&vm->vcpus);
	/* A limit the VM could not reach anyway costs nothing to enforce: drop it. */
	if (p->max_mhz && p->max_mhz < (u64)usable * s->cpu_mhz)
		vm->budget = muldiv(SP_WINDOW_NS, p->max_mhz, s->cpu_mhz);
	vm->resv = muldiv(SP_WINDOW_NS, p->min_mhz, s->cpu_mhz);
	s->reserved_mhz += p->min_mhz;
	list_add_tail(&s->vms, &vm->link);
	return 0;
}

int sp_vm_remove(struct sp_sched *s, struct sp_vm *vm)
{
	if (vm->nadded)
		return -EBUSY;
	s->reserved_mhz -= vm->p.min_mhz;
	list_del(&vm->link);
	return 0;
}

int sp_add_vcpu(struct sp_sched *s, struct sp_vm *vm, struct sp_vcpu *v, u64 now)
{
	now = clock_in(s, now);
	if (vm->nadded >= vm->p.nvcpus)
		return -EINVAL;
	v->vm = vm;
	v->idx = vm->nidx++;
	vm->nadded++;
	v->state = SP_BLOCKED;
	v->cpu = -1;
	v->stamp = v->blocked_at = v->sample_t = now;
	v->fresh = true;
	list_init(&v->link);
	list_add_tail(&vm->vcpus, &v->sib);
	return 0;
}

/* v stops running on its CPU (caller holds the VM up to date). */
static void vcpu_stop(struct sp_sched *s, struct sp_vcpu *v)
{
	v->vm->nrunning--;
	if (s->cpu[v->cpu].curr == v)
		s->cpu[v->cpu].curr = NULL;
}

void sp_remove_vcpu(struct sp_sched *s, struct sp_vcpu *v, u64 now)
{
	struct sp_vm *vm = v->vm;

	now = clock_in(s, now);
	vm_update(vm, now);
	vm_charge_running(vm, now);
	vcpu_charge(v, now);
	if (v->state == SP_RUNNING)
		vcpu_stop(s, v);
	if (v->state == SP_READY)
		list_del(&v->link);
	if (v->state != SP_BLOCKED)
		vm->nactive--;
	v->state = SP_BLOCKED;
	list_del(&v->sib);
	vm->nadded--;
	kick_costopped(s, vm);
}

/* ---- decisions ---- */

/* The first CPU of mask whose vmin is known: the base for a waker's vtime. */
static struct sp_cpu *vmin_base(struct sp_sched *s, u64 mask, int prefer)
{
	if (prefer >= 0 && (mask >> prefer & 1) && s->cpu[prefer].vmin_ok)
		return &s->cpu[prefer];
	for (; mask; mask &= mask - 1)
		if (s->cpu[lowest(mask)].vmin_ok)
			return &s->cpu[lowest(mask)];
	return NULL;
}

/* vtime of a running vCPU as if it were put now. */
static u64 vtime_now(const struct sp_vcpu *r, u64 now)
{
	return r->vtime + vt_charge(r, now > r->stamp ? now - r->stamp : 0);
}

/* Among the CPUs of mask, one running something v (READY, eligible) should preempt; -1 none. */
static int preempt_target(struct sp_sched *s, const struct sp_vcpu *v, u64 mask, u64 now)
{
	int best = -1;
	bool best_cls = false;
	s64 best_gap = 0;

	for (; mask; mask &= mask - 1) {
		unsigned c = lowest(mask);
		struct sp_vcpu *r = s->cpu[c].curr;
		bool cls;
		s64 gap;

		if (!r || (s->kick >> c & 1))
			continue;
		vm_update(r->vm, now);
		if (r->vm->used < r->vm->resv && !v->vm->below_resv)
			continue;
		cls = v->vm->below_resv && r->vm->used >= r->vm->resv;
		gap = (s64)(vtime_now(r, now) - v->vtime);
		if (!cls && gap <= (s64)SP_WAKE_GRAN_NS)
			continue;
		if (best < 0 || (cls && !best_cls) || (cls == best_cls && gap > best_gap)) {
			best = (int)c;
			best_cls = cls;
			best_gap = gap;
		}
	}
	return best;
}

int sp_wake(struct sp_sched *s, struct sp_vcpu *v, u64 now)
{
	struct sp_vm *vm = v->vm;
	struct sp_cpu *base;
	u64 mask, idle;
	int target = -1;

	if (v->state != SP_BLOCKED)
		return -1;
	now = clock_in(s, now);
	s->gen++;
	vm_update(vm, now);
	vm_charge_running(vm, now);
	vcpu_charge(v, now);
	v->state = SP_READY;
	v->ready_since = now;
	v->why = WHY_NONE;
	vm->nactive++;
	list_add_tail(&s->ready, &v->link);
	/* A halted vCPU kept pace with its siblings: it wakes level with the leader. */
	for (struct sp_link *l = vm->vcpus.next; l != &vm->vcpus; l = l->next) {
		struct sp_vcpu *w = sib_of(l);

		if (w != v && w->state != SP_BLOCKED && vcpu_prog(w, now) > v->prog)
			v->prog = vcpu_prog(w, now);
	}
	vm_refresh(s, vm, now);
	v->why = vcpu_why(v);

	/* An idle CPU nobody has kicked yet, its last one first (warm caches). */
	mask = vcpu_mask(v);
	idle = mask & s->idle & ~s->kick;
	if (idle)
		target = (v->cpu >= 0 && (idle >> v->cpu & 1)) ? v->cpu : (int)lowest(idle);

	/* No credit for sleeping beyond the bonus; a long sleeper's vtime is meaningless. */
	base = vmin_base(s, mask, target >= 0 ? target : v->cpu);
	if (base) {
		u64 floor = base->vmin - SP_WAKE_BONUS_NS;

		if (v->fresh || now - v->blocked_at > STALE_NS || vt_before(v->vtime, floor))
			v->vtime = floor;
	}
	v->fresh = false;

	if (target < 0 && v->why == WHY_NONE)
		target = preempt_target(s, v, mask, now);
	/* Else an idle CPU already kicked will look at v as well. */
	if (target < 0 && (mask & s->idle))
		return (int)lowest(mask & s->idle);
	if (target >= 0)
		s->kick |= 1ull << target;
	return target;
}

void sp_put(struct sp_sched *s, struct sp_vcpu *v, u64 now, bool blocked)
{
	struct sp_vm *vm = v->vm;

	if (v->state != SP_RUNNING)
		return;
	now = clock_in(s, now);
	vm_update(vm, now);
	vcpu_charge(v, now);
	vcpu_stop(s, v);
	if (blocked) {
		vm_charge_running(vm, now);
		v->state = SP_BLOCKED;
		v->blocked_at = now;
		vm->nactive--;
		if (vm->nadded > 1)
			kick_costopped(s, vm);
	} else {
		v->state = SP_READY;
		v->ready_since = now;
		v->why = WHY_NONE;
		list_add_tail(&s->ready, &v->link);
	}
}

/* Decision classes: lower runs first. */
enum { CLS_RESV, CLS_STARVED, CLS_FAIR, CLS_NONE };

static bool better(int cls, u64 key, int best_cls, u64 best_key)
{
	if (cls != best_cls)
		return cls < best_cls;
	if (cls == CLS_STARVED)
		return key < best_key;          /* READY since: oldest first */
	return vt_before(key, best_key);
}

/* After a pick: idle CPUs that can run what is still READY are kicked to take it. */
static void kick_for_leftovers(struct sp_sched *s, const struct sp_vcpu *chosen)
{
	for (struct sp_link *l = s->ready.next; l != &s->ready && (s->idle & ~s->kick);
	     l = l->next) {
		struct sp_vcpu *w = ready_of(l);

		s->visits++;
		/* A co-stopped sibling of the one now running: its CPU re-arms its timer. */
		if (w->why == WHY_NONE || (w->why == WHY_COSTOP && w->vm == chosen->vm))
			kick_idle(s, vcpu_mask(w));
	}
}

/* How long v may run from now: slice, limit budget, co-stop bound. */
static u64 run_length(const struct sp_vcpu *v)
{
	const struct sp_vm *vm = v->vm;
	u64 len = SP_SLICE_NS;

	if (vm->budget) {
		/* Running siblings spend the budget too. */
		u64 left = vm->budget > vm->used ? (vm->budget - vm->used) / vm->nrunning : 0;

		if (left < len)
			len = left;
	}
	if (vm->nadded > 1) {
		/* Stop before leading a waiting sibling by more than the skew bound. */
		for (const struct sp_link *l = vm->vcpus.next; l != &vm->vcpus; l = l->next) {
			const struct sp_vcpu *w = sib_of(l);
			u64 lead;

			if (w->state != SP_READY)
				continue;
			lead = w->prog + SP_SKEW_NS > v->prog ? w->prog + SP_SKEW_NS - v->prog : 0;
			if (lead < len)
				len = lead;
		}
	}
	return len > SP_MIN_RUN_NS ? len : SP_MIN_RUN_NS;
}

struct sp_vcpu *sp_pick(struct sp_sched *s, unsigned cpu, u64 now, u64 *run_until)
{
	struct sp_cpu *pc;
	u64 bit, vmin = 0;
	bool have_vmin = false, base_ok;
	struct sp_vcpu *best = NULL;
	int best_cls = CLS_NONE;
	u64 best_key = 0;

	if (cpu >= s->ncpus)
		return NULL;
	pc = &s->cpu[cpu];
	bit = 1ull << cpu;
	now = clock_in(s, now);
	base_ok = pc->vmin_ok && now - pc->vmin_t <= STALE_NS;
	s->gen++;
	s->picks++;
	s->kick &= ~bit;                /* looking now */
	for (struct sp_link *l = s->ready.next; l != &s->ready; l = l->next) {
		struct sp_vcpu *v = ready_of(l);
		struct sp_vm *vm = v->vm;
		int cls;
		u64 key;

		s->visits++;
		vm_refresh(s, vm, now);
		vcpu_charge(v, now);            /* READY time, under the reason seen last */
		v->why = vcpu_why(v);
		if (v->why != WHY_NONE)
			continue;
		if (!(vcpu_mask(v) & bit))
			continue;
		if (base_ok) {
			if (vt_before(v->vtime, pc->vmin - SP_LAG_NS))
				v->vtime = pc->vmin - SP_LAG_NS;
			else if ((s64)(v->vtime - pc->vmin) > (s64)VT_MAX_LEAD)
				v->vtime = pc->vmin + VT_MAX_LEAD;
		}
		if (!have_vmin || vt_before(v->vtime, vmin)) {
			vmin = v->vtime;
			have_vmin = true;
		}
		if (vm->below_resv)
			cls = CLS_RESV;
		else if (now - v->ready_since >= SP_STARVE_NS)
			cls = CLS_STARVED;
		else
			cls = CLS_FAIR;
		key = cls == CLS_STARVED ? v->ready_since : v->vtime;
		if (!best || better(cls, key, best_cls, best_key)) {
			best = v;
			best_cls = cls;
			best_key = key;
		}
	}
	if (have_vmin) {
		if (!base_ok || vt_before(pc->vmin, vmin))
			pc->vmin = vmin;
		pc->vmin_t = now;
		pc->vmin_ok = true;
	}
	if (!best) {
		s->idle |= bit;
		return NULL;
	}
	s->idle &= ~bit;
	list_del(&best->link);
	best->state = SP_RUNNING;
	best->cpu = (int)cpu;
	best->vm->nrunning++;           /* vm_refresh brought its usage to now */
	pc->curr = best;
	*run_until = now + run_length(best);
	if (s->idle & ~s->kick & ~bit)
		kick_for_leftovers(s, best);
	return best;
}

/* When a throttled VM's budget covers a run again: after enough window ends to pay its debt. */
static u64 refill_time(const struct sp_vm *vm)
{
	return vm->win_end + (vm->used / vm->budget - 1) * SP_WINDOW_NS;
}

/* When co-stopped v may run if the running siblings go on; 0 if a waiting one holds it. */
static u64 costop_end(const struct sp_vcpu *v, u64 now)
{
	u64 need = v->prog + SP_MIN_RUN_NS - SP_SKEW_NS, t = now;

	for (const struct sp_link *l = v->vm->vcpus.next; l != &v->vm->vcpus; l = l->next) {
		const struct sp_vcpu *w = sib_of(l);
		u64 p = vcpu_prog(w, now);

		if (w == v || w->state == SP_BLOCKED || p >= need)
			continue;
		if (w->state != SP_RUNNING)
			return 0;
		if (now + (need - p) > t)
			t = now + (need - p);
	}
	return t;
}

u64 sp_next_event(struct sp_sched *s, unsigned cpu, u64 now)
{
	u64 next = 0;

	now = clock_in(s, now);
	s->gen++;
	for (struct sp_link *l = s->ready.next; l != &s->ready; l = l->next) {
		struct sp_vcpu *v = ready_of(l);
		u64 t;

		if (!(vcpu_mask(v) >> cpu & 1))
			continue;
		vm_refresh(s, v->vm, now);
		switch (vcpu_why(v)) {
		case WHY_LIMIT:
			t = refill_time(v->vm);
			break;
		case WHY_COSTOP:
			t = costop_end(v, now);
			break;
		default:
			t = now;        /* runnable: pick again */
			break;
		}
		if (t && (!next || t < next))
			next = t;
	}
	return next;
}

/* part / whole in permille, rounded. */
static u16 permille(u64 part, u64 whole)
{
	while (whole >= (1ull << 53)) {
		part >>= 1;
		whole >>= 1;
	}
	if (!whole)
		return 0;
	if (part > whole)
		part = whole;
	return (u16)((part * 1000 + whole / 2) / whole);
}

void sp_sample(struct sp_sched *s, u64 now)
{
	now = clock_in(s, now);
	for (struct sp_link *l = s->vms.next; l != &s->vms; l = l->next) {
		struct sp_vm *vm = vm_of(l);

		vm_update(vm, now);
		for (struct sp_link *k = vm->vcpus.next; k != &vm->vcpus; k = k->next) {
			struct sp_vcpu *v = sib_of(k);
			u64 whole = now > v->sample_t ? now - v->sample_t : 0;
			struct sp_pct *p = &v->pct;

			vcpu_charge(v, now);
			p->run = permille(v->run_ns - v->s_run, whole);
			p->rdy = permille(v->ready_ns - v->s_ready, whole);
			if (p->run + p->rdy > 1000)
				p->rdy = (u16)(1000 - p->run);
			/* The three states cover the interval exactly: wait is the rest. */
			p->wait = whole ? (u16)(1000 - p->run - p->rdy) : 0;
			p->cstp = permille(v->cstp_ns - v->s_cstp, whole);
			p->mlmtd = permille(v->mlmtd_ns - v->s_mlmtd, whole);
			v->s_run = v->run_ns;
			v->s_ready = v->ready_ns;
			v->s_wait = v->wait_ns;
			v->s_cstp = v->cstp_ns;
			v->s_mlmtd = v->mlmtd_ns;
			v->sample_t = now;
		}
	}
}
