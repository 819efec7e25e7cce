/* SPDX-License-Identifier: MIT */
/*
 * frameq.h: a bounded queue of Ethernet frames between one producer and
 * one consumer on any CPUs, without a lock: the vSwitch (under its lock)
 * puts frames for a VM's NIC here, and that VM's device model takes them
 * into the guest's receive buffers in its own context. A full queue drops,
 * as a NIC without receive buffers does.
 */
#ifndef TV_FRAMEQ_H
#define TV_FRAMEQ_H

#include <tv/string.h>
#include <tv/types.h>
#include <tv/vswitch.h>

#define FRAMEQ_SLOTS 16u /* a power of two */

struct frameq {
	u32 head;               /* slots filled, free-running: the producer's */
	u32 tail;               /* slots taken: the consumer's */
	u64 drops;              /* the producer's */
	u16 len[FRAMEQ_SLOTS];
	u8 data[FRAMEQ_SLOTS][VSW_FRAME_MAX];
};

/* Producer: false (and counted) when the queue is full or the frame too big. */
static inline bool frameq_push(struct frameq *q, const u8 *frame, size_t len)
{
	u32 h = q->head;

	if (h - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) >= FRAMEQ_SLOTS || len > VSW_FRAME_MAX) {
		q->drops++;
		return false;
	}
	memcpy(q->data[h % FRAMEQ_SLOTS], frame, len);
	q->len[h % FRAMEQ_SLOTS] = (u16)len;
	__atomic_store_n(&q->head, h + 1, __ATOMIC_RELEASE);
	return true;
}

/* Consumer: the oldest frame, or NULL; it stays queued until frameq_pop. */
static inline const u8 *frameq_peek(struct frameq *q, size_t *len)
{
	u32 t = q->tail;

	if (t == __atomic_load_n(&q->head, __ATOMIC_ACQUIRE))
		return NULL;
	*len = q->len[t % FRAMEQ_SLOTS];
	return q->data[t % FRAMEQ_SLOTS];
}

static inline void frameq_pop(struct frameq *q)
{
	__atomic_store_n(&q->tail, q->tail + 1, __ATOMIC_RELEASE);
}

/* Either side: a lock-free peek. */
static inline bool frameq_empty(const struct frameq *q)
{
	return __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) == __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
}

#endif
