// SPDX-License-Identifier: MIT
/*
 * test_mempolicy.c: the memory entitlement policy (vmm/mempolicy.c) stepped
 * in simulated time, with guests whose balloon drivers follow the target
 * at once, so entitlements, rates, limits and reservations can be measured.
 */
#include "test.h"

#include <tv/mempolicy.h>

#define SEC 1000000000ull

/* A host of 100000 pages: reclaim below 5000 free, give back above 10000, 1000 pages/s. */
static const struct mp_host host = { 100000, 5000, 10000, 1000 };

static struct mp_vm vm(u64 size, u64 min, u64 max, u64 shares, u64 consumed, bool balloon)
{
	struct mp_vm v = { .size = size, .min = min, .max = max, .shares = shares,
			   .consumed = consumed, .has_balloon = balloon };
	return v;
}

/* The guest's driver reaches the target: each page it inflates is one the host gets back. */
static void follow(struct mp_vm *vms, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct mp_vm *v = &vms[i];

		if (!v->has_balloon)
			continue;
		if (v->target > v->ballooned) {
			u64 d = v->target - v->ballooned;

			v->consumed -= d < v->consumed ? d : v->consumed;
			v->ballooned += d;
		} else {
			v->ballooned = v->target;
		}
	}
}

TEST(plenty_free)
{
	struct mp_vm v[2] = { vm(20000, 0, 0, 200, 15000, true), vm(20000, 0, 0, 200, 3000, true) };
	struct mp_state s = { 0 };

	for (unsigned t = 0; t < 5; t++) {
		CHECK_EQ(mp_step(&s, &host, v, 2, 60000, t * SEC), 0);
		CHECK_EQ(v[0].target, 0);
		CHECK_EQ(v[1].target, 0);
	}
	/* Both get what they use: the host has it. */
	CHECK_EQ(v[0].entitlement, 15000);
	CHECK_EQ(v[1].entitlement, 3000);
}

TEST(short_reclaims_at_rate)
{
	/* 40000 pages: B wants 10000 and keeps them; A is entitled to the other 30000. */
	struct mp_host h = host;
	struct mp_vm v[2] = { vm(60000, 0, 0, 600, 50000, true), vm(60000, 0, 0, 600, 10000, true) };
	struct mp_state s = { 0 };
	u64 prev = 0;

	h.total = 40000;
	CHECK_EQ(mp_step(&s, &h, v, 2, 1000, 0), 0);
	CHECK_EQ(v[0].target, 0);
	CHECK_EQ(v[0].entitlement, 30000);
	CHECK_EQ(v[1].entitlement, 10000);
	for (unsigned t = 1; t <= 25; t++) {
		unsigned changed = mp_step(&s, &h, v, 2, 1000, t * SEC);

		/* 1000 a second until it holds the 20000 it uses beyond its entitlement. */
		CHECK_EQ(v[0].target - prev, t <= 20 ? 1000 : 0);
		CHECK_EQ(changed, t <= 20 ? 1 : 0);
		CHECK_EQ(v[1].target, 0);
		CHECK_EQ(v[0].entitlement, 30000);
		prev = v[0].target;
		follow(v, 2);
	}
	CHECK_EQ(v[0].ballooned, 20000);
	CHECK_EQ(v[0].consumed, 30000);

	/* Half a second moves half the rate (a VM that uses 5000 more, seen afresh). */
	v[0] = vm(60000, 0, 0, 600, 35000, true);
	v[0].ballooned = v[0].target = 20000;
	mp_step(&s, &h, v, 2, 1000, 25 * SEC + SEC / 2);
	CHECK_EQ(v[0].target, 20500);
}

TEST(shares)
{
	/* Identical VMs that both want everything; 2:1 shares of the 58000 not reserved. */
	struct mp_host h = host;
	struct mp_vm v[2] = { vm(100000, 1000, 0, 2000, 100000, true),
			      vm(100000, 1000, 0, 1000, 100000, true) };
	struct mp_state s = { 0 };
	u64 a, b;

	h.total = 60000;
	mp_step(&s, &h, v, 2, 0, 0);
	a = v[0].entitlement - 1000;
	b = v[1].entitlement - 1000;
	CHECK_EQ(v[0].entitlement + v[1].entitlement, 60000);
	CHECK(a >= 38666 && a <= 38668);
	CHECK(b >= 19332 && b <= 19334);

	/* Both use their memsize, so both are ballooned toward their entitlements. */
	mp_step(&s, &h, v, 2, 0, SEC);
	CHECK_EQ(v[0].target, 1000);
	CHECK_EQ(v[1].target, 1000);
}

TEST(reservation)
{
	/* A reserves 8000 of its 10000 (no shares: no more); B, no reservation, may lose 65%. */
	struct mp_host h = host;
	struct mp_vm v[2] = { vm(10000, 8000, 0, 0, 10000, true), vm(10000, 0, 0, 100, 10000, true) };
	struct mp_state s = { 0 };

	h.total = 9000;
	mp_step(&s, &h, v, 2, 0, 0);
	CHECK_EQ(v[0].entitlement, 8000);
	CHECK_EQ(v[1].entitlement, 1000);
	for (unsigned t = 1; t <= 20; t++) {
		mp_step(&s, &h, v, 2, 0, t * SEC);
		CHECK(v[0].target <= 2000);
		CHECK(v[1].target <= 6500);
		follow(v, 2);
	}
	CHECK_EQ(v[0].target, 2000);
	CHECK_EQ(v[1].target, 6500);

	/* A reservation above the limit is held to the limit. */
	v[0] = vm(10000, 8000, 5000, 100, 10000, true);
	mp_step(&s, &h, v, 1, 0, 21 * SEC);
	CHECK_EQ(v[0].entitlement, 5000);
	CHECK_EQ(v[0].target, 1000);
}

TEST(limit)
{
	/* max 6000 of 10000: ballooned toward 4000 though the host is nearly empty. */
	struct mp_vm v[1] = { vm(10000, 0, 6000, 100, 3000, true) };
	struct mp_state s = { 0 };

	mp_step(&s, &host, v, 1, 90000, 0);
	CHECK_EQ(v[0].target, 0);
	CHECK_EQ(v[0].entitlement, 3000);
	for (unsigned t = 1; t <= 6; t++) {
		mp_step(&s, &host, v, 1, 90000, t * SEC);
		CHECK_EQ(v[0].target, t < 4 ? t * 1000 : 4000);
		follow(v, 1);
	}
	/* Its demand counts the balloon, but never beyond the limit. */
	v[0].consumed = 6000;
	mp_step(&s, &host, v, 1, 90000, 7 * SEC);
	CHECK_EQ(v[0].entitlement, 6000);
	CHECK_EQ(v[0].target, 4000);

	/* Between the watermarks the floor holds too. */
	v[0] = vm(10000, 0, 6000, 100, 3000, true);
	v[0].target = 500;
	v[0].ballooned = 500;
	mp_step(&s, &host, v, 1, 7000, 8 * SEC);
	CHECK_EQ(v[0].target, 1500);

	/* A limit below 35% of memsize is held as far as the balloon can (65%). */
	v[0] = vm(10000, 0, 1000, 100, 3000, true);
	v[0].target = v[0].ballooned = 6000;
	mp_step(&s, &host, v, 1, 90000, 9 * SEC);
	CHECK_EQ(v[0].target, 6500);
	mp_step(&s, &host, v, 1, 90000, 10 * SEC);
	CHECK_EQ(v[0].target, 6500);
	CHECK_EQ(v[0].entitlement, 1000);
}

TEST(deflate)
{
	struct mp_vm v[2] = { vm(20000, 0, 0, 200, 5000, true), vm(20000, 0, 16000, 200, 5000, true) };
	struct mp_state s = { 0 };

	v[0].ballooned = 3500;
	v[1].ballooned = 7000;
	mp_step(&s, &host, v, 2, 20000, 0);
	CHECK_EQ(v[0].target, 3500);
	CHECK_EQ(v[1].target, 7000);
	/* Between the watermarks: held. */
	CHECK_EQ(mp_step(&s, &host, v, 2, 8000, SEC), 0);
	CHECK_EQ(v[0].target, 3500);
	CHECK_EQ(v[1].target, 7000);
	/* Above high: down at the rate, to 0 and to the limit's floor (4000). */
	for (unsigned t = 2; t <= 8; t++) {
		u64 a = v[0].target, b = v[1].target;

		mp_step(&s, &host, v, 2, 20000, t * SEC);
		CHECK_EQ(a - v[0].target, a >= 1000 ? 1000 : a);
		CHECK_EQ(b - v[1].target, b - 4000 >= 1000 ? 1000 : b - 4000);
		follow(v, 2);
	}
	CHECK_EQ(v[0].target, 0);
	CHECK_EQ(v[1].target, 4000);
	CHECK_EQ(v[0].ballooned, 0);
}

TEST(water_filling)
{
	/* C wants 1000 of its equal share; A and B split the rest equally. */
	struct mp_host h = host;
	struct mp_vm v[3] = { vm(50000, 0, 0, 500, 50000, true), vm(50000, 0, 0, 500, 40000, true),
			      vm(50000, 0, 0, 500, 1000, true) };
	struct mp_state s = { 0 };

	h.total = 31000;
	mp_step(&s, &h, v, 3, 0, 0);
	CHECK_EQ(v[0].entitlement, 15000);
	CHECK_EQ(v[1].entitlement, 15000);
	CHECK_EQ(v[2].entitlement, 1000);

	/* Ballooned pages still count as demand: A's entitlement does not shrink as it inflates. */
	v[0].consumed = 30000;
	v[0].ballooned = 20000;
	mp_step(&s, &h, v, 3, 0, SEC);
	CHECK_EQ(v[0].entitlement, 15000);

	/* Limited by demand in turn: B wants only 10000, so A gets 20000. */
	v[1].consumed = 10000;
	mp_step(&s, &h, v, 3, 0, 2 * SEC);
	CHECK_EQ(v[0].entitlement, 20000);
	CHECK_EQ(v[1].entitlement, 10000);
	CHECK_EQ(v[2].entitlement, 1000);

	/* VMs without shares get only what nobody with shares wants. */
	v[0] = vm(50000, 0, 0, 0, 50000, true);
	v[1] = vm(50000, 0, 0, 100, 20000, true);
	mp_step(&s, &h, v, 2, 0, 3 * SEC);
	CHECK_EQ(v[1].entitlement, 20000);
	CHECK_EQ(v[0].entitlement, 11000);
}

TEST(no_balloon)
{
	struct mp_host h = host;
	struct mp_vm v[2] = { vm(60000, 0, 30000, 600, 50000, false), vm(60000, 0, 0, 600, 10000, true) };
	struct mp_state s = { 0 };

	h.total = 40000;
	for (unsigned t = 0; t < 4; t++) {
		CHECK_EQ(mp_step(&s, &h, v, 2, 0, t * SEC), 0);
		CHECK_EQ(v[0].target, 0);
		CHECK_EQ(v[0].entitlement, 30000);
		CHECK_EQ(v[1].entitlement, 10000);
	}
}

TEST(edges)
{
	struct mp_host h = host;
	struct mp_vm v[3];
	struct mp_state s = { 0 };

	/* No VMs. */
	CHECK_EQ(mp_step(&s, &h, NULL, 0, 0, 0), 0);
	CHECK_EQ(mp_step(&s, &h, v, 0, 0, SEC), 0);

	/* Reservations beyond the host: each keeps its reservation, nothing wraps. */
	h.total = 5000;
	v[0] = vm(8000, 4000, 0, 100, 8000, true);
	v[1] = vm(8000, 4000, 0, 100, 8000, true);
	mp_step(&s, &h, v, 2, 0, 2 * SEC);
	CHECK_EQ(v[0].entitlement, 4000);
	CHECK_EQ(v[1].entitlement, 4000);
	CHECK_EQ(v[0].target, 1000);

	/* Nothing for guests at all, shares 0 everywhere. */
	h.total = 0;
	v[0] = vm(8000, 0, 0, 0, 8000, true);
	v[1] = vm(8000, 0, 0, 0, 0, true);
	mp_step(&s, &h, v, 2, 0, 3 * SEC);
	CHECK_EQ(v[0].entitlement, 0);
	CHECK_EQ(v[1].entitlement, 0);
	CHECK_EQ(v[0].target, 1000);

	/* Time that stands still or runs backwards moves nothing; then it moves on. */
	h = host;
	v[0] = vm(8000, 0, 0, 100, 8000, true);
	v[0].target = v[0].ballooned = 1000;
	h.total = 2000;
	CHECK_EQ(mp_step(&s, &h, v, 1, 0, 3 * SEC), 0);
	CHECK_EQ(v[0].target, 1000);
	CHECK_EQ(mp_step(&s, &h, v, 1, 0, 1 * SEC), 0);
	CHECK_EQ(v[0].target, 1000);
	CHECK_EQ(mp_step(&s, &h, v, 1, 0, 2 * SEC), 1);
	CHECK_EQ(v[0].target, 2000);

	/* Huge numbers: no overflow in the split or the rate. */
	h.total = 1ull << 40;
	h.rate = 1ull << 40;
	v[0] = vm(1ull << 41, 0, 0, 1ull << 40, 1ull << 41, true);
	v[1] = vm(1ull << 41, 0, 0, (1ull << 40) / 3, 1ull << 41, true);
	v[2] = vm(1ull << 41, 0, 0, 7, 1ull << 41, true);
	mp_step(&s, &h, v, 3, 0, ~0ull);
	CHECK_EQ(v[0].entitlement + v[1].entitlement + v[2].entitlement, 1ull << 40);
	CHECK(v[0].entitlement > 2 * v[1].entitlement);
	CHECK(v[0].entitlement < 4 * v[1].entitlement);
	CHECK(v[0].target <= (1ull << 41) / 100 * 65);

	/* Shares near 2^64 do not wrap their sum: equal weights, equal parts. */
	h.total = 3000;
	v[0] = vm(5000, 0, 0, ~0ull, 5000, true);
	v[1] = vm(5000, 0, 0, ~0ull - 1, 5000, true);
	v[2] = vm(5000, 0, 0, ~0ull, 5000, true);
	mp_step(&s, &h, v, 3, 0, ~0ull);
	CHECK_EQ(v[0].entitlement, 1000);
	CHECK_EQ(v[1].entitlement, 1000);
	CHECK_EQ(v[2].entitlement, 1000);
}

static u64 seed = 12345;

static u64 rnd(u64 m)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return (seed >> 33) % m;
}

/* Random hosts and VMs: the invariants hold at every step. */
TEST(invariants)
{
	for (unsigned round = 0; round < 300; round++) {
		struct mp_host h = { 0 };
		struct mp_vm v[6];
		struct mp_state s = { 0 };
		unsigned n = (unsigned)rnd(7);
		u64 t = 0;

		h.total = rnd(200000);
		h.low = rnd(20000);
		h.high = h.low + rnd(20000);
		h.rate = 1 + rnd(5000);
		for (unsigned i = 0; i < n; i++) {
			u64 size = 1 + rnd(80000);
			u64 min = rnd(3) ? 0 : rnd(size + 1);
			u64 max = rnd(2) ? 0 : rnd(size * 2);
			u64 shares = rnd(4000);

			v[i] = vm(size, min, max, shares, rnd(size + 1), rnd(4) != 0);
		}
		for (unsigned k = 0; k < 20; k++) {
			u64 prev[6], reserved = 0, sum = 0, demand = 0;
			u64 dt = rnd(3 * SEC), step;

			t += dt;
			step = h.rate * (dt / SEC) + h.rate * (dt % SEC) / SEC;
			for (unsigned i = 0; i < n; i++)
				prev[i] = v[i].target;
			mp_step(&s, &h, v, n, rnd(40000), t);
			for (unsigned i = 0; i < n; i++) {
				struct mp_vm *x = &v[i];
				u64 cap = x->max && x->max < x->size ? x->max : x->size;
				u64 mn = x->min < cap ? x->min : cap;
				u64 d = x->consumed + x->ballooned;

				d = d < cap ? d : cap;
				d = d > mn ? d : mn;
				CHECK(x->entitlement >= mn && x->entitlement <= d);
				CHECK(x->target <= x->size - mn);
				CHECK(x->target * 100 <= x->size * 65);
				if (k && x->has_balloon)
					CHECK(x->target <= prev[i] + step && x->target + step >= prev[i]);
				if (!x->has_balloon)
					CHECK_EQ(x->target, 0);
				reserved += mn;
				sum += x->entitlement;
				demand += d;
			}
			/* Work-conserving: all of the host is handed out, or all that is asked for. */
			if (reserved <= h.total)
				CHECK_EQ(sum, demand < h.total ? demand : h.total);
			else
				CHECK_EQ(sum, reserved);
			follow(v, n);
			for (unsigned i = 0; i < n; i++)
				v[i].consumed = rnd(v[i].size - v[i].ballooned + 1);
		}
	}
}

TEST(defaults)
{
	struct mp_host h;

	mp_host_defaults(&h, 1u << 20);     /* 4 GiB */
	CHECK_EQ(h.total, 1u << 20);
	CHECK_EQ(h.low, 65536);
	CHECK_EQ(h.high, 131072);
	CHECK_EQ(h.rate, 16384);
	mp_host_defaults(&h, 8192);         /* 32 MiB: 4 MiB and 1 MiB/s */
	CHECK_EQ(h.low, 1024);
	CHECK_EQ(h.high, 2048);
	CHECK_EQ(h.rate, 256);
	mp_host_defaults(&h, 1000);         /* tiny: a quarter */
	CHECK_EQ(h.low, 250);
	CHECK_EQ(h.high, 500);
	mp_host_defaults(&h, 0);
	CHECK_EQ(h.low, 0);
	CHECK_EQ(h.high, 0);
	CHECK_EQ(h.rate, 256);
}

/*
 * As the kernel runs it: what VMs share is the host less the free memory
 * it keeps (the high watermark), so the VMs' use can add up to more than
 * that, and then the VM furthest above its share gives back.
 */
TEST(kernel_accounting)
{
	struct mp_host h;
	struct mp_vm v[2] = { vm(30000, 0, 0, 100, 20000, true), vm(30000, 0, 0, 2000, 18500, true) };
	struct mp_state s = { 0 };
	u64 free = 40000 - 20000 - 18500;

	mp_host_defaults(&h, 40000);
	CHECK_EQ(h.low, 2500);
	CHECK(free < h.low);
	h.total = 40000 - h.high;
	mp_step(&s, &h, v, 2, free, 0);
	/* B asks for less than its share and gets it; A gets the rest. */
	CHECK_EQ(v[1].entitlement, 18500);
	CHECK_EQ(v[0].entitlement, h.total - 18500);
	for (unsigned t = 1; t <= 10; t++) {
		mp_step(&s, &h, v, 2, free, t * SEC);
		follow(v, 2);
		free = 40000 - v[0].consumed - v[1].consumed;
	}
	/*
	 * A gave back until the host was above its low watermark again (then
	 * targets hold), never more than it used beyond its entitlement; B
	 * nothing.
	 */
	CHECK(v[0].ballooned > 0 && v[0].ballooned <= 20000 - (h.total - 18500));
	CHECK_EQ(v[1].ballooned, 0);
	CHECK(free >= h.low && free - h.low < h.rate);
}

/* Ballooned pages the host never backed give nothing back: the target stops there. */
TEST(balloon_of_unbacked_pages)
{
	struct mp_vm v[1] = { vm(60000, 0, 0, 600, 50000, true) };
	struct mp_state s = { 0 };
	struct mp_host h = host;

	h.total = 40000;
	mp_step(&s, &h, v, 1, 1000, 0);
	mp_step(&s, &h, v, 1, 1000, SEC);
	CHECK_EQ(v[0].target, 1000);
	for (unsigned t = 2; t < 10; t++) {
		v[0].ballooned = v[0].target;   /* inflated, but consumed stays */
		mp_step(&s, &h, v, 1, 1000, t * SEC);
		CHECK_EQ(v[0].target, 1000);
	}
}

/* A guest whose driver is not up yet: the target stays a step ahead of its empty balloon. */
TEST(paced_by_the_guest)
{
	struct mp_vm v[1] = { vm(60000, 0, 0, 600, 50000, true) };
	struct mp_state s = { 0 };
	struct mp_host h = host;

	h.total = 40000;
	for (unsigned t = 0; t < 10; t++)
		mp_step(&s, &h, v, 1, 1000, t * SEC);
	CHECK_EQ(v[0].target, 1000);
	v[0].ballooned = 1000;          /* it inflates, and the host gets the frames back */
	v[0].consumed -= 1000;
	mp_step(&s, &h, v, 1, 1000, 10 * SEC);
	CHECK_EQ(v[0].target, 2000);
}

TEST_MAIN({ "plenty_free", plenty_free }, { "paced_by_the_guest", paced_by_the_guest }, { "balloon_of_unbacked_pages", balloon_of_unbacked_pages }, { "kernel_accounting", kernel_accounting }, { "short_reclaims_at_rate", short_reclaims_at_rate },
	  { "shares", shares }, { "reservation", reservation }, { "limit", limit },
	  { "deflate", deflate }, { "water_filling", water_filling }, { "no_balloon", no_balloon },
	  { "edges", edges }, { "invariants", invariants }, { "defaults", defaults })
