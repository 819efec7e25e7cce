/* SPDX-License-Identifier: MIT */
/*
 * vdev_testlib.h: a fake VMM for the device model tests (test_v*.c): a
 * controllable clock, one-shot timers fired in deadline order, and a log
 * of every interrupt line change.
 */
#ifndef TESTS_UNIT_VDEV_TESTLIB_H
#define TESTS_UNIT_VDEV_TESTLIB_H

#include "test.h"

#include <tv/vdev.h>

#define FH_MAX_TIMERS 16
#define FH_MAX_GSI 32
#define FH_MAX_FIRES 10000000L  /* a device that fires more than this per advance storms */

struct fake_host {
	u64 now;
	struct vtimer *armed[FH_MAX_TIMERS];
	int narmed;
	long arms, cancels, fires;
	bool line[FH_MAX_GSI];
	long rising[FH_MAX_GSI];        /* 0 -> 1 transitions per GSI */
	long falling[FH_MAX_GSI];
	long set_irq_calls;
	int bad_calls;                  /* set_irq to an out-of-range GSI, storms */
};

static struct fake_host fh __attribute__((unused));

static inline u64 fh_now(void *ctx)
{
	return ((struct fake_host *)ctx)->now;
}

static inline void fh_unlink(struct fake_host *h, struct vtimer *t)
{
	t->deadline_ns = 0;
	for (int i = 0; i < h->narmed; i++) {
		if (h->armed[i] == t) {
			h->armed[i] = h->armed[--h->narmed];
			return;
		}
	}
}

static inline void fh_timer_cancel(void *ctx, struct vtimer *t)
{
	struct fake_host *h = ctx;

	h->cancels++;
	fh_unlink(h, t);
}

static inline void fh_timer_arm(void *ctx, struct vtimer *t, u64 deadline)
{
	struct fake_host *h = ctx;

	h->arms++;
	fh_unlink(h, t);
	if (!deadline) {
		h->bad_calls++;         /* 0 means "not armed": devices must not use it */
		return;
	}
	t->deadline_ns = deadline;
	if (h->narmed < FH_MAX_TIMERS)
		h->armed[h->narmed++] = t;
	else
		h->bad_calls++;
}

static inline void fh_set_irq(void *ctx, unsigned gsi, bool level)
{
	struct fake_host *h = ctx;

	h->set_irq_calls++;
	if (gsi >= FH_MAX_GSI) {
		h->bad_calls++;
		return;
	}
	if (level && !h->line[gsi])
		h->rising[gsi]++;
	if (!level && h->line[gsi])
		h->falling[gsi]++;
	h->line[gsi] = level;
}

static const struct vdev_host fh_host __attribute__((unused)) = {
	.ctx = &fh,
	.now_ns = fh_now,
	.timer_arm = fh_timer_arm,
	.timer_cancel = fh_timer_cancel,
	.set_irq = fh_set_irq,
};

static inline void fh_reset(u64 start_ns)
{
	memset(&fh, 0, sizeof(fh));
	fh.now = start_ns;
}

/* Armed timer with the earliest deadline at or before `until`, or NULL. */
static inline struct vtimer *fh_due(u64 until)
{
	struct vtimer *best = NULL;

	for (int i = 0; i < fh.narmed; i++)
		if (fh.armed[i]->deadline_ns <= until &&
		    (!best || fh.armed[i]->deadline_ns < best->deadline_ns))
			best = fh.armed[i];
	return best;
}

/* Move the clock to `until`, firing every timer due on the way, in order. */
static inline void fh_run_until(u64 until)
{
	struct vtimer *t;
	long n = 0;

	while ((t = fh_due(until))) {
		if (++n > FH_MAX_FIRES) {
			fh.bad_calls++;
			break;
		}
		if (t->deadline_ns > fh.now)
			fh.now = t->deadline_ns;
		fh_unlink(&fh, t);
		fh.fires++;
		t->fire(t, fh.now);
	}
	if (until > fh.now)
		fh.now = until;
}

static inline void fh_advance(u64 ns)
{
	fh_run_until(fh.now + ns);
}

/* Like a VMM that was busy: jump the clock, then fire what is due. */
static inline void fh_jump(u64 ns)
{
	fh.now += ns;
	fh_run_until(fh.now);
}

static inline bool fh_is_armed(const struct vtimer *t)
{
	for (int i = 0; i < fh.narmed; i++)
		if (fh.armed[i] == t)
			return true;
	return false;
}

/* A tiny deterministic PRNG for the hostile-input tests. */
static u64 fh_rand_state __attribute__((unused)) = 0x9e3779b97f4a7c15ull;

static inline u64 fh_rand(void)
{
	fh_rand_state ^= fh_rand_state << 13;
	fh_rand_state ^= fh_rand_state >> 7;
	fh_rand_state ^= fh_rand_state << 17;
	return fh_rand_state;
}

#endif
