/* SPDX-License-Identifier: MIT */
/*
 * vswitch_host.h: the host's standard switch, vSwitch0 (net/vswitch_host.c):
 * its port groups come from the host settings, VM NICs attach to a port
 * group by name, and the uplink NIC (when there is one) is its trunk to
 * the physical network.
 *
 * Locking: one lock per switch, taken with interrupts off; frames for a VM
 * are only queued (frameq) under it and the VM woken, so no VM lock is ever
 * taken inside it. Callers may hold their VM's lock when they send.
 */
#ifndef TV_VSWITCH_HOST_H
#define TV_VSWITCH_HOST_H

#include <tv/types.h>

struct bootinfo;
struct frameq;
struct vsw_vm_port;

/* Read the port groups from the settings and log them. */
void vswitch_host_init(const struct bootinfo *bi);

/*
 * Attach a VM NIC with address mac to port group pg. Frames for it go to
 * rxq, then wake(ctx) is called unless a wake is already pending (the
 * consumer clears it with vswitch_rx_begin). NULL with why on failure.
 */
struct vsw_vm_port *vswitch_attach(const char *pg, const u8 mac[6], struct frameq *rxq,
				   void (*wake)(void *ctx), void *ctx, char *why, size_t whylen);
void vswitch_detach(struct vsw_vm_port *p);
/* A frame the VM sent. */
void vswitch_send(struct vsw_vm_port *p, const u8 *frame, size_t len);
/* The consumer is about to drain rxq: true if a wake was pending (frames may wait). */
bool vswitch_rx_begin(struct vsw_vm_port *p);
/* A wake is pending (a lock-free peek, for "is this vCPU runnable"). */
bool vswitch_rx_pending(const struct vsw_vm_port *p);

/*
 * The management port, vmk0 (net/mgmt.c): an untagged port whose MAC is
 * the uplink NIC's own, copied to mac. Frames for it are queued on rxq
 * (the switch's side is the producer); service(now) runs after every poll
 * of the uplink, in that timer's callback (interrupts off, on the CPU that
 * set the switch up) and outside the switch lock, so it may send.
 * 0, -ENODEV without an uplink, -EBUSY if attached already.
 */
int vswitch_mgmt_attach(struct frameq *rxq, void (*service)(u64 now_ns), u8 mac[6]);
/* A frame from vmk0 into the switch (after a successful attach). */
void vswitch_mgmt_send(const u8 *frame, size_t len);
/* The uplink has link; false without one. */
bool vswitch_uplink_link(void);

#endif
