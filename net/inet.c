// SPDX-License-Identifier: MIT
/*
 * inet.c: Ethernet, ARP, IPv4, ICMP echo and UDP wire formats and an ARP
 * cache for vmk0 (tv/inet.h). Pure: the host unit tests drive it directly.
 */
#include <tv/inet.h>
#include <tv/string.h>

const u8 inet_bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static bool is_group(const u8 *mac)
{
	return mac[0] & 1;
}

/* ---- checksum ---- */

u32 inet_csum_add(u32 sum, const void *p, size_t len)
{
	const u8 *b = p;
	u64 s = sum;

	for (; len >= 2; b += 2, len -= 2)
		s += inet_get16(b);
	if (len)
		s += (u32)b[0] << 8; /* an odd tail is padded with a zero byte */
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (u32)s;
}

u16 inet_csum_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

/* The IPv4 pseudo-header of TCP and UDP (RFC 768). */
static u32 pseudo_sum(u32 src, u32 dst, u8 proto, size_t len)
{
	u8 ph[12];

	inet_put32(ph, src);
	inet_put32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = proto;
	inet_put16(ph + 10, (u16)len);
	return inet_csum_add(0, ph, sizeof(ph));
}

/* ---- Ethernet ---- */

int inet_eth_parse(const u8 *f, size_t len, struct inet_eth *e)
{
	size_t h = INET_ETH_HLEN;

	if (len < INET_ETH_HLEN)
		return -INET_BAD_TRUNC;
	e->dst = f;
	e->src = f + 6;
	e->type = inet_get16(f + 12);
	if (is_group(e->src))
		return -INET_BAD_ADDR;
	if (e->type == INET_ETH_P_8021Q) {
		/* A priority tag (VLAN 0) is plain traffic; any VLAN ID is not ours. */
		if (len < INET_ETH_HLEN + 4)
			return -INET_BAD_TRUNC;
		if (inet_get16(f + 14) & 0x0fff)
			return -INET_BAD_VLAN;
		e->type = inet_get16(f + 16);
		h += 4;
	}
	e->payload = f + h;
	e->len = len - h;
	return 0;
}

size_t inet_eth_build(u8 *f, const u8 dst[6], const u8 src[6], u16 type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	inet_put16(f + 12, type);
	return INET_ETH_HLEN;
}

/* Zero the tail up to Ethernet's minimum; returns the length to send. */
static size_t pad(u8 *f, size_t len)
{
	if (len < INET_FRAME_MIN) {
		memset(f + len, 0, INET_FRAME_MIN - len);
		len = INET_FRAME_MIN;
	}
	return len;
}

/* ---- ARP ---- */

int inet_arp_parse(const u8 *p, size_t len, struct inet_arp *a)
{
	if (len < INET_ARP_LEN)
		return -INET_BAD_TRUNC;
	if (inet_get16(p) != 1 || inet_get16(p + 2) != INET_ETH_P_IP || p[4] != 6 || p[5] != 4)
		return -INET_BAD_FORMAT;
	a->op = inet_get16(p + 6);
	if (a->op != INET_ARP_REQUEST && a->op != INET_ARP_REPLY)
		return -INET_BAD_FORMAT;
	memcpy(a->sha, p + 8, 6);
	a->spa = inet_get32(p + 14);
	memcpy(a->tha, p + 18, 6);
	a->tpa = inet_get32(p + 24);
	if (is_group(a->sha))
		return -INET_BAD_ADDR;
	return 0;
}

size_t inet_arp_build(u8 *f, const u8 dst[6], const u8 src[6], const struct inet_arp *a)
{
	u8 *p = f + inet_eth_build(f, dst, src, INET_ETH_P_ARP);

	inet_put16(p, 1);
	inet_put16(p + 2, INET_ETH_P_IP);
	p[4] = 6;
	p[5] = 4;
	inet_put16(p + 6, a->op);
	memcpy(p + 8, a->sha, 6);
	inet_put32(p + 14, a->spa);
	memcpy(p + 18, a->tha, 6);
	inet_put32(p + 24, a->tpa);
	return pad(f, INET_ETH_HLEN + INET_ARP_LEN);
}

/* ---- IPv4 ---- */

int inet_ip_parse(const u8 *p, size_t len, struct inet_ip *ip)
{
	size_t hl, tot;

	if (len < INET_IP_HLEN)
		return -INET_BAD_TRUNC;
	hl = (size_t)(p[0] & 0x0f) * 4;
	if (p[0] >> 4 != 4 || hl < INET_IP_HLEN)
		return -INET_BAD_FORMAT;
	tot = inet_get16(p + 2);
	if (hl > len || tot > len)
		return -INET_BAD_TRUNC;
	if (tot < hl)
		return -INET_BAD_FORMAT;
	if (inet_csum_fold(inet_csum_add(0, p, hl)))
		return -INET_BAD_CSUM;
	if (inet_get16(p + 6) & 0x3fff) /* MF, or a fragment offset */
		return -INET_BAD_FRAG;
	ip->ttl = p[8];
	ip->proto = p[9];
	ip->src = inet_get32(p + 12);
	ip->dst = inet_get32(p + 16);
	if (!ip->ttl)
		return -INET_BAD_TTL;
	if (ip->src >> 28 >= 14) /* multicast, class E, broadcast: never a sender */
		return -INET_BAD_ADDR;
	ip->hdr = p;
	ip->payload = p + hl;
	ip->len = tot - hl;
	return 0;
}

size_t inet_ip_build(u8 *p, u32 src, u32 dst, u8 proto, size_t len, u16 id)
{
	p[0] = 0x45;
	p[1] = 0;
	inet_put16(p + 2, (u16)(INET_IP_HLEN + len));
	inet_put16(p + 4, id);
	inet_put16(p + 6, 0x4000); /* DF: we never fragment */
	p[8] = INET_TTL;
	p[9] = proto;
	inet_put16(p + 10, 0);
	inet_put32(p + 12, src);
	inet_put32(p + 16, dst);
	inet_put16(p + 10, inet_csum_fold(inet_csum_add(0, p, INET_IP_HLEN)));
	return INET_IP_HLEN;
}

/* ---- ICMP ---- */

int inet_icmp_parse(const u8 *p, size_t len, struct inet_icmp *m)
{
	if (len < INET_ICMP_HLEN)
		return -INET_BAD_TRUNC;
	if (inet_csum_fold(inet_csum_add(0, p, len)))
		return -INET_BAD_CSUM;
	m->type = p[0];
	m->code = p[1];
	m->id = inet_get16(p + 4);
	m->seq = inet_get16(p + 6);
	m->data = p + INET_ICMP_HLEN;
	m->len = len - INET_ICMP_HLEN;
	return 0;
}

static size_t echo_build(u8 *f, size_t size, const u8 dst_mac[6], const u8 src_mac[6], u32 dst_ip,
			 u32 src_ip, u8 type, u16 id, u16 seq, const u8 *data, size_t len, u16 ip_id)
{
	size_t icmp_len = INET_ICMP_HLEN + len;
	size_t flen = INET_ETH_HLEN + INET_IP_HLEN + icmp_len;
	u8 *ip = f + INET_ETH_HLEN, *m = ip + INET_IP_HLEN;

	if (flen > INET_FRAME_MAX || flen > size || size < INET_FRAME_MIN)
		return 0;
	inet_eth_build(f, dst_mac, src_mac, INET_ETH_P_IP);
	inet_ip_build(ip, src_ip, dst_ip, INET_PROTO_ICMP, icmp_len, ip_id);
	m[0] = type;
	m[1] = 0;
	inet_put16(m + 2, 0);
	inet_put16(m + 4, id);
	inet_put16(m + 6, seq);
	memmove(m + INET_ICMP_HLEN, data, len); /* data may already sit there */
	inet_put16(m + 2, inet_csum_fold(inet_csum_add(0, m, icmp_len)));
	return pad(f, flen);
}

size_t inet_echo_reply_build(u8 *f, size_t size, const u8 dst_mac[6], const u8 our_mac[6],
			     u32 dst_ip, u32 our_ip, const struct inet_icmp *req, u16 ip_id)
{
	return echo_build(f, size, dst_mac, our_mac, dst_ip, our_ip, INET_ICMP_ECHO_REPLY, req->id,
			  req->seq, req->data, req->len, ip_id);
}

size_t inet_echo_request_build(u8 *f, size_t size, const u8 dst_mac[6], const u8 src_mac[6],
			       u32 dst_ip, u32 src_ip, u16 id, u16 seq, const u8 *data,
			       size_t len, u16 ip_id)
{
	return echo_build(f, size, dst_mac, src_mac, dst_ip, src_ip, INET_ICMP_ECHO_REQUEST, id, seq,
			  data, len, ip_id);
}

/* ---- UDP ---- */

int inet_udp_parse(const struct inet_ip *ip, struct inet_udp *u)
{
	const u8 *p = ip->payload;
	size_t ulen;
	u16 csum;

	if (ip->len < INET_UDP_HLEN)
		return -INET_BAD_TRUNC;
	ulen = inet_get16(p + 4);
	if (ulen > ip->len)
		return -INET_BAD_TRUNC;
	if (ulen < INET_UDP_HLEN)
		return -INET_BAD_FORMAT;
	csum = inet_get16(p + 6);
	if (csum && inet_csum_fold(inet_csum_add(pseudo_sum(ip->src, ip->dst, INET_PROTO_UDP, ulen),
						 p, ulen)))
		return -INET_BAD_CSUM;
	u->sport = inet_get16(p);
	u->dport = inet_get16(p + 2);
	u->data = p + INET_UDP_HLEN;
	u->len = ulen - INET_UDP_HLEN;
	return 0;
}

size_t inet_udp_build(u8 *f, size_t size, const u8 dst_mac[6], const u8 src_mac[6], u32 dst_ip,
		      u32 src_ip, u16 dport, u16 sport, const u8 *data, size_t len, u16 ip_id)
{
	size_t ulen = INET_UDP_HLEN + len;
	size_t flen = INET_ETH_HLEN + INET_IP_HLEN + ulen;
	u8 *u = f + INET_ETH_HLEN + INET_IP_HLEN;
	u16 csum;

	if (flen > INET_FRAME_MAX || flen > size || size < INET_FRAME_MIN)
		return 0;
	inet_eth_build(f, dst_mac, src_mac, INET_ETH_P_IP);
	inet_ip_build(f + INET_ETH_HLEN, src_ip, dst_ip, INET_PROTO_UDP, ulen, ip_id);
	inet_put16(u, sport);
	inet_put16(u + 2, dport);
	inet_put16(u + 4, (u16)ulen);
	inet_put16(u + 6, 0);
	memmove(u + INET_UDP_HLEN, data, len);
	csum = inet_csum_fold(inet_csum_add(pseudo_sum(src_ip, dst_ip, INET_PROTO_UDP, ulen), u, ulen));
	inet_put16(u + 6, csum ? csum : 0xffff); /* 0 would mean "no checksum" */
	return pad(f, flen);
}

/* ---- ARP cache ---- */

void inet_arp_cache_clear(struct inet_arp_cache *c)
{
	memset(c, 0, sizeof(*c));
}

void inet_arp_cache_update(struct inet_arp_cache *c, u32 ip, const u8 mac[6], u64 now, bool add)
{
	unsigned victim = 0;

	if (!ip || is_group(mac))
		return;
	for (unsigned i = 0; i < INET_ARP_ENTRIES; i++) {
		if (c->e[i].ip == ip) {
			memcpy(c->e[i].mac, mac, 6);
			c->e[i].seen_ns = now;
			return;
		}
		if (c->e[victim].ip && (!c->e[i].ip || c->e[i].seen_ns < c->e[victim].seen_ns))
			victim = i;
	}
	if (!add)
		return;
	c->e[victim].ip = ip;
	memcpy(c->e[victim].mac, mac, 6);
	c->e[victim].seen_ns = now;
}

const u8 *inet_arp_cache_lookup(struct inet_arp_cache *c, u32 ip, u64 now)
{
	for (unsigned i = 0; i < INET_ARP_ENTRIES; i++) {
		if (c->e[i].ip != ip || !ip)
			continue;
		if (now - c->e[i].seen_ns > INET_ARP_AGE_NS) {
			c->e[i].ip = 0;
			return NULL;
		}
		return c->e[i].mac;
	}
	return NULL;
}
