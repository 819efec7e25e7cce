/* SPDX-License-Identifier: MIT */
/*
 * mempolicy.h: the memory entitlement policy (vmm/mempolicy.c). Pure: it
 * sees numbers, not VMs, and is stepped in simulated time by the unit test
 * (tests/unit/test_mempolicy.c) and every second by the kernel
 * (vmm/vm_mem.c). All sizes are in 4 KiB pages.
 *
 * Each VM is entitled to its reservation (sched.mem.min), then to a part of
 * what else the host has for guests in proportion to its shares
 * (sched.mem.shares), never beyond its limit (sched.mem.max) or its
 * memsize, and never beyond what it asks for (its demand): what a VM does
 * not want is given to the others (water-filling). When free host memory
 * falls below the low watermark, VMs that consume more than their
 * entitlement get a balloon target that takes the difference back, a
 * limited number of pages per second; above the high watermark, balloons
 * deflate at that rate. A VM over its limit is ballooned down to it
 * whatever the free memory. A balloon never takes a VM below its
 * reservation.
 */
#ifndef TV_MEMPOLICY_H
#define TV_MEMPOLICY_H

#include <tv/types.h>

struct mp_vm {
	/* In: set by the caller before each mp_step. */
	u64 size;          /* memsize */
	u64 min;           /* sched.mem.min (0 none) */
	u64 max;           /* sched.mem.max; 0 or >= size means no limit */
	u64 shares;        /* sched.mem.shares, already a number (normal: 10 per MB of memsize) */
	u64 consumed;      /* host frames the VM uses now (its own, not counting shared or zero pages) */
	u64 ballooned;     /* pages its balloon holds now (the driver's "actual") */
	bool has_balloon;  /* a balloon device whose driver is up: only then is target used */
	/*
	 * Out: set by mp_step. The caller keeps the array between steps: the
	 * target of the last step is where this one moves it from (at most
	 * rate pages a second), so it is an input too.
	 */
	u64 seen_consumed;  /* the policy's own: consumed and ballooned at its last raise */
	u64 seen_ballooned;
	u64 entitlement;   /* pages: >= min (if the host has it), <= min(size, max) */
	u64 target;        /* balloon target in pages; the caller hands it to the device */
};

struct mp_host {
	u64 total;         /* host memory for guests: the most they could ever be given */
	u64 low, high;     /* watermarks on free memory: below low reclaim, above high give back */
	u64 rate;          /* most pages a balloon moves per second, either way */
};

/*
 * Default watermarks and rate for a host with `total` pages for guests:
 * low = total/16 (ESX leaves its "high" state below 6% free), at least
 * 4 MiB, at most total/4; high = 2 * low; rate = total/64 a second (all of
 * memory in about a minute), at least 1 MiB a second.
 */
void mp_host_defaults(struct mp_host *h, u64 total);

/*
 * One policy step at time now_ns (monotonic; the first call only records
 * the time and takes each target from ballooned), with `free` pages free
 * for guests now. Sets entitlement and target of every vms[i]. Targets
 * move at most rate pages per second elapsed (rounded down: step at least
 * every 1/rate s, the kernel steps every second; no movement when time did
 * not advance). A target stays within [limit floor, ceiling]: the floor is
 * size - max for a limited VM, the ceiling min(size - min, 65% of size)
 * (ESXi's sched.mem.maxmemctl), so a limit below 35% of size cannot be
 * held by the balloon alone. VMs without has_balloon get target 0.
 * Returns how many VMs with a balloon got a target other than their
 * current ballooned (the caller logs changes). s starts zeroed.
 */
struct mp_state {
	u64 last_ns;
	bool started;
};
unsigned mp_step(struct mp_state *s, const struct mp_host *h, struct mp_vm *vms, unsigned n,
		 u64 free, u64 now_ns);

#endif
