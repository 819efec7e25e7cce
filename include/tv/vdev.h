/* SPDX-License-Identifier: MIT */
/*
 * vdev.h: what every emulated platform device (vmm/dev/) gets from its VMM:
 * host time, one-shot timers and interrupt lines, plus the conventions all
 * device models follow.
 *
 * Conventions:
 *  - The VMM serializes every call into one VM's devices (accesses, timer
 *    fires, host input), so devices take no locks; nothing runs in interrupt
 *    context.
 *  - foo_read/foo_write take an offset relative to the device's range.
 *    They return 0, or -EOPNOTSUPP only for an access size (or, for MMIO,
 *    width/alignment) the device does not implement and -EINVAL for an
 *    offset outside its range (a VMM bug); the VMM then reads all-ones and
 *    drops writes. Guest-controlled values never produce an error. (The
 *    local APIC reads 0 for odd accesses instead, as its header says.)
 *  - Devices keep all state in their struct (a host runs many VMs) and copy
 *    the vdev_host they are given at init.
 */
#ifndef TV_VDEV_H
#define TV_VDEV_H

#include <tv/types.h>

#define VDEV_NS_PER_SEC 1000000000ull

/*
 * A one-shot timer owned by a device. The VMM sets deadline_ns in
 * timer_arm, clears it in timer_cancel and before calling fire (so fire may
 * re-arm). Devices only read deadline_ns and never touch next.
 */
struct vtimer {
	u64 deadline_ns;        /* host time; 0 when not armed */
	void (*fire)(struct vtimer *t, u64 now_ns); /* called by the VMM after expiry */
	void *owner;
	struct vtimer *next;    /* the VMM's list linkage; devices do not touch it */
};

struct vdev_host {
	void *ctx;
	u64 (*now_ns)(void *ctx);                               /* monotonic host ns */
	/* Arm or re-arm (moves it); a deadline in the past fires as soon as possible. */
	void (*timer_arm)(void *ctx, struct vtimer *t, u64 deadline_ns);
	/* Disarm; harmless on a timer that is not armed. */
	void (*timer_cancel)(void *ctx, struct vtimer *t);
	void (*set_irq)(void *ctx, unsigned gsi, bool level);   /* I/O APIC input line */
};

/*
 * floor(a * mul / div) without a 128-bit intermediate: exact as long as
 * mul * div < 2^64 and the result fits in 64 bits (callers keep both
 * true: frequencies below 2^34 Hz against 10^9 ns). div must not be 0.
 */
static inline u64 vdev_muldiv(u64 a, u64 mul, u64 div)
{
	return (a / div) * mul + (a % div) * mul / div;
}

/* The same, rounded up: for deadlines that must not fire early. */
static inline u64 vdev_muldiv_up(u64 a, u64 mul, u64 div)
{
	return (a / div) * mul + ((a % div) * mul + div - 1) / div;
}

#endif
