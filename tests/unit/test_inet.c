// SPDX-License-Identifier: MIT
/*
 * test_inet.c: vmk0's wire formats (net/inet.c): the checksum against
 * known values, good frames of each kind, each parser check refusing a
 * broken one, ARP and ICMP echo replies checked independently, the ARP cache.
 */
#include "test.h"

#include <tv/inet.h>

#define SEC 1000000000ull

static const u8 mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a }, mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const u32 ip_a = 0x0a000201, ip_b = 0x0a00020f; /* 10.0.2.1, 10.0.2.15 */

/* An independent checksum: the plain RFC 1071 loop over 16-bit words. */
static u16 ref_csum(const u8 *p, size_t len)
{
	unsigned long s = 0;

	for (size_t i = 0; i < len; i += 2)
		s += (unsigned long)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (u16)~s;
}

TEST(checksum)
{
	/* RFC 1071's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	static const u8 ex[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	/* A real IPv4 header (checksum b861) from the Wikipedia example. */
	static const u8 hdr[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				  0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	u8 odd[3] = { 0x12, 0x34, 0x56 };

	CHECK_EQ(inet_csum_fold(inet_csum_add(0, ex, sizeof(ex))), (u16)~0xddf2);
	CHECK_EQ(inet_csum_fold(inet_csum_add(0, hdr, sizeof(hdr))), 0);
	CHECK_EQ(inet_csum_fold(inet_csum_add(0, odd, 3)), ref_csum(odd, 3));
	/* Split sums (even first part) equal one sum. */
	CHECK_EQ(inet_csum_fold(inet_csum_add(inet_csum_add(0, ex, 4), ex + 4, 4)),
		 inet_csum_fold(inet_csum_add(0, ex, 8)));
}

TEST(ethernet)
{
	u8 f[64] = { 0 };
	struct inet_eth e;

	inet_eth_build(f, mac_b, mac_a, INET_ETH_P_IP);
	CHECK_EQ(inet_eth_parse(f, 60, &e), 0);
	CHECK_EQ(e.type, INET_ETH_P_IP);
	CHECK(e.payload == f + 14 && e.len == 46);
	CHECK(!memcmp(e.src, mac_a, 6) && !memcmp(e.dst, mac_b, 6));
	CHECK_EQ(inet_eth_parse(f, 13, &e), -INET_BAD_TRUNC);
	/* A priority tag (VLAN 0) is skipped; a real VLAN is refused. */
	f[12] = 0x81, f[13] = 0, f[14] = 0xe0, f[15] = 0, f[16] = 0x08, f[17] = 0x06;
	CHECK_EQ(inet_eth_parse(f, 60, &e), 0);
	CHECK_EQ(e.type, INET_ETH_P_ARP);
	CHECK(e.payload == f + 18 && e.len == 42);
	CHECK_EQ(inet_eth_parse(f, 17, &e), -INET_BAD_TRUNC);
	f[15] = 5;
	CHECK_EQ(inet_eth_parse(f, 60, &e), -INET_BAD_VLAN);
	/* A group source address. */
	inet_eth_build(f, mac_b, inet_bcast_mac, INET_ETH_P_IP);
	CHECK_EQ(inet_eth_parse(f, 60, &e), -INET_BAD_ADDR);
}

TEST(arp)
{
	u8 f[64];
	struct inet_arp a = { .op = INET_ARP_REQUEST, .spa = ip_a, .tpa = ip_b }, r;
	struct inet_eth e;
	size_t n;

	memcpy(a.sha, mac_a, 6);
	n = inet_arp_build(f, inet_bcast_mac, mac_a, &a);
	CHECK_EQ(n, 60);
	/* The wire form, byte by byte. */
	static const u8 want[] = { 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0x0a, 10, 0, 2, 1,
				   0, 0, 0, 0, 0, 0, 10, 0, 2, 15 };
	CHECK(!memcmp(f + 14, want, sizeof(want)));
	CHECK_EQ(f[12], 0x08);
	CHECK_EQ(f[13], 0x06);
	CHECK_EQ(inet_eth_parse(f, n, &e), 0);
	CHECK_EQ(inet_arp_parse(e.payload, e.len, &r), 0);
	CHECK_EQ(r.op, INET_ARP_REQUEST);
	CHECK_EQ(r.spa, ip_a);
	CHECK_EQ(r.tpa, ip_b);
	CHECK(!memcmp(r.sha, mac_a, 6));
	/* Each refusal. */
	CHECK_EQ(inet_arp_parse(e.payload, 27, &r), -INET_BAD_TRUNC);
	u8 *p = f + 14;
	p[1] = 6; /* IEEE 802 hardware */
	CHECK_EQ(inet_arp_parse(p, 28, &r), -INET_BAD_FORMAT);
	p[1] = 1, p[2] = 0x86, p[3] = 0xdd; /* IPv6 */
	CHECK_EQ(inet_arp_parse(p, 28, &r), -INET_BAD_FORMAT);
	p[2] = 8, p[3] = 0, p[4] = 8;
	CHECK_EQ(inet_arp_parse(p, 28, &r), -INET_BAD_FORMAT);
	p[4] = 6, p[5] = 16;
	CHECK_EQ(inet_arp_parse(p, 28, &r), -INET_BAD_FORMAT);
	p[5] = 4, p[7] = 3; /* RARP */
	CHECK_EQ(inet_arp_parse(p, 28, &r), -INET_BAD_FORMAT);
	p[7] = 2, p[8] = 1; /* group sender */
	CHECK_EQ(inet_arp_parse(p, 28, &r), -INET_BAD_ADDR);
	p[8] = 2;
	CHECK_EQ(inet_arp_parse(p, 28, &r), 0);
	CHECK_EQ(r.op, INET_ARP_REPLY);
}

/* An IPv4 packet in f (after Ethernet) with payload len; returns the IP header. */
static u8 *ip_frame(u8 *f, u8 proto, size_t len)
{
	inet_eth_build(f, mac_b, mac_a, INET_ETH_P_IP);
	inet_ip_build(f + 14, ip_a, ip_b, proto, len, 7);
	return f + 14;
}

static void reseal(u8 *ip)
{
	size_t hl = (size_t)(ip[0] & 15) * 4;

	ip[10] = ip[11] = 0;
	inet_put16(ip + 10, inet_csum_fold(inet_csum_add(0, ip, hl)));
}

TEST(ipv4)
{
	u8 f[200] = { 0 };
	u8 *ip = ip_frame(f, INET_PROTO_UDP, 12);
	struct inet_ip p;

	CHECK_EQ(ref_csum(ip, 20), 0);
	CHECK_EQ(ip[8], INET_TTL);
	CHECK_EQ(inet_ip_parse(ip, 46, &p), 0); /* Ethernet padding is cut */
	CHECK_EQ(p.len, 12);
	CHECK(p.payload == ip + 20);
	CHECK_EQ(p.src, ip_a);
	CHECK_EQ(p.dst, ip_b);
	CHECK_EQ(p.proto, INET_PROTO_UDP);
	CHECK_EQ(inet_ip_parse(ip, 19, &p), -INET_BAD_TRUNC);
	CHECK_EQ(inet_ip_parse(ip, 31, &p), -INET_BAD_TRUNC); /* total length lies */
	/* Options are skipped (IHL 6, one NOP word). */
	memmove(ip + 24, ip + 20, 12);
	ip[0] = 0x46, ip[20] = ip[21] = ip[22] = ip[23] = 1;
	inet_put16(ip + 2, 36);
	reseal(ip);
	CHECK_EQ(inet_ip_parse(ip, 46, &p), 0);
	CHECK(p.payload == ip + 24 && p.len == 12);
	ip[0] = 0x4f; /* IHL past the buffer */
	reseal(ip);
	CHECK_EQ(inet_ip_parse(ip, 46, &p), -INET_BAD_TRUNC);
	ip = ip_frame(f, INET_PROTO_UDP, 12);
	ip[0] = 0x44; /* IHL < 5 */
	CHECK_EQ(inet_ip_parse(ip, 46, &p), -INET_BAD_FORMAT);
	ip[0] = 0x65; /* IPv6 */
	CHECK_EQ(inet_ip_parse(ip, 46, &p), -INET_BAD_FORMAT);
	ip = ip_frame(f, INET_PROTO_UDP, 12);
	inet_put16(ip + 2, 19); /* total < header */
	reseal(ip);
	CHECK_EQ(inet_ip_parse(ip, 46, &p), -INET_BAD_FORMAT);
	ip = ip_frame(f, INET_PROTO_UDP, 12);
	ip[15] ^= 1;
	CHECK_EQ(inet_ip_parse(ip, 46, &p), -INET_BAD_CSUM);
	ip = ip_frame(f, INET_PROTO_UDP, 12);
	inet_put16(ip + 6, 0x2000); /* MF */
	reseal(ip);
	CHECK_EQ(inet_ip_parse(ip, 46, &p), -INET_BAD_FRAG);
	inet_put16(ip + 6, 0x0010); /* offset */
	reseal(ip);
	CHECK_EQ(inet_ip_parse(ip, 46, &p), -INET_BAD_FRAG);
	inet_put16(ip + 6, 0x4000); /* DF alone is fine */
	reseal(ip);
	CHECK_EQ(inet_ip_parse(ip, 46, &p), 0);
	ip[8] = 0;
	reseal(ip);
	CHECK_EQ(inet_ip_parse(ip, 46, &p), -INET_BAD_TTL);
	ip[8] = 1;
	inet_put32(ip + 12, 0xe0000001); /* multicast source */
	reseal(ip);
	CHECK_EQ(inet_ip_parse(ip, 46, &p), -INET_BAD_ADDR);
}

TEST(icmp_echo)
{
	u8 req[200], rep[200];
	static const u8 data[] = "0123456789abcdefghijklmnopqrstuvw"; /* odd length: 34 */
	struct inet_eth e;
	struct inet_ip ip;
	struct inet_icmp m;
	size_t n = inet_echo_request_build(req, sizeof(req), mac_b, mac_a, ip_b, ip_a, 0x1234, 7,
					   data, sizeof(data) - 1, 1);

	CHECK_EQ(n, 14 + 20 + 8 + 33);
	CHECK_EQ(inet_eth_parse(req, n, &e), 0);
	CHECK_EQ(inet_ip_parse(e.payload, e.len, &ip), 0);
	CHECK_EQ(ip.proto, INET_PROTO_ICMP);
	CHECK_EQ(inet_icmp_parse(ip.payload, ip.len, &m), 0);
	CHECK_EQ(m.type, INET_ICMP_ECHO_REQUEST);
	CHECK_EQ(m.id, 0x1234);
	CHECK_EQ(m.seq, 7);
	CHECK_EQ(m.len, 33);

	size_t r = inet_echo_reply_build(rep, sizeof(rep), mac_a, mac_b, ip_a, ip_b, &m, 9);

	CHECK_EQ(r, n);
	/* Independently: addresses swapped, type 0, same id/seq/data, checksums good. */
	CHECK(!memcmp(rep, mac_a, 6) && !memcmp(rep + 6, mac_b, 6));
	u8 *rip = rep + 14, *ic = rip + 20;
	CHECK_EQ(ref_csum(rip, 20), 0);
	CHECK_EQ(inet_get32(rip + 12), ip_b);
	CHECK_EQ(inet_get32(rip + 16), ip_a);
	CHECK_EQ(rip[9], 1);
	CHECK_EQ(ic[0], 0);
	CHECK_EQ(ic[1], 0);
	CHECK_EQ(ref_csum(ic, 8 + 33), 0);
	CHECK_EQ(inet_get16(ic + 4), 0x1234);
	CHECK_EQ(inet_get16(ic + 6), 7);
	CHECK(!memcmp(ic + 8, data, 33));
	/* Broken ones. */
	CHECK_EQ(inet_icmp_parse(ip.payload, 7, &m), -INET_BAD_TRUNC);
	CHECK_EQ(inet_icmp_parse(ip.payload, ip.len - 1, &m), -INET_BAD_CSUM);
	/* Too big for the buffer or the MTU. */
	CHECK_EQ(inet_echo_reply_build(rep, 70, mac_a, mac_b, ip_a, ip_b, &m, 9), 0);
	static u8 big[1600];
	m.data = big;
	m.len = 1473;
	CHECK_EQ(inet_echo_reply_build(big, sizeof(big), mac_a, mac_b, ip_a, ip_b, &m, 9), 0);
	m.len = 1472;
	CHECK_EQ(inet_echo_reply_build(big, sizeof(big), mac_a, mac_b, ip_a, ip_b, &m, 9), 1514);
}

TEST(udp)
{
	u8 f[200];
	static const u8 data[] = "hello";
	struct inet_eth e;
	struct inet_ip ip;
	struct inet_udp u;
	size_t n = inet_udp_build(f, sizeof(f), mac_b, mac_a, ip_b, ip_a, 67, 68, data, 5, 3);

	CHECK_EQ(n, 60);
	CHECK_EQ(inet_eth_parse(f, n, &e), 0);
	CHECK_EQ(inet_ip_parse(e.payload, e.len, &ip), 0);
	CHECK_EQ(ip.len, 13);
	CHECK_EQ(inet_udp_parse(&ip, &u), 0);
	CHECK_EQ(u.sport, 68);
	CHECK_EQ(u.dport, 67);
	CHECK_EQ(u.len, 5);
	CHECK(!memcmp(u.data, "hello", 5));
	/* The checksum, independently: pseudo-header then the datagram. */
	u8 ps[12 + 13];
	inet_put32(ps, ip_a);
	inet_put32(ps + 4, ip_b);
	ps[8] = 0, ps[9] = 17;
	inet_put16(ps + 10, 13);
	memcpy(ps + 12, ip.payload, 13);
	CHECK_EQ(ref_csum(ps, sizeof(ps)), 0);

	u8 *up = (u8 *)ip.payload;
	up[8] ^= 0x20;
	CHECK_EQ(inet_udp_parse(&ip, &u), -INET_BAD_CSUM);
	up[6] = up[7] = 0; /* no checksum: accepted */
	CHECK_EQ(inet_udp_parse(&ip, &u), 0);
	inet_put16(up + 4, 14); /* longer than the IP payload */
	CHECK_EQ(inet_udp_parse(&ip, &u), -INET_BAD_TRUNC);
	inet_put16(up + 4, 7);
	CHECK_EQ(inet_udp_parse(&ip, &u), -INET_BAD_FORMAT);
	inet_put16(up + 4, 10); /* shorter is fine: IP padding */
	CHECK_EQ(inet_udp_parse(&ip, &u), 0);
	CHECK_EQ(u.len, 2);
	ip.len = 7;
	CHECK_EQ(inet_udp_parse(&ip, &u), -INET_BAD_TRUNC);
}

TEST(arp_cache)
{
	struct inet_arp_cache c;

	inet_arp_cache_clear(&c);
	CHECK(!inet_arp_cache_lookup(&c, ip_a, 0));
	inet_arp_cache_update(&c, ip_a, mac_a, 0, false); /* merge only: not added */
	CHECK(!inet_arp_cache_lookup(&c, ip_a, 0));
	inet_arp_cache_update(&c, ip_a, mac_a, 0, true);
	CHECK(inet_arp_cache_lookup(&c, ip_a, SEC) && !memcmp(inet_arp_cache_lookup(&c, ip_a, SEC), mac_a, 6));
	inet_arp_cache_update(&c, ip_a, mac_b, 2 * SEC, false); /* merge updates */
	CHECK(!memcmp(inet_arp_cache_lookup(&c, ip_a, 3 * SEC), mac_b, 6));
	inet_arp_cache_update(&c, ip_b, inet_bcast_mac, 0, true); /* group MACs never */
	CHECK(!inet_arp_cache_lookup(&c, ip_b, 0));
	/* Ageing. */
	CHECK(inet_arp_cache_lookup(&c, ip_a, 2 * SEC + INET_ARP_AGE_NS));
	CHECK(!inet_arp_cache_lookup(&c, ip_a, 3 * SEC + INET_ARP_AGE_NS));
	/* Full: the oldest goes. */
	for (u32 i = 0; i < INET_ARP_ENTRIES; i++)
		inet_arp_cache_update(&c, 100 + i, mac_a, 10 + i, true);
	inet_arp_cache_update(&c, 200, mac_b, 50, true);
	CHECK(!inet_arp_cache_lookup(&c, 100, 60));
	CHECK(inet_arp_cache_lookup(&c, 101, 60));
	CHECK(inet_arp_cache_lookup(&c, 200, 60));
}

TEST(host_addresses)
{
	CHECK(inet_ip_is_host(ip_a));
	CHECK(!inet_ip_is_host(0));
	CHECK(!inet_ip_is_host(0x00000001));
	CHECK(!inet_ip_is_host(0x7f000001));
	CHECK(!inet_ip_is_host(0xe0000001));
	CHECK(!inet_ip_is_host(0xf0000001));
	CHECK(!inet_ip_is_host(INET_BCAST));
}

/* Every layer on a buffer of exactly len bytes: ASan sees any read past it. */
static void parse_all(const u8 *src, size_t len)
{
	u8 *f = malloc(len ? len : 1);
	struct inet_eth e;
	struct inet_arp a;
	struct inet_ip ip;
	struct inet_icmp m;
	struct inet_udp u;

	memcpy(f, src, len);
	if (!inet_eth_parse(f, len, &e)) {
		inet_arp_parse(e.payload, e.len, &a);
		if (!inet_ip_parse(e.payload, e.len, &ip)) {
			inet_icmp_parse(ip.payload, ip.len, &m);
			inet_udp_parse(&ip, &u);
		}
	}
	free(f);
}

TEST(truncated_and_mutated)
{
	u8 f[200];
	static const u8 data[40];
	size_t n[3];
	u32 rng = 1;

	n[0] = inet_udp_build(f, sizeof(f), mac_b, mac_a, ip_b, ip_a, 1, 2, data, 40, 1);
	for (size_t l = 0; l <= n[0]; l++)
		parse_all(f, l);
	n[1] = inet_echo_request_build(f, sizeof(f), mac_b, mac_a, ip_b, ip_a, 1, 2, data, 40, 1);
	for (size_t l = 0; l <= n[1]; l++)
		parse_all(f, l);
	struct inet_arp a = { .op = 1, .spa = ip_a, .tpa = ip_b };
	memcpy(a.sha, mac_a, 6);
	n[2] = inet_arp_build(f, inet_bcast_mac, mac_a, &a);
	for (size_t l = 0; l <= INET_ETH_HLEN + INET_ARP_LEN; l++)
		parse_all(f, l);
	/* Random bytes in the headers (lengths, IHL, tags) of a UDP frame. */
	for (int i = 0; i < 20000; i++) {
		inet_udp_build(f, sizeof(f), mac_b, mac_a, ip_b, ip_a, 1, 2, data, 40, 1);
		for (int k = 0; k < 3; k++) {
			rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
			f[12 + rng % 30] = (u8)(rng >> 8);
		}
		parse_all(f, n[0] - rng % 8);
	}
	CHECK(1);
}

TEST_MAIN({ "checksum", checksum }, { "ethernet", ethernet }, { "arp", arp }, { "ipv4", ipv4 },
	  { "icmp_echo", icmp_echo }, { "udp", udp }, { "arp_cache", arp_cache },
	  { "host_addresses", host_addresses }, { "truncated_and_mutated", truncated_and_mutated })
