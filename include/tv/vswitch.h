/* SPDX-License-Identifier: MIT */
/*
 * vswitch.h: the virtual switch between VM NICs, the management interface
 * and a physical uplink. An L2 learning switch with 802.1Q port groups, as
 * an ESXi standard vSwitch behaves:
 *
 *  - A port's VLAN is its port group's: 0 (no VLAN), 1-4094 (an access
 *    port: its frames are untagged inside the VM and belong to that VLAN
 *    outside), or VSW_VLAN_TRUNK (4095, "virtual guest tagging": the guest
 *    sends and receives the tags itself). The uplink is a trunk too.
 *  - A frame reaches only ports that carry its VLAN: port groups with
 *    different VLANs cannot talk, and a tagged frame from an access port is
 *    dropped (no VLAN hopping).
 *  - Sources are learned per (MAC, VLAN) and age out after
 *    VSW_AGE_NS; broadcast, multicast and unknown unicast flood the VLAN.
 *  - A VM port has a fixed MAC ("forged transmits: reject"): frames from any
 *    other source address are dropped, and no port can claim its address.
 *
 * Pure code: no locks and no allocation. The owner (net/vswitch_host.c)
 * serializes calls on one switch; deliveries happen synchronously through
 * each port's rx callback, which must not call back into the switch.
 */
#ifndef TV_VSWITCH_H
#define TV_VSWITCH_H

#include <tv/types.h>

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_P_8021Q 0x8100
#define VSW_MTU 1500
#define VSW_FRAME_MAX (ETH_HLEN + 4 + VSW_MTU) /* with a tag, without FCS */
#define VSW_VLAN_TRUNK 4095
#define VSW_PORTS 64
#define VSW_MACS 512                            /* learning table, power of two */
#define VSW_AGE_NS (300ull * 1000000000ull)     /* 802.1D's default ageing time */

enum vsw_drop {
	VSW_DROP_SIZE,          /* runt or giant */
	VSW_DROP_VLAN,          /* a tag on an access port, or a bad VLAN ID */
	VSW_DROP_FORGED,        /* source MAC is not the port's own */
	VSW_DROP_SRC_MCAST,     /* a group address as source */
	VSW_DROP_NR
};

struct vsw_port_stats {
	u64 tx_frames, tx_bytes;         /* from the port into the switch */
	u64 rx_frames, rx_bytes;         /* from the switch to the port */
	u64 drops[VSW_DROP_NR];
};

struct vsw_port {
	bool used;
	bool uplink;            /* the physical network: a trunk that may learn any MAC */
	bool fixed_mac;         /* a VM NIC or the management port: mac below is its own */
	u16 vlan;               /* 0-4094, or VSW_VLAN_TRUNK */
	u8 mac[ETH_ALEN];
	void (*rx)(void *ctx, const u8 *frame, size_t len);
	void *ctx;
	struct vsw_port_stats st;
};

struct vsw_mac {
	u8 mac[ETH_ALEN];
	u16 vlan;
	s16 port;               /* -1: free */
	u64 seen_ns;
};

struct vswitch {
	struct vsw_port ports[VSW_PORTS];
	struct vsw_mac macs[VSW_MACS];
	u8 buf[VSW_FRAME_MAX];  /* the frame re-tagged for one kind of egress port */
};

struct vsw_port_cfg {
	bool uplink;
	u16 vlan;               /* ignored for the uplink */
	const u8 *mac;          /* NULL: no fixed MAC (uplink, trunk appliances) */
	void (*rx)(void *ctx, const u8 *frame, size_t len);
	void *ctx;
};

void vsw_init(struct vswitch *sw);
/* A port number, or -EINVAL (bad VLAN, a MAC another port owns), -ENOSPC. */
int vsw_port_add(struct vswitch *sw, const struct vsw_port_cfg *cfg);
/* Frees the port and forgets what was learned on it. */
void vsw_port_remove(struct vswitch *sw, int port);
/*
 * A frame (without FCS) the port sent. Returns how many ports it was
 * delivered to, or -1 if it was dropped (counted in the port's stats).
 */
int vsw_input(struct vswitch *sw, int port, const u8 *frame, size_t len, u64 now_ns);

/* ---- port groups (net/portgroup.c, pure) ---- */
#define VSW_PORTGROUPS 8
#define VSW_PG_NAME_MAX 31
#define VSW_PG_DEFAULT "VM Network"

struct vsw_portgroup {
	char name[VSW_PG_NAME_MAX + 1];
	u16 vlan;               /* 0-4094, or VSW_VLAN_TRUNK */
};

/*
 * The port groups of the host settings: portgroupN.name and
 * portgroupN.vlanId (N = 0..7; get(ctx, "portgroup0.name") returns a value
 * or NULL). With none given, the one group VSW_PG_DEFAULT on VLAN 0. A bad
 * or duplicate group is left out and reported (one message each).
 * Returns how many groups pg holds.
 */
unsigned vsw_portgroups_parse(const char *(*get)(void *ctx, const char *key), void *ctx,
			      struct vsw_portgroup pg[VSW_PORTGROUPS],
			      void (*report)(void *ctx, const char *msg));
/* Case-insensitive match of a VM's ethernetN.networkName; NULL if no such group. */
const struct vsw_portgroup *vsw_portgroup_find(const struct vsw_portgroup *pg, unsigned n,
					       const char *name);

#endif
