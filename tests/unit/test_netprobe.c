// SPDX-License-Identifier: MIT
/* test_netprobe.c: the ARP and DHCP frames of test.net (kernel/netprobe.c), malformed ones included. */
#include "test.h"

#include <tv/netprobe.h>

static const u8 me[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8 gw[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

TEST(arp_request)
{
	static const u8 want[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
		0, 0, 0, 0, 0, 0, 10, 0, 2, 2,
	};
	u8 f[64];

	memset(f, 0xee, sizeof(f));
	CHECK_EQ(netprobe_arp_request(f, me, 0x0a00020f, 0x0a000202), 60);
	CHECK(memcmp(f, want, sizeof(want)) == 0);
	for (int i = 42; i < 60; i++)
		CHECK_EQ(f[i], 0);
	CHECK_EQ(f[60], 0xee);
}

static size_t reply(u8 *f)
{
	netprobe_arp_request(f, gw, 0x0a000202, 0x0a00020f);
	memcpy(f, me, 6);
	f[21] = 2;                           /* reply */
	memcpy(f + 32, me, 6);
	return 60;
}

TEST(arp_reply)
{
	u8 f[60], mac[6];

	CHECK(netprobe_arp_reply(f, reply(f), 0x0a000202, me, 0x0a00020f, mac));
	CHECK(memcmp(mac, gw, 6) == 0);
	CHECK(netprobe_arp_reply(f, 42, 0x0a000202, me, 0x0a00020f, mac));
	CHECK(!netprobe_arp_reply(f, 41, 0x0a000202, me, 0x0a00020f, mac));   /* truncated */
	CHECK(!netprobe_arp_reply(f, 60, 0x0a000203, me, 0x0a00020f, mac));   /* someone else */
	CHECK(!netprobe_arp_reply(f, 60, 0x0a000202, gw, 0x0a00020f, mac));   /* not for us */
	f[21] = 1;                                                              /* a request */
	CHECK(!netprobe_arp_reply(f, 60, 0x0a000202, me, 0x0a00020f, mac));
	reply(f);
	f[12] = 0x81;                                                           /* a VLAN tag */
	CHECK(!netprobe_arp_reply(f, 60, 0x0a000202, me, 0x0a00020f, mac));
	reply(f);
	f[18] = 8;                                                              /* odd hlen */
	CHECK(!netprobe_arp_reply(f, 60, 0x0a000202, me, 0x0a00020f, mac));
}

static u16 sum16(const u8 *p, size_t n)
{
	u32 s = 0;

	for (size_t i = 0; i < n; i += 2)
		s += (u32)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (u16)s;
}

TEST(dhcp_discover)
{
	u8 f[NETPROBE_DHCP_LEN];

	CHECK_EQ(netprobe_dhcp_discover(f, me, 0x01020304), NETPROBE_DHCP_LEN);
	CHECK(memcmp(f + 6, me, 6) == 0);
	CHECK_EQ(f[12] << 8 | f[13], 0x0800);
	CHECK_EQ(sum16(f + 14, 20), 0xffff);                   /* IPv4 header checksum holds */
	CHECK_EQ(f[14 + 2] << 8 | f[14 + 3], NETPROBE_DHCP_LEN - 14);
	CHECK_EQ(f[34] << 8 | f[35], 68);
	CHECK_EQ(f[36] << 8 | f[37], 67);
	CHECK_EQ(f[38] << 8 | f[39], NETPROBE_DHCP_LEN - 34);
	CHECK_EQ(f[42], 1);                                    /* BOOTREQUEST */
	CHECK_EQ(f[46] << 24 | f[47] << 16 | f[48] << 8 | f[49], 0x01020304);
	CHECK(memcmp(f + 42 + 28, me, 6) == 0);
	CHECK_EQ(f[42 + 236], 0x63);
	CHECK_EQ(f[42 + 240], 53);
	CHECK_EQ(f[42 + 242], 1);                              /* DISCOVER */
	CHECK_EQ(f[42 + 243], 255);
}

/* An OFFER as slirp sends it, built from a DISCOVER. */
static size_t offer(u8 *f, u32 xid)
{
	netprobe_dhcp_discover(f, me, xid);
	f[14 + 12] = 10, f[14 + 13] = 0, f[14 + 14] = 2, f[14 + 15] = 2;   /* from 10.0.2.2 */
	f[34] = 0, f[35] = 67, f[36] = 0, f[37] = 68;
	f[42] = 2;                                             /* BOOTREPLY */
	f[42 + 16] = 10, f[42 + 17] = 0, f[42 + 18] = 2, f[42 + 19] = 15;
	u8 *o = f + 42 + 240;
	o[0] = 1, o[1] = 4, o[2] = 255, o[3] = 255, o[4] = 255, o[5] = 0;  /* subnet mask first */
	o[6] = 0;                                              /* a pad */
	o[7] = 53, o[8] = 1, o[9] = 2;                         /* OFFER */
	o[10] = 255;
	return NETPROBE_DHCP_LEN;
}

TEST(dhcp_offer)
{
	u8 f[NETPROBE_DHCP_LEN];
	u32 ip = 0, srv = 0;

	CHECK(netprobe_dhcp_offer(f, offer(f, 7), me, 7, &ip, &srv));
	CHECK_EQ(ip, 0x0a00020f);
	CHECK_EQ(srv, 0x0a000202);
	CHECK(!netprobe_dhcp_offer(f, offer(f, 7), me, 8, &ip, &srv));      /* another transaction */
	CHECK(!netprobe_dhcp_offer(f, offer(f, 7), gw, 7, &ip, &srv));      /* another client */
	CHECK(!netprobe_dhcp_offer(f, 42 + 240, me, 7, &ip, &srv));         /* no options */
	CHECK(!netprobe_dhcp_offer(f, 42 + 240 + 8, me, 7, &ip, &srv));     /* option 53 cut off */
	CHECK(!netprobe_dhcp_offer(f, 100, me, 7, &ip, &srv));              /* truncated BOOTP */
	offer(f, 7);
	f[42 + 240 + 9] = 5;                                                 /* an ACK */
	CHECK(!netprobe_dhcp_offer(f, sizeof(f), me, 7, &ip, &srv));
	offer(f, 7);
	f[42 + 240 + 1] = 250;                                               /* option runs past the end */
	CHECK(!netprobe_dhcp_offer(f, sizeof(f), me, 7, &ip, &srv));
	offer(f, 7);
	f[14] = 0x44;                                                        /* IHL below 20 bytes */
	CHECK(!netprobe_dhcp_offer(f, sizeof(f), me, 7, &ip, &srv));
	offer(f, 7);
	f[14] = 0x4f;                                                        /* IHL 60: BOOTP moves past the end */
	CHECK(!netprobe_dhcp_offer(f, 42 + 240 + 11, me, 7, &ip, &srv));
	offer(f, 7);
	f[14 + 9] = 6;                                                       /* TCP */
	CHECK(!netprobe_dhcp_offer(f, sizeof(f), me, 7, &ip, &srv));
	CHECK(!netprobe_dhcp_offer(f, 20, me, 7, &ip, &srv));
}

TEST(pattern)
{
	static const u8 want_tagged[20] = { 0x01, 2, 3, 4, 5, 6, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
					    0x81, 0x00, 0x00, 42, 0x88, 0xb5, 0x7e, 0x85 };
	u8 f[1518], g[1518];

	CHECK_EQ(netprobe_pattern(f, 1518, (const u8[6]){ 1, 2, 3, 4, 5, 6 }, me, 42, 0), 1518);
	CHECK(memcmp(f, want_tagged, sizeof(want_tagged)) == 0);   /* payload byte i is seed + 7i */
	CHECK_EQ(f[1517], (u8)(1517 * 7));
	netprobe_pattern(g, 1518, (const u8[6]){ 1, 2, 3, 4, 5, 6 }, me, 42, 1);
	CHECK(memcmp(f, g, 18) == 0 && memcmp(f, g, 1518) != 0);    /* the seed changes the payload */
	netprobe_pattern(f, 60, gw, me, 0, 0);
	CHECK_EQ(f[12] << 8 | f[13], 0x88b5);                       /* untagged */
}

TEST_MAIN({ "arp_request", arp_request }, { "pattern", pattern }, { "arp_reply", arp_reply }, { "dhcp_discover", dhcp_discover },
	  { "dhcp_offer", dhcp_offer })
