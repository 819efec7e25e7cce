/* SPDX-License-Identifier: MIT */
/*
 * mgmt.h: the management interface vmk0, the host's own IPv4 endpoint on
 * vSwitch0 (net/mgmt.c): ARP, IPv4, ICMP echo, UDP and a DHCP client, or a
 * static address, on the uplink NIC beside the VMs' ports.
 */
#ifndef TV_MGMT_H
#define TV_MGMT_H

#include <tv/types.h>

struct hostcfg;

struct mgmt_status {
	bool present;                   /* vmk0 exists: vSwitch0 has an uplink */
	bool link;                      /* the uplink reports link */
	bool dhcp;                      /* configured for DHCP */
	bool bound;                     /* an address is in use (static, or a DHCP lease) */
	char state[40];                 /* "no uplink", "DHCP: discovering", "DHCP: bound", "static" */
	u8 mac[6];
	u32 ip, mask, gw;               /* host byte order; 0: none */
	u32 dns[2];
	u32 dhcp_server;
	u64 lease_left_s;               /* DHCP: seconds until the lease expires */
	u64 rx_frames, tx_frames, echo_replies;
};

/* After vswitch_host_init: add vmk0 to vSwitch0 (if it has an uplink) and apply c. */
void mgmt_init(const struct hostcfg *c);
/* Use new settings now: a static address at once (with a gratuitous ARP), DHCP starts over. */
void mgmt_apply(const struct hostcfg *c);
void mgmt_get_status(struct mgmt_status *st);

#endif
