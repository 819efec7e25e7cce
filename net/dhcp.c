// SPDX-License-Identifier: MIT
/*
 * dhcp.c: vmk0's DHCP client (tv/dhcp.h), RFC 2131 and the options of
 * RFC 2132 that a host needs. Pure: time comes in, frames go out.
 */
#include <tv/dhcp.h>
#include <tv/inet.h>
#include <tv/string.h>

#define NS 1000000000ull
#define RENEW_RETRY_MIN_S 60    /* RFC 2131 4.4.5 */
#define HDRS (INET_ETH_HLEN + INET_IP_HLEN + INET_UDP_HLEN)
#define BOOTP_MIN 300           /* old relays and servers drop shorter messages */

static const u8 params[] = { DHCP_OPT_MASK, DHCP_OPT_ROUTER, DHCP_OPT_DNS, DHCP_OPT_LEASE,
			     DHCP_OPT_SERVER, DHCP_OPT_T1, DHCP_OPT_T2 };

static u32 rnd(struct dhcp_client *c)
{
	u32 x = c->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return c->rng = x;
}

const char *dhcp_state_name(enum dhcp_state s)
{
	static const char *const names[] = {
		[DHCP_INIT] = "discovering", [DHCP_SELECTING] = "discovering",
		[DHCP_REQUESTING] = "requesting", [DHCP_BOUND] = "bound",
		[DHCP_RENEWING] = "renewing", [DHCP_REBINDING] = "rebinding",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

void dhcp_init(struct dhcp_client *c, const u8 mac[6], const char *hostname, u32 seed)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->mac, mac, 6);
	tv_strlcpy(c->hostname, hostname ? hostname : "", sizeof(c->hostname));
	c->rng = seed ? seed : 0x2545f491u;
	c->state = DHCP_INIT;
	c->deadline_ns = 1; /* at once */
}

u64 dhcp_deadline(const struct dhcp_client *c)
{
	return c->deadline_ns;
}

/* ---- building messages ---- */

static u8 *opt(u8 *p, u8 code, const void *data, size_t len)
{
	p[0] = code;
	p[1] = (u8)len;
	memcpy(p + 2, data, len);
	return p + 2 + len;
}

static u8 *opt32(u8 *p, u8 code, u32 v)
{
	u8 b[4];

	inet_put32(b, v);
	return opt(p, code, b, 4);
}

/* The message of type for the current state, as a whole frame in out. */
static size_t build(struct dhcp_client *c, u64 now, u8 type, u8 *out)
{
	u8 *m = out + HDRS, *p;
	bool renewing = c->state == DHCP_RENEWING || c->state == DHCP_REBINDING;
	u32 ciaddr = renewing ? c->lease.ip : 0;
	u64 secs = (now - c->start_ns) / NS;
	u8 cid[7] = { 1 };
	size_t len;
	static const u8 zero_mac[6];

	memset(m, 0, DHCP_OPT_OFF);
	m[0] = DHCP_OP_REQUEST;
	m[1] = 1; /* Ethernet */
	m[2] = 6;
	inet_put32(m + 4, c->xid);
	inet_put16(m + 8, (u16)(secs > 0xffff ? 0xffff : secs));
	/* Without an address we cannot take unicast before the IP layer knows it. */
	inet_put16(m + 10, ciaddr ? 0 : DHCP_FLAG_BROADCAST);
	inet_put32(m + 12, ciaddr);
	memcpy(m + 28, c->mac, 6);
	inet_put32(m + DHCP_FIXED_LEN, DHCP_MAGIC);

	p = opt(m + DHCP_OPT_OFF, DHCP_OPT_TYPE, &type, 1);
	memcpy(cid + 1, c->mac, 6);
	p = opt(p, DHCP_OPT_CLIENT_ID, cid, sizeof(cid));
	if (c->hostname[0])
		p = opt(p, DHCP_OPT_HOSTNAME, c->hostname, strlen(c->hostname));
	if (c->state == DHCP_REQUESTING) {
		p = opt32(p, DHCP_OPT_REQ_IP, c->offer_ip);
		p = opt32(p, DHCP_OPT_SERVER, c->offer_server);
	}
	p = opt(p, DHCP_OPT_PARAMS, params, sizeof(params));
	*p++ = DHCP_OPT_END;
	len = (size_t)(p - m);
	if (len < BOOTP_MIN) {
		memset(p, 0, BOOTP_MIN - len);
		len = BOOTP_MIN;
	}
	if (c->state == DHCP_RENEWING)
		return inet_udp_build(out, DHCP_FRAME_MAX, zero_mac, c->mac, c->lease.server, ciaddr,
				      DHCP_SERVER_PORT, DHCP_CLIENT_PORT, m, len, c->ip_id++);
	return inet_udp_build(out, DHCP_FRAME_MAX, inet_bcast_mac, c->mac, INET_BCAST, ciaddr,
			      DHCP_SERVER_PORT, DHCP_CLIENT_PORT, m, len, c->ip_id++);
}

/* ---- timers ---- */

/* The next try of a DISCOVER or REQUEST: the backoff, +-1 s, then double it. */
static u64 backoff(struct dhcp_client *c, u64 now)
{
	u64 d = c->backoff_s * NS - NS + rnd(c) % (2 * NS);

	if (c->backoff_s < DHCP_RETRY_MAX_S)
		c->backoff_s *= 2;
	return now + d;
}

/* RENEWING and REBINDING: half the time left to limit, at least 60 s, but not past it. */
static u64 half_way(u64 now, u64 limit)
{
	u64 d = (limit - now) / 2;

	if (d < RENEW_RETRY_MIN_S * NS)
		d = RENEW_RETRY_MIN_S * NS;
	return now + d < limit ? now + d : limit;
}

static void new_exchange(struct dhcp_client *c, enum dhcp_state s, u64 now)
{
	c->state = s;
	c->xid = rnd(c);
	c->start_ns = now;
	c->backoff_s = DHCP_RETRY_MIN_S;
	c->tries = 0;
}

static size_t discover(struct dhcp_client *c, u64 now, u8 *out)
{
	new_exchange(c, DHCP_SELECTING, now);
	c->deadline_ns = backoff(c, now);
	return build(c, now, DHCPDISCOVER, out);
}

static size_t request(struct dhcp_client *c, u64 now, u8 *out)
{
	c->req_ns = now;
	if (c->state == DHCP_REQUESTING)
		c->deadline_ns = backoff(c, now);
	else if (c->state == DHCP_RENEWING)
		c->deadline_ns = half_way(now, c->t2_ns);
	else
		c->deadline_ns = half_way(now, c->expire_ns);
	return build(c, now, DHCPREQUEST, out);
}

static enum dhcp_event lose(struct dhcp_client *c, enum dhcp_event ev, u64 now)
{
	memset(&c->lease, 0, sizeof(c->lease));
	c->state = DHCP_INIT;
	c->deadline_ns = now ? now : 1;
	return ev;
}

enum dhcp_event dhcp_poll(struct dhcp_client *c, u64 now, u8 *out, size_t *len)
{
	enum dhcp_event ev = DHCP_EV_NONE;

	*len = 0;
	if (c->state != DHCP_INIT && (!c->deadline_ns || now < c->deadline_ns))
		return DHCP_EV_NONE;
	switch (c->state) {
	case DHCP_INIT:
		*len = discover(c, now, out);
		break;
	case DHCP_SELECTING:
		c->deadline_ns = backoff(c, now);
		*len = build(c, now, DHCPDISCOVER, out);
		break;
	case DHCP_REQUESTING:
		if (++c->tries >= DHCP_REQUEST_TRIES) {
			*len = discover(c, now, out); /* the offer went stale */
			break;
		}
		*len = request(c, now, out);
		break;
	case DHCP_BOUND:
	case DHCP_RENEWING:
	case DHCP_REBINDING:
		if (c->expire_ns && now >= c->expire_ns) {
			ev = lose(c, DHCP_EV_EXPIRED, now);
			*len = discover(c, now, out);
		} else if (c->state != DHCP_REBINDING && c->t2_ns && now >= c->t2_ns) {
			new_exchange(c, DHCP_REBINDING, now);
			*len = request(c, now, out);
		} else if (c->state == DHCP_BOUND) {
			new_exchange(c, DHCP_RENEWING, now);
			*len = request(c, now, out);
		} else {
			*len = request(c, now, out);
		}
		break;
	}
	return ev;
}

/* ---- receiving ---- */

const u8 *dhcp_opt_find(const u8 *msg, size_t len, u8 code, size_t *olen, bool *bad)
{
	const u8 *found = NULL;
	size_t i = DHCP_OPT_OFF;

	*bad = false;
	while (i < len) {
		u8 c = msg[i];

		if (c == DHCP_OPT_END)
			break;
		if (c == DHCP_OPT_PAD) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + msg[i + 1] > len) {
			*bad = true;
			return NULL;
		}
		if (c == code && !found) {
			found = msg + i + 2;
			*olen = msg[i + 1];
		}
		i += 2 + msg[i + 1];
	}
	return found;
}

/* A 4-byte-multiple address option's first address, or 0. */
static u32 opt_ip(const u8 *msg, size_t len, u8 code)
{
	size_t l;
	bool bad;
	const u8 *p = dhcp_opt_find(msg, len, code, &l, &bad);

	return p && l >= 4 && l % 4 == 0 ? inet_get32(p) : 0;
}

static bool opt_u32(const u8 *msg, size_t len, u8 code, u32 *v)
{
	size_t l;
	bool bad;
	const u8 *p = dhcp_opt_find(msg, len, code, &l, &bad);

	if (!p || l != 4)
		return false;
	*v = inet_get32(p);
	return true;
}

static bool mask_ok(u32 m)
{
	return m && (~m & (~m + 1)) == 0 && m != 0xffffffffu; /* ones, then zeros */
}

static u32 classful(u32 ip)
{
	return ip >> 31 == 0 ? 0xff000000u : ip >> 30 == 2 ? 0xffff0000u : 0xffffff00u;
}

/* Take the lease of an ACK; false if it lacks what a lease needs. */
static bool take_lease(struct dhcp_client *c, const u8 *m, size_t len)
{
	struct dhcp_lease l = { .ip = inet_get32(m + 16) };
	u32 t1 = 0, t2 = 0;
	size_t dl;
	bool bad;
	const u8 *dns = dhcp_opt_find(m, len, DHCP_OPT_DNS, &dl, &bad);

	if (!inet_ip_is_host(l.ip) || !opt_u32(m, len, DHCP_OPT_LEASE, &l.lease_s))
		return false;
	l.server = opt_ip(m, len, DHCP_OPT_SERVER);
	if (!l.server)
		l.server = c->lease.server; /* a renewal's ACK may leave it out */
	l.mask = opt_ip(m, len, DHCP_OPT_MASK);
	if (!mask_ok(l.mask))
		l.mask = classful(l.ip);
	l.router = opt_ip(m, len, DHCP_OPT_ROUTER);
	if (l.router && ((l.router ^ l.ip) & l.mask || !inet_ip_is_host(l.router)))
		l.router = 0; /* off-link: unusable */
	for (size_t i = 0; dns && dl % 4 == 0 && i < dl / 4 && i < 2; i++)
		l.dns[i] = inet_get32(dns + 4 * i);
	if (l.lease_s < DHCP_LEASE_MIN_S)
		l.lease_s = DHCP_LEASE_MIN_S;
	if (l.lease_s != 0xffffffffu) {
		opt_u32(m, len, DHCP_OPT_T1, &t1);
		opt_u32(m, len, DHCP_OPT_T2, &t2);
		if (!(t1 && t1 < t2 && t2 < l.lease_s)) {
			t1 = l.lease_s / 2;
			t2 = (u32)((u64)l.lease_s * 7 / 8);
		}
		l.t1_s = t1;
		l.t2_s = t2;
		c->t1_ns = c->req_ns + t1 * NS;
		c->t2_ns = c->req_ns + t2 * NS;
		c->expire_ns = c->req_ns + l.lease_s * NS;
	} else {
		c->t1_ns = c->t2_ns = c->expire_ns = 0;
	}
	c->lease = l;
	return true;
}

enum dhcp_event dhcp_input(struct dhcp_client *c, u64 now, const u8 *m, size_t len, u8 *out,
			   size_t *outlen)
{
	size_t tl;
	bool bad;
	const u8 *t;
	u32 server, old_ip = c->lease.ip;
	enum dhcp_state was = c->state;

	*outlen = 0;
	if (len < DHCP_OPT_OFF || m[0] != DHCP_OP_REPLY || m[1] != 1 || m[2] != 6 ||
	    inet_get32(m + 4) != c->xid || memcmp(m + 28, c->mac, 6) ||
	    inet_get32(m + DHCP_FIXED_LEN) != DHCP_MAGIC)
		return DHCP_EV_NONE;
	t = dhcp_opt_find(m, len, DHCP_OPT_TYPE, &tl, &bad);
	if (!t || tl != 1)
		return DHCP_EV_NONE;
	server = opt_ip(m, len, DHCP_OPT_SERVER);

	switch (c->state) {
	case DHCP_SELECTING:
		if (*t != DHCPOFFER || !server || !inet_ip_is_host(inet_get32(m + 16)))
			return DHCP_EV_NONE;
		c->offer_ip = inet_get32(m + 16);
		c->offer_server = server;
		c->state = DHCP_REQUESTING; /* the same xid, a fresh backoff */
		c->backoff_s = DHCP_RETRY_MIN_S;
		c->tries = 0;
		*outlen = request(c, now, out);
		return DHCP_EV_NONE;
	case DHCP_REQUESTING:
		if (server != c->offer_server)
			return DHCP_EV_NONE;
		if (*t == DHCPNAK)
			return lose(c, DHCP_EV_NAK, now);
		if (*t != DHCPACK || inet_get32(m + 16) != c->offer_ip || !take_lease(c, m, len))
			return DHCP_EV_NONE;
		break;
	case DHCP_RENEWING:
	case DHCP_REBINDING:
		if (c->state == DHCP_RENEWING && server && server != c->lease.server)
			return DHCP_EV_NONE;
		if (*t == DHCPNAK)
			return lose(c, DHCP_EV_NAK, now);
		if (*t != DHCPACK || !take_lease(c, m, len))
			return DHCP_EV_NONE;
		break;
	default:
		return DHCP_EV_NONE;
	}
	c->state = DHCP_BOUND;
	c->deadline_ns = c->t1_ns;
	return was != DHCP_REQUESTING && c->lease.ip == old_ip ? DHCP_EV_RENEWED : DHCP_EV_BOUND;
}
