/* SPDX-License-Identifier: MIT */
/*
 * netprobe.h: test.net, the host NIC self-test (kernel/nettest.c), and the
 * hand-built frames it sends and recognises (kernel/netprobe.c, pure and
 * unit-tested): an ARP request and reply, a DHCP DISCOVER and OFFER.
 * IPv4 addresses are host-order u32 (10.0.2.2 is 0x0a000202).
 */
#ifndef TV_NETPROBE_H
#define TV_NETPROBE_H

#include <tv/types.h>

#define NETPROBE_FRAME_MIN 60            /* Ethernet minimum without FCS */
#define NETPROBE_DHCP_LEN 342            /* Ethernet + IPv4 + UDP + BOOTP with options */

/* An ARP request from (mac, sip) for tip into buf (>= 60 bytes). Returns 60. */
size_t netprobe_arp_request(u8 *buf, const u8 mac[6], u32 sip, u32 tip);
/* True if f is an ARP reply from ip to (mymac, myip); *mac gets the sender's address. */
bool netprobe_arp_reply(const u8 *f, size_t len, u32 ip, const u8 mymac[6], u32 myip, u8 mac[6]);
/* A broadcast DHCP DISCOVER from mac with transaction xid into buf (>= 342 bytes). */
size_t netprobe_dhcp_discover(u8 *buf, const u8 mac[6], u32 xid);
/* True if f is a DHCP OFFER for (mac, xid); *yiaddr the offered address, *server who offers. */
bool netprobe_dhcp_offer(const u8 *f, size_t len, const u8 mac[6], u32 xid, u32 *yiaddr, u32 *server);

/*
 * A test frame of len bytes (>= 18 with a tag, >= 14 without) from src to
 * dst, 802.1Q-tagged with vlan unless it is 0, then EtherType 0x88b5 (local
 * experimental) and a payload derived from seed. Returns len.
 */
size_t netprobe_pattern(u8 *buf, size_t len, const u8 dst[6], const u8 src[6], u16 vlan, u8 seed);

/* test.net: for every NIC with link, ARP for 10.0.2.2 and ask DHCP for an address. */
void netprobe_selftest(void);
/* test.net.loop: NICs 0 and 1 share one wire; trunk frames cross it both ways unchanged. */
void netprobe_looptest(void);

#endif
