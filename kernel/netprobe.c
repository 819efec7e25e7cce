// SPDX-License-Identifier: MIT
/* netprobe.c: the frames test.net sends and recognises (tv/netprobe.h); pure. */
#include <tv/netprobe.h>
#include <tv/string.h>

#define ETH_ARP 0x0806
#define ETH_IP 0x0800
#define DHCP_MAGIC 0x63825363u

static void put16(u8 *p, u16 v) { p[0] = (u8)(v >> 8), p[1] = (u8)v; }
static void put32(u8 *p, u32 v) { put16(p, (u16)(v >> 16)), put16(p + 2, (u16)v); }
static u16 get16(const u8 *p) { return (u16)(p[0] << 8 | p[1]); }
static u32 get32(const u8 *p) { return (u32)get16(p) << 16 | get16(p + 2); }

static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void eth(u8 *f, const u8 *dst, const u8 *src, u16 type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
}

size_t netprobe_arp_request(u8 *buf, const u8 mac[6], u32 sip, u32 tip)
{
	u8 *a = buf + 14;

	memset(buf, 0, NETPROBE_FRAME_MIN);
	eth(buf, bcast, mac, ETH_ARP);
	put16(a, 1);             /* Ethernet */
	put16(a + 2, ETH_IP);
	a[4] = 6, a[5] = 4;
	put16(a + 6, 1);         /* request */
	memcpy(a + 8, mac, 6);
	put32(a + 14, sip);
	put32(a + 24, tip);      /* target hardware address stays zero */
	return NETPROBE_FRAME_MIN;
}

bool netprobe_arp_reply(const u8 *f, size_t len, u32 ip, const u8 mymac[6], u32 myip, u8 mac[6])
{
	const u8 *a = f + 14;

	if (len < 42 || get16(f + 12) != ETH_ARP || get16(a) != 1 || get16(a + 2) != ETH_IP ||
	    a[4] != 6 || a[5] != 4 || get16(a + 6) != 2 || get32(a + 14) != ip ||
	    memcmp(a + 18, mymac, 6) || get32(a + 24) != myip)
		return false;
	memcpy(mac, a + 8, 6);
	return true;
}

static u16 ip_csum(const u8 *p, size_t n)
{
	u32 s = 0;

	for (size_t i = 0; i < n; i += 2)
		s += get16(p + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (u16)~s;
}

size_t netprobe_dhcp_discover(u8 *buf, const u8 mac[6], u32 xid)
{
	u8 *ip = buf + 14, *udp = ip + 20, *b = udp + 8, *o = b + 240;
	size_t udp_len = NETPROBE_DHCP_LEN - 14 - 20;

	memset(buf, 0, NETPROBE_DHCP_LEN);
	eth(buf, bcast, mac, ETH_IP);
	ip[0] = 0x45;
	put16(ip + 2, (u16)(NETPROBE_DHCP_LEN - 14));
	ip[8] = 64;              /* TTL */
	ip[9] = 17;              /* UDP */
	put32(ip + 16, 0xffffffffu);   /* from 0.0.0.0 to the broadcast address */
	put16(ip + 10, ip_csum(ip, 20));
	put16(udp, 68);
	put16(udp + 2, 67);
	put16(udp + 4, (u16)udp_len);  /* UDP checksum 0: none */
	b[0] = 1;                /* BOOTREQUEST */
	b[1] = 1, b[2] = 6;      /* Ethernet, address length */
	put32(b + 4, xid);
	put16(b + 10, 0x8000);   /* broadcast the answer: we have no address yet */
	memcpy(b + 28, mac, 6);
	put32(b + 236, DHCP_MAGIC);
	o[0] = 53, o[1] = 1, o[2] = 1;   /* DHCP DISCOVER */
	o[3] = 255;
	return NETPROBE_DHCP_LEN;
}

bool netprobe_dhcp_offer(const u8 *f, size_t len, const u8 mac[6], u32 xid, u32 *yiaddr, u32 *server)
{
	const u8 *ip = f + 14, *udp, *b, *o, *end = f + len;
	size_t ihl;

	if (len < 14 + 20 || get16(f + 12) != ETH_IP || (ip[0] >> 4) != 4 || ip[9] != 17)
		return false;
	ihl = (ip[0] & 15u) * 4;
	if (ihl < 20 || len < 14 + ihl + 8 + 240)
		return false;
	udp = ip + ihl;
	b = udp + 8;
	o = b + 240;
	if (get16(udp) != 67 || get16(udp + 2) != 68 || b[0] != 2 ||
	    get32(b + 4) != xid || memcmp(b + 28, mac, 6) || get32(b + 236) != DHCP_MAGIC)
		return false;
	/* Options: 0 pads, 255 ends, everything else is type, length, value. */
	while (o < end && *o != 255) {
		if (*o == 0) {
			o++;
			continue;
		}
		if (o + 2 > end || o + 2 + o[1] > end)
			return false;
		if (o[0] == 53 && o[1] == 1 && o[2] == 2) {
			*yiaddr = get32(b + 16);
			*server = get32(ip + 12);
			return true;
		}
		o += 2 + o[1];
	}
	return false;
}

size_t netprobe_pattern(u8 *buf, size_t len, const u8 dst[6], const u8 src[6], u16 vlan, u8 seed)
{
	size_t h = 12;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	if (vlan) {
		put16(buf + h, 0x8100);
		put16(buf + h + 2, vlan);
		h += 4;
	}
	put16(buf + h, 0x88b5);
	for (size_t i = h + 2; i < len; i++)
		buf[i] = (u8)(seed + i * 7);
	return len;
}
