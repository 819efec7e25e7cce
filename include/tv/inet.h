/* SPDX-License-Identifier: MIT */
/*
 * inet.h: the wire formats of the management stack (net/inet.c, pure):
 * Ethernet, ARP, IPv4, ICMP echo and UDP. Parsers check every length and
 * checksum before they trust a field and never read past the buffer they
 * are given; builders write whole frames into a caller's buffer.
 *
 * Addresses are u32 in host byte order (a.b.c.d is a<<24 | b<<16 | c<<8 | d),
 * as in tv/hostcfg.h; the byte order on the wire is the parsers' business.
 */
#ifndef TV_INET_H
#define TV_INET_H

#include <tv/types.h>

#define INET_ETH_HLEN 14
#define INET_ETH_P_IP 0x0800
#define INET_ETH_P_ARP 0x0806
#define INET_ETH_P_8021Q 0x8100
#define INET_IP_HLEN 20
#define INET_UDP_HLEN 8
#define INET_ICMP_HLEN 8
#define INET_ARP_LEN 28                 /* IPv4 over Ethernet */
#define INET_FRAME_MIN 60               /* Ethernet's minimum without FCS: we pad to it */
#define INET_FRAME_MAX 1514             /* untagged, MTU 1500 */
#define INET_PROTO_ICMP 1
#define INET_PROTO_UDP 17
#define INET_TTL 64
#define INET_BCAST 0xffffffffu

/* Why a parser refused a packet: the negative of one of these. */
enum inet_bad {
	INET_BAD_TRUNC = 1,     /* shorter than its header or its own length field */
	INET_BAD_FORMAT,        /* version, IHL, hardware/protocol type or size */
	INET_BAD_CSUM,
	INET_BAD_FRAG,          /* an IP fragment: not reassembled */
	INET_BAD_TTL,           /* TTL 0 */
	INET_BAD_VLAN,          /* an 802.1Q tag with a VLAN ID (ours is untagged) */
	INET_BAD_ADDR,          /* a group or zero address where a host's must be */
};

extern const u8 inet_bcast_mac[6];

/* ---- checksum (RFC 1071) ---- */
/* Add len bytes at p (big-endian 16-bit words) to a running sum. */
u32 inet_csum_add(u32 sum, const void *p, size_t len);
/* Fold and complement: the value for the checksum field; 0 when checking a good packet. */
u16 inet_csum_fold(u32 sum);

/* ---- Ethernet ---- */
struct inet_eth {
	const u8 *dst, *src;
	u16 type;
	const u8 *payload;
	size_t len;             /* payload bytes, padding included */
};

/* An untagged or priority-tagged (VLAN 0) frame; 0 or -INET_BAD_*. */
int inet_eth_parse(const u8 *f, size_t len, struct inet_eth *e);
/* The 14-byte header; returns 14. */
size_t inet_eth_build(u8 *f, const u8 dst[6], const u8 src[6], u16 type);

/* ---- ARP (RFC 826), IPv4 over Ethernet only ---- */
#define INET_ARP_REQUEST 1
#define INET_ARP_REPLY 2

struct inet_arp {
	u16 op;
	u8 sha[6];
	u32 spa;
	u8 tha[6];
	u32 tpa;
};

int inet_arp_parse(const u8 *p, size_t len, struct inet_arp *a);
/* A whole frame (padded to INET_FRAME_MIN) from src to dst; returns its length. */
size_t inet_arp_build(u8 *f, const u8 dst[6], const u8 src[6], const struct inet_arp *a);

/* ---- IPv4 (RFC 791) ---- */
struct inet_ip {
	u32 src, dst;
	u8 proto, ttl;
	const u8 *hdr;          /* for ICMP errors one day; options are skipped */
	const u8 *payload;
	size_t len;             /* payload bytes as the total length says (padding cut) */
};

int inet_ip_parse(const u8 *p, size_t len, struct inet_ip *ip);
/* A 20-byte header with its checksum for len payload bytes; returns 20. */
size_t inet_ip_build(u8 *p, u32 src, u32 dst, u8 proto, size_t len, u16 id);

/* ---- ICMP echo (RFC 792) ---- */
#define INET_ICMP_ECHO_REPLY 0
#define INET_ICMP_ECHO_REQUEST 8

struct inet_icmp {
	u8 type, code;
	u16 id, seq;            /* echo only */
	const u8 *data;
	size_t len;
};

/* Checks the checksum over the whole message. */
int inet_icmp_parse(const u8 *p, size_t len, struct inet_icmp *m);
/*
 * The echo reply frame to req (same id, seq and data) from our_mac/our_ip
 * to dst_mac/dst_ip; returns its length, 0 if it would not fit in size.
 */
size_t inet_echo_reply_build(u8 *f, size_t size, const u8 dst_mac[6], const u8 our_mac[6],
			     u32 dst_ip, u32 our_ip, const struct inet_icmp *req, u16 ip_id);
/* The same for a request (netpeer-style tests); returns its length, 0 if too big. */
size_t inet_echo_request_build(u8 *f, size_t size, const u8 dst_mac[6], const u8 src_mac[6],
			       u32 dst_ip, u32 src_ip, u16 id, u16 seq, const u8 *data,
			       size_t len, u16 ip_id);

/* ---- UDP (RFC 768) ---- */
struct inet_udp {
	u16 sport, dport;
	const u8 *data;
	size_t len;
};

/* The payload of ip; a zero checksum means "none" and is accepted. */
int inet_udp_parse(const struct inet_ip *ip, struct inet_udp *u);
/* A whole frame with IPv4 and UDP headers and checksums; returns its length, 0 if too big. */
size_t inet_udp_build(u8 *f, size_t size, const u8 dst_mac[6], const u8 src_mac[6], u32 dst_ip,
		      u32 src_ip, u16 dport, u16 sport, const u8 *data, size_t len, u16 ip_id);

/* ---- an ARP cache with ageing ---- */
#define INET_ARP_ENTRIES 8
#define INET_ARP_AGE_NS (120ull * 1000000000ull)

struct inet_arp_cache {
	struct {
		u32 ip;         /* 0: free */
		u8 mac[6];
		u64 seen_ns;
	} e[INET_ARP_ENTRIES];
};

void inet_arp_cache_clear(struct inet_arp_cache *c);
/* Refresh ip's entry; add it (evicting the oldest) only if add is set (RFC 826's merge). */
void inet_arp_cache_update(struct inet_arp_cache *c, u32 ip, const u8 mac[6], u64 now, bool add);
/* The MAC of ip, or NULL if unknown or aged out. */
const u8 *inet_arp_cache_lookup(struct inet_arp_cache *c, u32 ip, u64 now);

/* ---- helpers ---- */
static inline u16 inet_get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 inet_get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline void inet_put16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static inline void inet_put32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

/* A unicast host address: not 0/8, 127/8, multicast/class E or broadcast. */
static inline bool inet_ip_is_host(u32 ip)
{
	return (ip >> 24) != 0 && (ip >> 24) != 127 && (ip >> 28) < 14;
}

#endif
