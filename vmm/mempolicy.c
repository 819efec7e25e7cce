// SPDX-License-Identifier: MIT
/*
 * mempolicy.c: memory entitlements by water-filling and the balloon targets
 * that follow from them. Pure; the rules are in include/tv/mempolicy.h.
 */
#include <tv/mempolicy.h>

#define NS_PER_SEC 1000000000ull
#define MIB_PAGES 256u                  /* 4 KiB pages in 1 MiB */
/* ESXi's sched.mem.maxmemctl default: a balloon holds at most 65% of memsize. */
#define BALLOON_MAX_PCT 65u

static u64 min_u64(u64 a, u64 b)
{
	return a < b ? a : b;
}

static u64 max_u64(u64 a, u64 b)
{
	return a > b ? a : b;
}

/*
 * a * b / c rounded down, for b <= c (a share of a pool), without a 128-bit
 * division the freestanding kernel has no helper for. Huge b and c lose low
 * bits together, which keeps the ratio.
 */
static u64 share_of(u64 a, u64 b, u64 c)
{
	while (c >> 32) {
		b >>= 1;
		c >>= 1;
	}
	return a / c * b + a % c * b / c;
}

/* The most the VM may have: memsize, or its limit (0 or >= memsize: none). */
static u64 vm_cap(const struct mp_vm *v)
{
	return v->max && v->max < v->size ? v->max : v->size;
}

static u64 vm_min(const struct mp_vm *v)
{
	return min_u64(v->min, vm_cap(v));
}

/* Shares beyond this weigh as this, so any number of VMs' sum fits in 64 bits. */
static u64 vm_shares(const struct mp_vm *v)
{
	return min_u64(v->shares, 1ull << 40);
}

/* What it would use without its balloon, within [reservation, cap]. */
static u64 vm_demand(const struct mp_vm *v)
{
	u64 want = v->consumed + v->ballooned;

	if (want < v->consumed)         /* absurd input: saturate, do not wrap */
		want = ~0ull;
	return max_u64(vm_min(v), min_u64(vm_cap(v), want));
}

static void entitle(const struct mp_host *h, struct mp_vm *vms, unsigned n)
{
	u64 reserved = 0, pool;

	for (unsigned i = 0; i < n; i++) {
		vms[i].entitlement = vm_min(&vms[i]);
		reserved += vms[i].entitlement;
	}
	/* Reservations beyond the host's total (admission's job) leave nothing to split. */
	pool = h->total > reserved ? h->total - reserved : 0;

	/*
	 * Each round splits the pool by weight among the VMs below their
	 * demand; a VM that reaches its demand drops out and the rest is split
	 * again. Rounding leaves fewer pages than active VMs: one each.
	 */
	while (pool) {
		u64 sum = 0, given = 0;
		unsigned active = 0;
		bool equal;

		for (unsigned i = 0; i < n; i++) {
			if (vms[i].entitlement < vm_demand(&vms[i])) {
				sum += vm_shares(&vms[i]);
				active++;
			}
		}
		if (!active)
			break;
		/* VMs without shares get what nobody with shares wants, equally. */
		equal = sum == 0;
		if (equal)
			sum = active;
		for (unsigned i = 0; i < n; i++) {
			struct mp_vm *v = &vms[i];
			u64 room = vm_demand(v) - v->entitlement, add;

			if (!room)
				continue;
			add = min_u64(share_of(pool, equal ? 1 : vm_shares(v), sum), room);
			v->entitlement += add;
			given += add;
		}
		if (!given) {
			for (unsigned i = 0; i < n && pool; i++) {
				if (vms[i].entitlement < vm_demand(&vms[i])) {
					vms[i].entitlement++;
					pool--;
				}
			}
		}
		pool -= given;
	}
}

void mp_host_defaults(struct mp_host *h, u64 total)
{
	/*
	 * Reclaim below 1/16 free (ESX leaves its "high" state at 6%), at
	 * least 4 MiB, but never more than a quarter of a small host; give back
	 * above twice that, so a host near one watermark does not flap.
	 */
	h->total = total;
	h->low = max_u64(total / 16, 4 * MIB_PAGES);
	h->low = min_u64(h->low, total / 4);
	h->high = 2 * h->low;
	/* Whole memory in about a minute, never slower than 1 MiB/s. */
	h->rate = max_u64(total / 64, MIB_PAGES);
}

/* Pages a balloon may move in elapsed ns at rate pages per second. */
static u64 step_pages(u64 rate, u64 elapsed)
{
	u64 secs = elapsed / NS_PER_SEC;

	if (rate && secs > ~0ull / rate)
		return ~0ull;
	/* The fraction of a second rounds down: the kernel steps every second. */
	return rate * secs + share_of(rate, elapsed % NS_PER_SEC, NS_PER_SEC);
}

static u64 move_toward(u64 from, u64 to, u64 step)
{
	if (to > from)
		return to - from > step ? from + step : to;
	return from - to > step ? from - step : to;
}

enum free_state { FREE_LOW, FREE_MID, FREE_HIGH };

static void set_target(struct mp_vm *v, enum free_state st, u64 step, bool first)
{
	/* Never below the reservation, never beyond what ESXi lets a balloon hold. */
	u64 ceil = min_u64(v->size - vm_min(v), v->size / 100 * BALLOON_MAX_PCT +
				 v->size % 100 * BALLOON_MAX_PCT / 100);
	u64 floor = min_u64(v->size - vm_cap(v), ceil);  /* the limit, as far as it can be held */
	u64 prev, want;

	if (!v->has_balloon) {
		v->target = 0;
		return;
	}
	if (first) {
		v->target = min_u64(v->ballooned, ceil);
		return;
	}
	prev = min_u64(v->target, ceil);
	switch (st) {
	case FREE_LOW:
		/*
		 * Take back what it uses beyond its entitlement; never give back
		 * while short. A balloon that grew since the last raise while the
		 * VM's use went down by less than half as much took pages the host
		 * never backed: pushing it further would only starve the guest, so
		 * it holds.
		 */
		want = prev;
		if (v->consumed > v->entitlement &&
		    (!v->seen_consumed || v->ballooned <= v->seen_ballooned ||
		     v->seen_consumed >= v->consumed + (v->ballooned - v->seen_ballooned) / 2))
			want = max_u64(prev, v->ballooned + (v->consumed - v->entitlement));
		if (want > prev) {
			/* What the next raise is judged against. */
			v->seen_consumed = v->consumed;
			v->seen_ballooned = v->ballooned;
		}
		break;
	case FREE_HIGH:
		want = 0;
		break;
	default:
		want = prev;
		break;
	}
	want = min_u64(max_u64(want, floor), ceil);
	v->target = move_toward(prev, want, step);
	/* Paced by the guest: a raise runs at most a step ahead of what its balloon holds. */
	if (v->target > prev)
		v->target = max_u64(prev, min_u64(v->target, v->ballooned + step));
}

unsigned mp_step(struct mp_state *s, const struct mp_host *h, struct mp_vm *vms, unsigned n,
		 u64 free, u64 now_ns)
{
	bool first = !s->started;
	/* A clock that did not move forward moves no balloon. */
	u64 elapsed = !first && now_ns > s->last_ns ? now_ns - s->last_ns : 0;
	u64 step = step_pages(h->rate, elapsed);
	enum free_state st = free < h->low ? FREE_LOW : free > h->high ? FREE_HIGH : FREE_MID;
	unsigned changed = 0;

	s->started = true;
	s->last_ns = now_ns;
	entitle(h, vms, n);
	for (unsigned i = 0; i < n; i++) {
		set_target(&vms[i], st, step, first);
		if (vms[i].has_balloon && vms[i].target != vms[i].ballooned)
			changed++;
	}
	return changed;
}
