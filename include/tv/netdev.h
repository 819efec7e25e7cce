/* SPDX-License-Identifier: MIT */
/*
 * netdev.h: a host network device as the vSwitch uplink and the management
 * stack see it, whatever drives it (drivers/e1000e.c, drivers/virtio_net_pci.c).
 *
 * Contract:
 *  - Frames are Ethernet without FCS: 14..NETDEV_FRAME_MAX bytes, so an
 *    802.1Q-tagged full-size frame passes. Drivers neither strip nor filter
 *    VLAN tags and receive every unicast and multicast address (promiscuous):
 *    the NIC is a switch uplink with many MACs behind it.
 *  - The owner (one vSwitch uplink or the management stack) serializes
 *    xmit, poll and link_up on one device; different devices may be used
 *    from different CPUs at once. Nothing here takes a lock.
 *  - xmit copies the frame before it returns; the caller keeps its buffer.
 *  - poll hands at most budget received frames to rx(rx_ctx, ...) one at a
 *    time, from inside poll; the frame is only valid during that call. rx
 *    may call xmit on the same device (a switch forwarding, a stack
 *    replying) but never poll. poll also reclaims finished transmissions
 *    and refills receive buffers.
 *  - notify, if set, may be called from interrupt context when frames wait;
 *    it should only wake the owner, which then calls poll. Drivers without
 *    interrupts never call it: the owner must poll.
 *  - Errors are negative errno values; a hung or vanished device returns
 *    -EIO and is logged, it never panics the host.
 */
#ifndef TV_NETDEV_H
#define TV_NETDEV_H

#include <tv/types.h>

#define NETDEV_HLEN 14
#define NETDEV_MTU 1500
#define NETDEV_FRAME_MAX (NETDEV_HLEN + 4 + NETDEV_MTU)   /* with one VLAN tag */
#define NETDEV_MAX 8

struct netdev;

struct netdev_ops {
	/* Queue one frame. 0, -EINVAL (size), -EAGAIN (ring full: poll, retry), -EIO. */
	int (*xmit)(struct netdev *d, const void *frame, size_t len);
	/* Deliver up to budget received frames to d->rx. Returns how many. */
	unsigned (*poll)(struct netdev *d, unsigned budget);
	/* The physical link as the device reports it now. */
	bool (*link_up)(struct netdev *d);
};

struct netdev {
	const struct netdev_ops *ops;
	char name[16];                  /* "e1000e0", "vnet0" */
	u8 mac[6];                      /* the device's own address */
	unsigned mtu;                   /* NETDEV_MTU */
	void (*rx)(void *ctx, const u8 *frame, size_t len);  /* NULL: frames dropped */
	void *rx_ctx;
	void (*notify)(void *ctx);
	void *notify_ctx;
	void *priv;                     /* the driver's */
	/* Counters, kept by the driver. */
	u64 rx_packets, rx_bytes, rx_drops;   /* drops: errors, runts, no rx callback */
	u64 tx_packets, tx_bytes, tx_errors;
};

/* Add a probed device; its name must be set. 0, or -ENOSPC past NETDEV_MAX. */
int netdev_register(struct netdev *d);
unsigned netdev_count(void);
/* Device i in registration order; NULL past the last. */
struct netdev *netdev_get(unsigned i);

/* Probe every supported NIC on the host PCI bus (after pci_init). Returns the count. */
unsigned netdev_init(void);

#endif
