// SPDX-License-Identifier: MIT
/*
 * test_dhcp.c: vmk0's DHCP client (net/dhcp.c) against a fake server in
 * simulated time: the whole exchange and its frames, retransmission
 * backoff, renewing, rebinding and expiry, NAKs, and replies the client
 * must ignore (another xid, broken or overrunning options).
 */
#include "test.h"

#include <tv/dhcp.h>
#include <tv/inet.h>

#define SEC 1000000000ull

static const u8 mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static const u32 server = 0x0a000202, yi = 0x0a00020f, router = 0x0a000201;

static struct dhcp_client c;
static u8 out[DHCP_FRAME_MAX];
static size_t outlen;

/* What the client sent, parsed. */
struct sent {
	const u8 *dst_mac;
	u32 src, dst;
	const u8 *m;
	size_t len;
	u8 type;
};

static bool parse_sent(struct sent *s)
{
	struct inet_eth e;
	struct inet_ip ip;
	struct inet_udp u;
	size_t l;
	bool bad;
	const u8 *t;

	if (!outlen || inet_eth_parse(out, outlen, &e) || e.type != INET_ETH_P_IP ||
	    memcmp(e.src, mac, 6) || inet_ip_parse(e.payload, e.len, &ip) ||
	    ip.proto != INET_PROTO_UDP || inet_udp_parse(&ip, &u) || u.sport != 68 ||
	    u.dport != 67 || u.len < 300)
		return false;
	s->dst_mac = e.dst;
	s->src = ip.src;
	s->dst = ip.dst;
	s->m = u.data;
	s->len = u.len;
	t = dhcp_opt_find(u.data, u.len, DHCP_OPT_TYPE, &l, &bad);
	s->type = t && l == 1 ? *t : 0;
	return s->m[0] == DHCP_OP_REQUEST && inet_get32(s->m + DHCP_FIXED_LEN) == DHCP_MAGIC &&
	       !memcmp(s->m + 28, mac, 6);
}

static u32 opt32(const struct sent *s, u8 code)
{
	size_t l;
	bool bad;
	const u8 *p = dhcp_opt_find(s->m, s->len, code, &l, &bad);

	return p && l == 4 ? inet_get32(p) : 0;
}

/* ---- the fake server ---- */

static u8 rep[600];

/* A reply header for xid; options follow at the returned pointer. */
static u8 *reply(u32 xid, u32 yiaddr, u8 type)
{
	memset(rep, 0, sizeof(rep));
	rep[0] = DHCP_OP_REPLY;
	rep[1] = 1;
	rep[2] = 6;
	inet_put32(rep + 4, xid);
	inet_put32(rep + 16, yiaddr);
	memcpy(rep + 28, mac, 6);
	inet_put32(rep + DHCP_FIXED_LEN, DHCP_MAGIC);
	rep[240] = DHCP_OPT_TYPE, rep[241] = 1, rep[242] = type;
	return rep + 243;
}

static u8 *o32(u8 *p, u8 code, u32 v)
{
	p[0] = code;
	p[1] = 4;
	inet_put32(p + 2, v);
	return p + 6;
}

/* A full reply with a lease of lease_s (0: no option 51). */
static size_t full_reply(u32 xid, u8 type, u32 lease_s)
{
	u8 *p = reply(xid, type == DHCPNAK ? 0 : yi, type);

	p = o32(p, DHCP_OPT_SERVER, server);
	if (type != DHCPNAK) {
		p = o32(p, DHCP_OPT_MASK, 0xffffff00);
		p = o32(p, DHCP_OPT_ROUTER, router);
		*p++ = DHCP_OPT_DNS, *p++ = 8;
		inet_put32(p, 0x0a000203), inet_put32(p + 4, 0x08080808), p += 8;
		if (lease_s)
			p = o32(p, DHCP_OPT_LEASE, lease_s);
	}
	*p++ = DHCP_OPT_END;
	return (size_t)(p - rep);
}

static enum dhcp_event in(u64 now, size_t len)
{
	return dhcp_input(&c, now, rep, len, out, &outlen);
}

static enum dhcp_event poll(u64 now)
{
	return dhcp_poll(&c, now, out, &outlen);
}

/* DISCOVER, OFFER, REQUEST, ACK at time t with a lease of lease_s. */
static void bind(u64 t, u32 lease_s)
{
	struct sent s;

	dhcp_init(&c, mac, "thinvisor", 42);
	poll(t);
	CHECK(parse_sent(&s) && s.type == DHCPDISCOVER);
	CHECK_EQ(in(t, full_reply(c.xid, DHCPOFFER, lease_s)), DHCP_EV_NONE);
	CHECK(parse_sent(&s) && s.type == DHCPREQUEST);
	CHECK_EQ(in(t, full_reply(c.xid, DHCPACK, lease_s)), DHCP_EV_BOUND);
	CHECK_EQ(c.state, DHCP_BOUND);
}

TEST(full_exchange)
{
	struct sent s;
	size_t l;
	bool bad;
	const u8 *p;

	dhcp_init(&c, mac, "thinvisor", 1);
	CHECK_EQ(c.state, DHCP_INIT);
	CHECK_EQ(poll(0), DHCP_EV_NONE);
	CHECK_EQ(c.state, DHCP_SELECTING);
	CHECK(parse_sent(&s));
	CHECK_EQ(s.type, DHCPDISCOVER);
	CHECK(!memcmp(s.dst_mac, inet_bcast_mac, 6));
	CHECK_EQ(s.src, 0);
	CHECK_EQ(s.dst, INET_BCAST);
	CHECK_EQ(inet_get16(s.m + 10), DHCP_FLAG_BROADCAST);
	CHECK_EQ(inet_get32(s.m + 4), c.xid);
	p = dhcp_opt_find(s.m, s.len, DHCP_OPT_HOSTNAME, &l, &bad);
	CHECK(p && l == 9 && !memcmp(p, "thinvisor", 9));
	p = dhcp_opt_find(s.m, s.len, DHCP_OPT_CLIENT_ID, &l, &bad);
	CHECK(p && l == 7 && p[0] == 1 && !memcmp(p + 1, mac, 6));
	p = dhcp_opt_find(s.m, s.len, DHCP_OPT_PARAMS, &l, &bad);
	CHECK(p && memchr(p, DHCP_OPT_ROUTER, l) && memchr(p, DHCP_OPT_DNS, l) &&
	      memchr(p, DHCP_OPT_MASK, l));
	CHECK(!dhcp_opt_find(s.m, s.len, DHCP_OPT_REQ_IP, &l, &bad));

	/* OFFER at 1 s: the REQUEST names the address and the server, same xid. */
	u32 xid = c.xid;
	CHECK_EQ(in(SEC, full_reply(xid, DHCPOFFER, 86400)), DHCP_EV_NONE);
	CHECK_EQ(c.state, DHCP_REQUESTING);
	CHECK(parse_sent(&s));
	CHECK_EQ(s.type, DHCPREQUEST);
	CHECK_EQ(inet_get32(s.m + 4), xid);
	CHECK_EQ(s.dst, INET_BCAST);
	CHECK_EQ(opt32(&s, DHCP_OPT_REQ_IP), yi);
	CHECK_EQ(opt32(&s, DHCP_OPT_SERVER), server);
	CHECK_EQ(inet_get16(s.m + 8), 1); /* secs */

	/* ACK: bound, with everything the server said; lease times count from the REQUEST. */
	CHECK_EQ(in(2 * SEC, full_reply(xid, DHCPACK, 86400)), DHCP_EV_BOUND);
	CHECK_EQ(outlen, 0);
	CHECK_EQ(c.state, DHCP_BOUND);
	CHECK_EQ(c.lease.ip, yi);
	CHECK_EQ(c.lease.mask, 0xffffff00);
	CHECK_EQ(c.lease.router, router);
	CHECK_EQ(c.lease.dns[0], 0x0a000203);
	CHECK_EQ(c.lease.dns[1], 0x08080808);
	CHECK_EQ(c.lease.server, server);
	CHECK_EQ(c.lease.lease_s, 86400);
	CHECK_EQ(c.lease.t1_s, 43200);
	CHECK_EQ(c.lease.t2_s, 75600);
	CHECK_EQ(dhcp_deadline(&c), SEC + 43200 * SEC);
	CHECK_EQ(c.expire_ns, SEC + 86400 * SEC);
	CHECK_STR(dhcp_state_name(c.state), "bound");
	/* Nothing to do before T1; a late duplicate ACK changes nothing. */
	CHECK_EQ(poll(43000 * SEC), DHCP_EV_NONE);
	CHECK_EQ(outlen, 0);
	CHECK_EQ(in(3 * SEC, full_reply(xid, DHCPACK, 86400)), DHCP_EV_NONE);
}

TEST(backoff)
{
	u64 now = 0, prev;
	static const u64 want[] = { 4, 8, 16, 32, 64, 64, 64 };

	dhcp_init(&c, mac, "", 7);
	poll(now);
	u32 xid = c.xid;
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		prev = now;
		now = dhcp_deadline(&c);
		CHECK(now - prev >= (want[i] - 1) * SEC && now - prev <= (want[i] + 1) * SEC);
		CHECK_EQ(poll(now - 1), DHCP_EV_NONE);
		CHECK_EQ(outlen, 0);
		poll(now);
		CHECK(outlen > 0);
	}
	CHECK_EQ(c.xid, xid); /* retransmissions keep the xid */
	CHECK_EQ(c.state, DHCP_SELECTING);

	/* REQUESTING gives up after DHCP_REQUEST_TRIES and discovers anew. */
	struct sent s;
	in(now, full_reply(xid, DHCPOFFER, 600));
	for (unsigned i = 1; i < DHCP_REQUEST_TRIES; i++) {
		poll(dhcp_deadline(&c));
		CHECK(parse_sent(&s) && s.type == DHCPREQUEST);
	}
	poll(dhcp_deadline(&c));
	CHECK(parse_sent(&s) && s.type == DHCPDISCOVER);
	CHECK_EQ(c.state, DHCP_SELECTING);
	CHECK(c.xid != xid);
}

TEST(renew_rebind_expire)
{
	struct sent s;
	u64 t0 = 5 * SEC;

	bind(t0, 1000); /* T1 500 s, T2 875 s */
	u32 xid = c.xid;
	CHECK_EQ(dhcp_deadline(&c), t0 + 500 * SEC);
	/* T1: RENEWING, unicast to the server from our address, MAC left to the caller. */
	poll(t0 + 500 * SEC);
	CHECK_EQ(c.state, DHCP_RENEWING);
	CHECK(parse_sent(&s) && s.type == DHCPREQUEST);
	static const u8 zero[6];
	CHECK(!memcmp(s.dst_mac, zero, 6));
	CHECK_EQ(s.dst, server);
	CHECK_EQ(s.src, yi);
	CHECK_EQ(inet_get32(s.m + 12), yi); /* ciaddr */
	CHECK_EQ(inet_get16(s.m + 10), 0);
	CHECK_EQ(opt32(&s, DHCP_OPT_REQ_IP), 0);
	CHECK_EQ(opt32(&s, DHCP_OPT_SERVER), 0);
	CHECK(c.xid != xid);
	/* No answer: again half the time left to T2, at least 60 s, never past T2. */
	CHECK_EQ(dhcp_deadline(&c), t0 + 687500000000ull);
	poll(dhcp_deadline(&c));
	CHECK(parse_sent(&s) && s.dst == server);
	CHECK_EQ(dhcp_deadline(&c), t0 + 781250000000ull);
	poll(dhcp_deadline(&c));
	CHECK_EQ(dhcp_deadline(&c), t0 + 841250000000ull); /* 93.75 s left: 60 s */
	poll(dhcp_deadline(&c));
	CHECK_EQ(dhcp_deadline(&c), t0 + 875 * SEC);
	CHECK_EQ(c.state, DHCP_RENEWING);
	/* T2: REBINDING broadcasts. */
	poll(t0 + 875 * SEC);
	CHECK_EQ(c.state, DHCP_REBINDING);
	CHECK(parse_sent(&s) && s.type == DHCPREQUEST);
	CHECK(!memcmp(s.dst_mac, inet_bcast_mac, 6));
	CHECK_EQ(s.dst, INET_BCAST);
	CHECK_EQ(s.src, yi);
	CHECK_EQ(dhcp_deadline(&c), t0 + 937500000000ull); /* half of 125 s */
	poll(dhcp_deadline(&c));
	poll(dhcp_deadline(&c));
	CHECK_EQ(dhcp_deadline(&c), t0 + 1000 * SEC);
	/* Expiry: the address is gone, discovery starts at once. */
	CHECK_EQ(poll(t0 + 1000 * SEC), DHCP_EV_EXPIRED);
	CHECK_EQ(c.lease.ip, 0);
	CHECK(parse_sent(&s) && s.type == DHCPDISCOVER && s.src == 0);
	CHECK_EQ(c.state, DHCP_SELECTING);

	/* A renewal answered: RENEWED, times from the renewal's REQUEST. */
	bind(t0, 1000);
	poll(t0 + 500 * SEC);
	CHECK_EQ(in(t0 + 501 * SEC, full_reply(c.xid, DHCPACK, 1000)), DHCP_EV_RENEWED);
	CHECK_EQ(c.state, DHCP_BOUND);
	CHECK_EQ(dhcp_deadline(&c), t0 + 1000 * SEC);
	CHECK_EQ(c.expire_ns, t0 + 1500 * SEC);
	/* Rebinding answered by another server with another address: BOUND. */
	poll(t0 + 1000 * SEC);
	poll(t0 + 1375 * SEC);
	CHECK_EQ(c.state, DHCP_REBINDING);
	u8 *p = reply(c.xid, yi + 1, DHCPACK);
	p = o32(p, DHCP_OPT_SERVER, server + 5);
	p = o32(p, DHCP_OPT_LEASE, 3600);
	p = o32(p, DHCP_OPT_T1, 100);
	p = o32(p, DHCP_OPT_T2, 200);
	*p++ = DHCP_OPT_END;
	CHECK_EQ(in(t0 + 1376 * SEC, (size_t)(p - rep)), DHCP_EV_BOUND);
	CHECK_EQ(c.lease.ip, yi + 1);
	CHECK_EQ(c.lease.server, server + 5);
	CHECK_EQ(c.lease.t1_s, 100);
	CHECK_EQ(c.lease.t2_s, 200);
	CHECK_EQ(c.lease.mask, 0xff000000); /* none given: classful (10/8) */
	CHECK_EQ(dhcp_deadline(&c), t0 + 1475 * SEC);
}

TEST(nak)
{
	dhcp_init(&c, mac, "h", 3);
	poll(0);
	in(0, full_reply(c.xid, DHCPOFFER, 600));
	/* A NAK from another server is ignored; from ours: back to INIT, discover at once. */
	u8 *p = reply(c.xid, 0, DHCPNAK);
	p = o32(p, DHCP_OPT_SERVER, server + 1);
	*p++ = DHCP_OPT_END;
	CHECK_EQ(in(SEC, (size_t)(p - rep)), DHCP_EV_NONE);
	CHECK_EQ(in(SEC, full_reply(c.xid, DHCPNAK, 0)), DHCP_EV_NAK);
	CHECK_EQ(c.state, DHCP_INIT);
	CHECK_EQ(dhcp_deadline(&c), SEC);
	poll(SEC);
	CHECK_EQ(c.state, DHCP_SELECTING);

	/* NAK while renewing: the lease is gone. */
	bind(0, 600);
	poll(300 * SEC);
	CHECK_EQ(c.state, DHCP_RENEWING);
	CHECK_EQ(in(301 * SEC, full_reply(c.xid, DHCPNAK, 0)), DHCP_EV_NAK);
	CHECK_EQ(c.state, DHCP_INIT);
	CHECK_EQ(c.lease.ip, 0);
}

TEST(ignored_replies)
{
	size_t n;
	u32 xid;

	dhcp_init(&c, mac, "thinvisor", 9);
	poll(0);
	xid = c.xid;
	/* Another xid, another client, a request, a bad cookie, short. */
	CHECK_EQ(in(0, full_reply(xid + 1, DHCPOFFER, 600)), DHCP_EV_NONE);
	n = full_reply(xid, DHCPOFFER, 600);
	rep[33] ^= 1;
	CHECK_EQ(in(0, n), DHCP_EV_NONE);
	n = full_reply(xid, DHCPOFFER, 600);
	rep[0] = DHCP_OP_REQUEST;
	CHECK_EQ(in(0, n), DHCP_EV_NONE);
	n = full_reply(xid, DHCPOFFER, 600);
	rep[DHCP_FIXED_LEN] = 0;
	CHECK_EQ(in(0, n), DHCP_EV_NONE);
	full_reply(xid, DHCPOFFER, 600);
	CHECK_EQ(in(0, DHCP_OPT_OFF - 1), DHCP_EV_NONE);
	/* Not an OFFER while selecting; an OFFER without a server id or of 0.0.0.0. */
	CHECK_EQ(in(0, full_reply(xid, DHCPACK, 600)), DHCP_EV_NONE);
	u8 *p = reply(xid, yi, DHCPOFFER);
	*p++ = DHCP_OPT_END;
	CHECK_EQ(in(0, (size_t)(p - rep)), DHCP_EV_NONE);
	p = reply(xid, 0, DHCPOFFER);
	p = o32(p, DHCP_OPT_SERVER, server);
	CHECK_EQ(in(0, (size_t)(p - rep)), DHCP_EV_NONE);
	CHECK_EQ(c.state, DHCP_SELECTING);
	CHECK_EQ(outlen, 0);

	/* Options that overrun the message: refused whole, even with 53 before them. */
	p = reply(xid, yi, DHCPOFFER);
	p = o32(p, DHCP_OPT_SERVER, server);
	*p++ = DHCP_OPT_ROUTER, *p++ = 20, *p++ = 1;
	CHECK_EQ(in(0, (size_t)(p - rep)), DHCP_EV_NONE);
	CHECK_EQ(c.state, DHCP_SELECTING);
	/* A code as the last byte, its length missing. */
	p = reply(xid, yi, DHCPOFFER);
	p = o32(p, DHCP_OPT_SERVER, server);
	*p++ = DHCP_OPT_ROUTER;
	CHECK_EQ(in(0, (size_t)(p - rep)), DHCP_EV_NONE);
	/* Type with a wrong length. */
	p = reply(xid, yi, DHCPOFFER);
	rep[241] = 2;
	CHECK_EQ(in(0, (size_t)(p - rep) + 1), DHCP_EV_NONE);
	/* Pads are skipped and END may be missing at the very end: accepted. */
	p = reply(xid, yi, DHCPOFFER);
	*p++ = DHCP_OPT_PAD, *p++ = DHCP_OPT_PAD;
	p = o32(p, DHCP_OPT_SERVER, server);
	CHECK_EQ(in(0, (size_t)(p - rep)), DHCP_EV_NONE);
	CHECK_EQ(c.state, DHCP_REQUESTING);
	CHECK(outlen > 0);

	/* Requesting: an ACK for another address, or without a lease time, is ignored. */
	p = reply(xid, yi + 1, DHCPACK);
	p = o32(p, DHCP_OPT_SERVER, server);
	p = o32(p, DHCP_OPT_LEASE, 600);
	CHECK_EQ(in(0, (size_t)(p - rep)), DHCP_EV_NONE);
	CHECK_EQ(in(0, full_reply(xid, DHCPACK, 0)), DHCP_EV_NONE);
	CHECK_EQ(c.state, DHCP_REQUESTING);
	/* T1 >= T2 from the server: the defaults; a too-short lease is stretched; bad mask: classful. */
	p = reply(xid, yi, DHCPACK);
	p = o32(p, DHCP_OPT_SERVER, server);
	p = o32(p, DHCP_OPT_LEASE, 2);
	p = o32(p, DHCP_OPT_T1, 9);
	p = o32(p, DHCP_OPT_T2, 5);
	p = o32(p, DHCP_OPT_MASK, 0xff00ff00);
	p = o32(p, DHCP_OPT_ROUTER, 0xc0a80001); /* off-link: dropped */
	*p++ = DHCP_OPT_END;
	CHECK_EQ(in(0, (size_t)(p - rep)), DHCP_EV_BOUND);
	CHECK_EQ(c.lease.lease_s, DHCP_LEASE_MIN_S);
	CHECK_EQ(c.lease.t1_s, DHCP_LEASE_MIN_S / 2);
	CHECK_EQ(c.lease.mask, 0xff000000);
	CHECK_EQ(c.lease.router, 0);
}

TEST(infinite_lease)
{
	bind(0, 0xffffffffu);
	CHECK_EQ(dhcp_deadline(&c), 0);
	CHECK_EQ(poll(~0ull), DHCP_EV_NONE);
	CHECK_EQ(outlen, 0);
	CHECK_EQ(c.state, DHCP_BOUND);
}

TEST(long_hostname)
{
	struct sent s;
	size_t l;
	bool bad;
	char name[100];

	memset(name, 'a', sizeof(name) - 1);
	name[99] = 0;
	dhcp_init(&c, mac, name, 5);
	poll(0);
	CHECK(parse_sent(&s));
	CHECK(dhcp_opt_find(s.m, s.len, DHCP_OPT_HOSTNAME, &l, &bad) && l == 63);
}

/* Truncated and mutated replies on exact-size heap copies: ASan sees any overrun. */
TEST(truncated_and_mutated)
{
	size_t n;
	u32 rng = 3;

	dhcp_init(&c, mac, "thinvisor", 11);
	poll(0);
	n = full_reply(c.xid, DHCPOFFER, 600);
	for (size_t l = 0; l < n; l++) {
		u8 *m = malloc(l ? l : 1);

		memcpy(m, rep, l);
		dhcp_input(&c, 0, m, l, out, &outlen);
		free(m);
		c.state = DHCP_SELECTING;
	}
	for (int i = 0; i < 20000; i++) {
		n = full_reply(c.xid, i & 1 ? DHCPOFFER : DHCPACK, 600);
		for (int k = 0; k < 3; k++) {
			rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
			rep[240 + rng % (n - 240)] = (u8)(rng >> 8);
		}
		u8 *m = malloc(n);
		memcpy(m, rep, n);
		dhcp_input(&c, 0, m, n, out, &outlen);
		free(m);
		c.state = i & 1 ? DHCP_SELECTING : DHCP_REQUESTING;
	}
	CHECK(1);
}

TEST_MAIN({ "full_exchange", full_exchange }, { "backoff", backoff },
	  { "renew_rebind_expire", renew_rebind_expire }, { "nak", nak },
	  { "ignored_replies", ignored_replies }, { "infinite_lease", infinite_lease },
	  { "long_hostname", long_hostname }, { "truncated_and_mutated", truncated_and_mutated })
