/* SPDX-License-Identifier: MIT */
/*
 * sched_policy.h: which vCPU runs on which host CPU, and for how long
 * (kernel/sched_policy.c). It gives operators ESXi's model: per-VM CPU
 * shares, reservation (MHz), limit (MHz) and affinity, relaxed
 * co-scheduling of sibling vCPUs, and esxtop's %RUN/%RDY/%WAIT.
 *
 * The policy is pure so that it can be tested on the host in simulated
 * time: no locks, no allocation, no clock. The caller owns every struct
 * (embed them in struct vm / struct vcpu), holds one lock around every
 * call, and passes the time `now` in ns from a clock all CPUs share (read
 * it under the lock; a `now` older than one already seen is taken as that
 * one, so times never go backwards inside the policy).
 *
 * The caller's loop on each host CPU c:
 *
 *	v = sp_pick(s, c, now, &until);
 *	if (v)  run v until `until`, an exit that blocks it (HLT) or a kick;
 *	        then sp_put(s, v, now, blocked) and pick again at once
 *	else    t = sp_next_event(s, c, now); arm a timer for t if t != 0;
 *	        sleep until the timer or a kick, then pick again
 *
 * and from anywhere: sp_wake() when a BLOCKED vCPU has work (an interrupt
 * or timer for it). After every call, sp_take_kicks() says which CPUs must
 * look again: an idle one calls sp_pick; a busy one puts its vCPU (READY)
 * and picks, because something it should run instead is waiting. Send
 * the IPIs after dropping the lock; a CPU may find its own bit (ignore
 * it: it is about to pick anyway). An idle CPU must not lose a kick that
 * lands between sp_pick returning NULL and its halt.
 *
 * Rules (constants below):
 * - Shares: weighted fair queueing by virtual time. A vCPU's share is its
 *   VM's shares divided among the VM's READY and RUNNING vCPUs; running
 *   d ns advances its vtime by d * 1000 / share. The eligible vCPU with the
 *   smallest vtime runs, for at most SP_SLICE_NS. Each CPU keeps a vmin:
 *   the smallest vtime among the candidates of its last pick, never moving
 *   back. A candidate there is first raised to at least vmin - SP_LAG_NS,
 *   and a waking vCPU to vmin - SP_WAKE_BONUS_NS of the CPU it is sent to
 *   (or ran on last), so time spent halted, throttled or waiting elsewhere
 *   banks no credit, while a waker still runs ahead of the CPU-bound for
 *   prompt interrupt handling. A waker more than SP_WAKE_GRAN_NS of vtime
 *   behind a running vCPU preempts it (that CPU is kicked).
 * - Reservation: a VM that has used less than min_mhz / cpu_mhz of a CPU
 *   in its current SP_WINDOW_NS window runs before every vCPU of a VM that
 *   has not (its run still advances its vtime, so it gets the larger of
 *   its reservation and its fair share, as on ESXi).
 * - Limit: a VM whose vCPUs have used max_mhz / cpu_mhz x SP_WINDOW_NS of
 *   CPU time in its window does not run until the window ends, even on an
 *   idle host; a run that overshoots (several vCPUs at once, or the
 *   caller's timer being late) is paid back from the next window.
 *   sp_pick's run_until ends a run when the budget would run out.
 * - Affinity: a vCPU runs only on CPUs in its VM's mask (bits beyond
 *   ncpus ignored; a mask naming no host CPU is refused at admission),
 *   narrowed by the vCPU's own mask if the caller sets one (0, or a mask
 *   disjoint from the VM's, means the VM's). Changing v->affinity is
 *   allowed under the lock; a RUNNING v is not moved until its next put.
 * - Co-scheduling (relaxed, as ESX): each vCPU's progress is the CPU time
 *   it has had; a halted vCPU is taken to keep pace with its siblings (on
 *   wake its progress is raised to the leader's). A vCPU that cannot run
 *   SP_MIN_RUN_NS without leading its slowest READY/RUNNING sibling by
 *   more than SP_SKEW_NS is co-stopped: not picked until the laggard
 *   catches up; and a run is cut where it would lead a waiting sibling by
 *   more than that. A co-stopped vCPU's CPU learns from sp_next_event
 *   when a running laggard will have caught up.
 * - No starvation: an eligible vCPU READY for SP_STARVE_NS runs next on
 *   any of its CPUs (after VMs below their reservation), oldest first,
 *   whatever its shares. This puts a floor of about one slice per
 *   SP_STARVE_NS under extreme share ratios.
 *
 * Cost: READY vCPUs sit on one list; BLOCKED ones are on no list the
 * decisions walk, so a halted vCPU costs nothing. sp_pick is O(R) for R
 * READY vCPUs, plus O(siblings) once per multi-vCPU VM with a READY vCPU,
 * plus a second O(R) pass only while other CPUs idle; sp_next_event
 * O(R x siblings); sp_wake O(ncpus + siblings); sp_put O(1) (O(siblings) when a
 * vCPU of a multi-vCPU VM halts); sp_sample O(all vCPUs).
 */
#ifndef TV_SCHED_POLICY_H
#define TV_SCHED_POLICY_H

#include <tv/types.h>

#define SP_MAX_CPUS 64
#define SP_MAX_VM_VCPUS 16
#define SP_SHARES_MAX 1000000

#define SP_SLICE_NS 10000000ull         /* longest run before the next decision */
#define SP_WINDOW_NS 100000000ull       /* reservation and limit accounting period */
#define SP_SKEW_NS 30000000ull          /* co-stop beyond 3 slices ahead of a sibling */
#define SP_WAKE_BONUS_NS 5000000ull     /* vtime credit a waker gets below vmin */
#define SP_LAG_NS 20000000ull           /* most vtime credit kept when picked on a CPU */
#define SP_WAKE_GRAN_NS 1000000ull      /* a waker this far behind preempts */
#define SP_STARVE_NS 500000000ull       /* READY this long: runs next, whatever the shares */
#define SP_MIN_RUN_NS 100000ull         /* shortest run_until offered (a budget's tail) */

/* vtime is in ns of a vCPU holding 1000 shares; compared modulo 2^64. */

struct sp_link {
	struct sp_link *next, *prev;
};

enum sp_state {
	SP_BLOCKED,     /* halted: waits for sp_wake */
	SP_READY,       /* wants a CPU */
	SP_RUNNING,     /* on cpu, between sp_pick and sp_put */
};

struct sp_vm_params {
	u32 shares;     /* the VM's total, 1 to SP_SHARES_MAX */
	u32 min_mhz;    /* reservation; 0 none */
	u32 max_mhz;    /* limit; 0 none */
	u64 affinity;   /* bit n: host CPU n; 0 all */
	unsigned nvcpus;/* 1 to SP_MAX_VM_VCPUS */
};

/* esxtop's figures over the last sp_sample interval, in permille. */
struct sp_pct {
	u16 run;        /* RUNNING */
	u16 rdy;        /* READY: waiting for a CPU, throttled or co-stopped */
	u16 wait;       /* BLOCKED; run + rdy + wait == 1000 */
	u16 cstp;       /* part of rdy: co-stopped */
	u16 mlmtd;      /* part of rdy: held back by the limit */
};

struct sp_vm {
	struct sp_vm_params p;          /* as admitted: read only */
	/* private to sched_policy.c */
	struct sp_link link;            /* on sp_sched.vms */
	struct sp_link vcpus;           /* its sp_vcpus */
	u64 mask;                       /* effective affinity: never 0 */
	u64 budget;                     /* limit: ns of CPU per window; 0 none */
	u64 resv;                       /* reservation: ns of CPU per window; 0 none */
	u64 used;                       /* ns of CPU used in this window, debt included */
	u64 used_t;                     /* used counts up to here */
	u64 win_end;                    /* 0: no window yet */
	u64 gen;                        /* s->gen when the fields below were computed */
	u64 min_prog;                   /* slowest READY/RUNNING vCPU's progress */
	unsigned nadded, nidx, nactive, nrunning;
	bool throttled, below_resv;
};

struct sp_vcpu {
	u64 affinity;                   /* caller's: narrows the VM's mask (vCPU i on CPU i) */
	/* read only for the caller */
	struct sp_vm *vm;
	unsigned idx;                   /* 0, 1, ... in sp_add_vcpu order within its VM */
	enum sp_state state;
	int cpu;                        /* running on, or last ran on; -1 never ran */
	u64 run_ns, ready_ns, wait_ns;  /* cumulative, up to the last call that touched it */
	u64 cstp_ns, mlmtd_ns;          /* parts of ready_ns */
	struct sp_pct pct;              /* of the last sp_sample */
	/* private to sched_policy.c */
	struct sp_link link;            /* on sp_sched.ready while READY */
	struct sp_link sib;             /* on its VM's vcpus */
	u64 vtime;
	u64 prog;                       /* co-scheduling progress: ns run, raised on wake */
	u64 stamp;                      /* time accounted up to */
	u64 ready_since;                /* for the starvation guard */
	u64 blocked_at;
	u64 sample_t, s_run, s_ready, s_wait, s_cstp, s_mlmtd;
	u8 why;                         /* why READY and not eligible, at the last look */
	bool fresh;                     /* never woken: no vtime yet */
};

struct sp_cpu {
	struct sp_vcpu *curr;           /* RUNNING here, or NULL */
	u64 vmin;                       /* lowest vtime picked from here */
	u64 vmin_t;                     /* when vmin was last moved */
	bool vmin_ok;
};

struct sp_sched {
	unsigned ncpus;
	u32 cpu_mhz;
	u64 all;                        /* mask of the ncpus CPUs */
	u64 idle;                       /* CPUs whose last sp_pick found nothing */
	u64 kick;                       /* CPUs to kick: sp_take_kicks */
	u64 reserved_mhz;               /* sum of admitted reservations */
	u64 now;                        /* latest time a call was given */
	u64 gen;                        /* one per decision: per-VM caches */
	struct sp_link ready;           /* READY vCPUs */
	struct sp_link vms;             /* admitted VMs */
	struct sp_cpu cpu[SP_MAX_CPUS];
	/* counters for tests and the bench */
	u64 picks, visits;              /* sp_pick calls, READY entries they examined */
};

/* ncpus (1 to SP_MAX_CPUS) CPUs of cpu_mhz each (the TSC rate; 0 taken as 1). */
void sp_init(struct sp_sched *s, unsigned ncpus, u32 cpu_mhz);

/*
 * Admission control: admit a VM with parameters p, or refuse with -EINVAL
 * (bad parameters) or -ENOSPC (the reservation cannot be given) and a
 * reason in why. A VM is refused when min > max; when its affinity names
 * none of the host's CPUs; when its reservation exceeds what its vCPUs
 * (nvcpus x cpu_mhz) or its affinity's CPUs can use; when the admitted
 * reservations plus its own exceed the host (ncpus x cpu_mhz), or exceed
 * the CPUs of its affinity, or of its affinity together with another
 * reserved VM's. (That last check is exact for equal, nested or disjoint
 * masks and for any two VMs; it does not search larger unions.) Once
 * admitted, the reservation counts until sp_vm_remove.
 */
int sp_admit(struct sp_sched *s, struct sp_vm *vm, const struct sp_vm_params *p, char *why,
	     size_t whylen);

/* Release an admitted VM: -EBUSY while it still has vCPUs, else 0. */
int sp_vm_remove(struct sp_sched *s, struct sp_vm *vm);

/*
 * Add a vCPU to an admitted VM, BLOCKED (sp_wake starts it). v must be
 * zeroed except for v->affinity. -EINVAL beyond the VM's nvcpus.
 */
int sp_add_vcpu(struct sp_sched *s, struct sp_vm *vm, struct sp_vcpu *v, u64 now);

/* Remove a vCPU in any state; a RUNNING one must stop running at once. */
void sp_remove_vcpu(struct sp_sched *s, struct sp_vcpu *v, u64 now);

/*
 * v has work: BLOCKED -> READY. Returns the CPU to kick (also in
 * sp_take_kicks): an idle CPU allowed to run v, else a CPU running
 * something v should preempt; -1 when no CPU needs to look now (or v was
 * not BLOCKED). An idle CPU is kicked even when v may not run yet
 * (limit, co-stop), so that it re-arms its timer for v.
 */
int sp_wake(struct sp_sched *s, struct sp_vcpu *v, u64 now);

/*
 * Choose what CPU cpu runs now: READY -> RUNNING, or NULL when nothing may
 * run there. *run_until: when the caller must call sp_put at the latest
 * (slice end, the limit budget's end, or the co-stop bound). The CPU
 * must have no RUNNING vCPU.
 */
struct sp_vcpu *sp_pick(struct sp_sched *s, unsigned cpu, u64 now, u64 *run_until);

/* v leaves its CPU: its time is charged; READY, or BLOCKED if it halted. */
void sp_put(struct sp_sched *s, struct sp_vcpu *v, u64 now, bool blocked);

/*
 * For a CPU whose sp_pick found nothing: when something may become
 * runnable there without a kick (a limit window refilling, a running
 * laggard catching up); 0 when only a kick can change it.
 */
u64 sp_next_event(struct sp_sched *s, unsigned cpu, u64 now);

/* CPUs that must look again (see above); the mask is cleared. */
u64 sp_take_kicks(struct sp_sched *s);

/*
 * Bring every vCPU's times up to now and set v->pct for the interval
 * since its previous sample (or since it was added).
 */
void sp_sample(struct sp_sched *s, u64 now);

#endif
