// SPDX-License-Identifier: MIT
/*
 * vm_reclaim.c: the boot CPU's memory housekeeping: the page scanner's
 * turns (zero pages, sharing: vmm/gmem.c through vm_ram_scan_batch) and,
 * each second, the entitlement policy (vmm/mempolicy.c), whose balloon
 * targets go to the VMs' virtio-balloons (docs/vmm.md, "Guest memory").
 */
#include <tv/arch.h>
#include <tv/cmdline.h>
#include <tv/log.h>
#include <tv/mempolicy.h>
#include <tv/sched.h>
#include <tv/string.h>
#include "vmm_internal.h"

#define MIB(pages) ((unsigned long long)((pages) >> (20 - PAGE_SHIFT)))

#define SCAN_PERIOD_NS 50000000ull    /* the scanner's turn comes every 50 ms... */
#define SCAN_PCT_DEFAULT 4            /* ...and takes this % of the boot CPU (mem.scan_pct) */
/*
 * A booting guest soon writes most of what it touched: reclaiming its zero
 * pages then only buys copy-on-write faults. VMs are left alone this long.
 */
#define SCAN_GRACE_NS 20000000000ull
#define POLICY_PERIOD_NS 1000000000ull
#define MAX_VMS 64

static u64 next_scan_ns, next_policy_ns, scan_budget_ns;
static bool scan_asked;              /* mem.scan_pct given: scan whether or not memory is overcommitted */
static unsigned scan_vm;             /* round robin over the VMs */
static struct mp_state policy;

static void scan(struct vm **vms, unsigned n, u64 now)
{
	u64 end = now + scan_budget_ns, configured = 0;

	/*
	 * Only while the VMs' memsize adds up to more than the host has for
	 * guests (unless asked): scanning costs copy-on-write faults and
	 * shootdowns, and buys nothing while everything fits.
	 */
	for (unsigned i = 0; i < n; i++)
		configured += vms[i]->ram_size;
	if (!n || (!scan_asked && configured <= vm_ram_host_max()))
		return;
	/* Round robin, a batch at a time, until the time is spent (or no VM shares). */
	for (unsigned skipped = 0; skipped < n && arch_uptime_ns() < end;) {
		struct vm *vm = vms[scan_vm++ % n];

		if (vm->mem.domain && now - vm->started_ns >= SCAN_GRACE_NS) {
			vm_ram_scan_batch(vm, 256);
			skipped = 0;
		} else {
			skipped++;      /* booting, or sched.mem.pshare.enable = FALSE */
		}
	}
}

static void balloon_policy(struct vm **vms, unsigned n, u64 now)
{
	static struct mp_vm mv[MAX_VMS];
	static struct vm *last[MAX_VMS];
	u64 full = vm_ram_host_max() >> PAGE_SHIFT;
	const char *minfree = cmdline_get("mem.minfree");
	struct mp_host h;

	mp_host_defaults(&h, full);
	if (minfree) {
		/* mem.minfree=MiB (ESX's Mem.MinFreePct, in MiB): reclaim below it, give back a little above. */
		h.low = MIN(cmdline_u64("mem.minfree", 0) << (20 - PAGE_SHIFT), full);
		h.high = h.low + MAX(full / 32, 1024ull);
	}
	/* VMs share what the host has less the free memory it keeps: short, their use adds up to more. */
	h.total = full > h.high ? full - h.high : 0;
	for (unsigned i = 0; i < n; i++) {
		struct vm *vm = vms[i];
		u64 size = vm->ram_size >> PAGE_SHIFT;

		if (last[i] != vm)
			mv[i] = (struct mp_vm){ .target = vm->balloon_target };  /* rows moved: its own history */
		last[i] = vm;
		mv[i].size = size;
		mv[i].min = vm->reserved_pages;
		mv[i].max = vm->cfg.mem_max_mib ? vm->cfg.mem_max_mib << (20 - PAGE_SHIFT) : size;
		mv[i].shares = vm->cfg.mem_shares ? vm->cfg.mem_shares : 10 * (vm->ram_size >> 20);
		mv[i].consumed = READ_ONCE(vm->mem.own);
		mv[i].ballooned = vm_balloon_actual(vm);
		mv[i].has_balloon = vm_balloon_present(vm);
	}
	mp_step(&policy, &h, mv, n, vm_ram_free_for_guests() >> PAGE_SHIFT, now);
	for (unsigned i = 0; i < n; i++) {
		struct vm *vm = vms[i];

		if (!mv[i].has_balloon) {
			if (mv[i].max < mv[i].size && !vm->limit_warned) {
				vm->limit_warned = true;
				pr_warn("vm %s: sched.mem.max %llu MB cannot be held: the VM has no balloon "
					"(virtioBalloon.present)\n", vm->name,
					(unsigned long long)vm->cfg.mem_max_mib);
			}
			continue;
		}
		/* Only changes go to the device: a target set otherwise (test.balloon) stands until then. */
		if (mv[i].target == vm->balloon_target)
			continue;
		pr_info("vm %s: balloon target %llu MiB (entitled to %llu MiB, uses %llu, host free "
			"%llu MiB)\n", vm->name, MIB(mv[i].target), MIB(mv[i].entitlement),
			MIB(mv[i].consumed), (unsigned long long)(vm_ram_free_for_guests() >> 20));
		vm->balloon_target = mv[i].target;
		vm_balloon_set_target(vm, mv[i].target);
	}
}

void vm_mem_housekeeping(u64 now)
{
	struct vm *vms[MAX_VMS];
	unsigned n;

	if (now < next_scan_ns && now < next_policy_ns)
		return;
	if (!scan_budget_ns) {
		const char *s = cmdline_get("mem.scan_pct");
		unsigned long pct = s ? strtoul(s, NULL, 10) : SCAN_PCT_DEFAULT;

		scan_asked = s != NULL;

		scan_budget_ns = MIN(pct, 90ul) * (SCAN_PERIOD_NS / 100) + 1;
	}
	n = sched_vms(vms, MAX_VMS);
	if (now >= next_scan_ns) {
		next_scan_ns = now + SCAN_PERIOD_NS;
		if (scan_budget_ns > 1)
			scan(vms, n, now);
	}
	if (now >= next_policy_ns) {
		next_policy_ns = now + POLICY_PERIOD_NS;
		balloon_policy(vms, n, now);
	}
}
