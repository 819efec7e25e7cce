// SPDX-License-Identifier: MIT
/*
 * mgmt.c: vmk0, the host's management interface (tv/mgmt.h): a port on
 * vSwitch0 with the uplink's MAC that answers ARP and ping and keeps an
 * address, static or from DHCP. The protocols are pure code (net/inet.c,
 * net/dhcp.c); this is their state, their lock and their clock.
 *
 * Context: the switch queues our frames (rxq) under its lock; service()
 * runs after each uplink poll, in that timer's callback with interrupts
 * off, and does all receiving, timers and sending. The console calls
 * mgmt_apply/mgmt_get_status, so the state lock is taken irqsave there.
 * Lock order: our lock, then the switch's (vswitch_mgmt_send).
 */
#include <tv/arch.h>
#include <tv/dhcp.h>
#include <tv/errno.h>
#include <tv/frameq.h>
#include <tv/hostcfg.h>
#include <tv/inet.h>
#include <tv/log.h>
#include <tv/mgmt.h>
#include <tv/printf.h>
#include <tv/spinlock.h>
#include <tv/string.h>
#include <tv/vswitch_host.h>

#define NS 1000000000ull
#define ARP_RETRY_NS NS
#define ARP_TRIES 3
#define LINK_CHECK_NS NS
#define IPF(a) (a) >> 24, ((a) >> 16) & 255, ((a) >> 8) & 255, (a) & 255

static spinlock_t lock = SPINLOCK_INIT;
static struct frameq rxq;
static u8 txbuf[INET_FRAME_MAX];

static struct {
	struct hostcfg cfg;
	bool present, link, bound, garp;
	u8 mac[6];
	u32 ip, mask, gw, dns[2];
	struct dhcp_client dhcp;
	struct inet_arp_cache arp;
	/* One frame waiting for its next hop's MAC (a DHCP renewal). */
	u8 held[DHCP_FRAME_MAX];
	size_t held_len;
	u32 held_nh;
	u64 arp_next_ns;
	unsigned arp_tries;
	u64 link_ns;
	u16 ip_id;
	u64 rx_frames, tx_frames, echo_replies;
	char msg[160];          /* a line to log once the lock is dropped */
} m;

static void xmit(const u8 *f, size_t len)
{
	m.tx_frames++;
	vswitch_mgmt_send(f, len);
}

static void arp_send(u16 op, const u8 *dst_mac, const u8 *tha, u32 tpa)
{
	struct inet_arp a = { .op = op, .spa = m.ip, .tpa = tpa };

	memcpy(a.sha, m.mac, 6);
	memcpy(a.tha, tha, 6);
	xmit(txbuf, inet_arp_build(txbuf, dst_mac, m.mac, &a));
}

/* Drop the address (apply, NAK, expiry). */
static void unconfigure(void)
{
	m.bound = false;
	m.ip = m.mask = m.gw = m.dns[0] = m.dns[1] = 0;
	m.held_len = 0;
	inet_arp_cache_clear(&m.arp);
}

/* ---- IP output: a unicast frame whose destination MAC is still zero ---- */

static void ip_output(u8 *f, size_t len)
{
	u32 dst = inet_get32(f + INET_ETH_HLEN + 16);
	u32 nh = ((dst ^ m.ip) & m.mask) ? m.gw : dst;
	const u8 *mac;

	if (!nh || !m.bound || len > sizeof(m.held))
		return; /* off-link without a gateway */
	mac = inet_arp_cache_lookup(&m.arp, nh, arch_uptime_ns());
	if (mac) {
		memcpy(f, mac, 6);
		xmit(f, len);
		return;
	}
	/* Hold it (a newer one replaces it) and ask. */
	memcpy(m.held, f, len);
	m.held_len = len;
	m.held_nh = nh;
	m.arp_tries = 1;
	m.arp_next_ns = arch_uptime_ns() + ARP_RETRY_NS;
	arp_send(INET_ARP_REQUEST, inet_bcast_mac, (const u8[6]){ 0 }, nh);
}

static void arp_timer(u64 now)
{
	if (!m.held_len || now < m.arp_next_ns)
		return;
	if (m.arp_tries++ >= ARP_TRIES) {
		m.held_len = 0; /* unreachable: the DHCP client retries on its own */
		return;
	}
	m.arp_next_ns = now + ARP_RETRY_NS;
	arp_send(INET_ARP_REQUEST, inet_bcast_mac, (const u8[6]){ 0 }, m.held_nh);
}

/* ---- DHCP ---- */

static void dhcp_event(enum dhcp_event ev)
{
	const struct dhcp_lease *l = &m.dhcp.lease;

	switch (ev) {
	case DHCP_EV_NONE:
		return;
	case DHCP_EV_BOUND:
	case DHCP_EV_RENEWED:
		m.ip = l->ip;
		m.mask = l->mask;
		m.gw = l->router;
		m.dns[0] = m.cfg.dns[0] ? m.cfg.dns[0] : l->dns[0];
		m.dns[1] = m.cfg.dns[0] ? m.cfg.dns[1] : l->dns[1];
		m.bound = true;
		if (ev == DHCP_EV_RENEWED) {
			snprintf(m.msg, sizeof(m.msg), "vmk0: DHCP: renewed %u.%u.%u.%u, lease %u s\n",
				 IPF(l->ip), l->lease_s);
			return;
		}
		m.garp = true;
		snprintf(m.msg, sizeof(m.msg),
			 "vmk0: DHCP: bound %u.%u.%u.%u/%u gw %u.%u.%u.%u dns %u.%u.%u.%u lease %u s from %u.%u.%u.%u\n",
			 IPF(m.ip), hostcfg_prefix_len(m.mask), IPF(m.gw), IPF(m.dns[0]), l->lease_s,
			 IPF(l->server));
		return;
	case DHCP_EV_NAK:
	case DHCP_EV_EXPIRED:
		snprintf(m.msg, sizeof(m.msg), "vmk0: DHCP: %s %u.%u.%u.%u; discovering again\n",
			 ev == DHCP_EV_NAK ? "refused (NAK)" : "lease expired on", IPF(m.ip));
		unconfigure();
		return;
	}
}

static void dhcp_send(u8 *f, size_t len)
{
	static const u8 zero[6];

	if (!len)
		return;
	if (memcmp(f, zero, 6))
		xmit(f, len);
	else
		ip_output(f, len); /* a renewal, unicast to the server */
}

/* ---- input ---- */

static void arp_input(const struct inet_eth *e, u64 now)
{
	struct inet_arp a;

	if (inet_arp_parse(e->payload, e->len, &a) || !m.bound || !inet_ip_is_host(a.spa))
		return;
	/* RFC 826: refresh who we know; learn who asks us. */
	inet_arp_cache_update(&m.arp, a.spa, a.sha, now, a.tpa == m.ip);
	if (a.op == INET_ARP_REQUEST && a.tpa == m.ip && a.spa != m.ip)
		arp_send(INET_ARP_REPLY, a.sha, a.sha, a.spa);
	if (m.held_len && a.spa == m.held_nh) {
		const u8 *mac = inet_arp_cache_lookup(&m.arp, a.spa, now);

		if (mac) {
			memcpy(m.held, mac, 6);
			xmit(m.held, m.held_len);
			m.held_len = 0;
		}
	}
}

static void ip_input(const struct inet_eth *e, u64 now)
{
	struct inet_ip ip;
	struct inet_icmp ic;
	struct inet_udp u;
	bool to_us;
	size_t len;

	if (inet_ip_parse(e->payload, e->len, &ip))
		return;
	to_us = m.bound && ip.dst == m.ip;
	if (ip.proto == INET_PROTO_ICMP && to_us && !inet_icmp_parse(ip.payload, ip.len, &ic) &&
	    ic.type == INET_ICMP_ECHO_REQUEST && ic.code == 0 && inet_ip_is_host(ip.src)) {
		/* Straight back to the sender's MAC: no ARP needed for an answer. */
		len = inet_echo_reply_build(txbuf, sizeof(txbuf), e->src, m.mac, ip.src, m.ip, &ic,
					    m.ip_id++);
		if (len) {
			xmit(txbuf, len);
			m.echo_replies++;
		}
		return;
	}
	/* DHCP replies may come to the address offered, or broadcast. */
	if (ip.proto == INET_PROTO_UDP && m.cfg.dhcp && !inet_udp_parse(&ip, &u) &&
	    u.dport == DHCP_CLIENT_PORT && u.sport == DHCP_SERVER_PORT) {
		enum dhcp_event ev = dhcp_input(&m.dhcp, now, u.data, u.len, txbuf, &len);

		dhcp_event(ev);
		dhcp_send(txbuf, len);
	}
}

static void input(const u8 *f, size_t len, u64 now)
{
	struct inet_eth e;

	m.rx_frames++;
	if (inet_eth_parse(f, len, &e))
		return;
	if (memcmp(e.dst, m.mac, 6) && memcmp(e.dst, inet_bcast_mac, 6))
		return; /* flooded unicast for others, multicast */
	if (e.type == INET_ETH_P_ARP)
		arp_input(&e, now);
	else if (e.type == INET_ETH_P_IP)
		ip_input(&e, now);
}

/* ---- the service, after each uplink poll (interrupts off) ---- */

static void service(u64 now)
{
	const u8 *f;
	size_t len;
	char msg[sizeof(m.msg)];

	spin_lock(&lock);
	if (now - m.link_ns >= LINK_CHECK_NS) {
		m.link_ns = now;
		m.link = vswitch_uplink_link();
	}
	while ((f = frameq_peek(&rxq, &len))) {
		input(f, len, now);
		frameq_pop(&rxq);
	}
	if (m.cfg.dhcp) {
		enum dhcp_event ev = dhcp_poll(&m.dhcp, now, txbuf, &len);

		dhcp_event(ev);
		dhcp_send(txbuf, len);
	}
	if (m.garp && m.bound) {
		/* Gratuitous: tell the segment (and its switches) where we are. */
		arp_send(INET_ARP_REQUEST, inet_bcast_mac, (const u8[6]){ 0 }, m.ip);
		m.garp = false;
	}
	arp_timer(now);
	msg[0] = 0;
	if (m.msg[0]) {
		memcpy(msg, m.msg, sizeof(msg));
		m.msg[0] = 0;
	}
	spin_unlock(&lock);
	if (msg[0])
		pr_info("%s", msg); /* not under our lock: the serial console is slow */
}

/* ---- the interface ---- */

void mgmt_init(const struct hostcfg *c)
{
	u8 mac[6];
	int r = vswitch_mgmt_attach(&rxq, service, mac);

	if (r) {
		pr_info("vmk0: %s; no management network\n",
			r == -ENODEV ? "vSwitch0 has no uplink" : "cannot attach to vSwitch0");
		mgmt_apply(c);
		return;
	}
	irqflags_t fl = spin_lock_irqsave(&lock);

	memcpy(m.mac, mac, 6);
	m.present = true;
	m.link = vswitch_uplink_link();
	spin_unlock_irqrestore(&lock, fl);
	pr_info("vmk0: on vSwitch0 as %02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1], mac[2],
		mac[3], mac[4], mac[5]);
	mgmt_apply(c);
}

void mgmt_apply(const struct hostcfg *c)
{
	char msg[sizeof(m.msg)] = "";
	irqflags_t f = spin_lock_irqsave(&lock);

	m.cfg = *c;
	unconfigure();
	if (m.present && c->dhcp) {
		dhcp_init(&m.dhcp, m.mac, c->hostname,
			  (u32)arch_uptime_ns() ^ inet_get32(m.mac + 2) ^ m.ip_id);
		snprintf(msg, sizeof(msg), "vmk0: DHCP: discovering as \"%s\"\n", c->hostname);
	} else if (m.present && inet_ip_is_host(c->ip)) {
		m.ip = c->ip;
		m.mask = c->mask;
		m.gw = c->gw;
		m.dns[0] = c->dns[0];
		m.dns[1] = c->dns[1];
		m.bound = true;
		m.garp = true;
		if (m.gw)
			snprintf(msg, sizeof(msg), "vmk0: static %u.%u.%u.%u/%u gw %u.%u.%u.%u\n",
				 IPF(m.ip), hostcfg_prefix_len(m.mask), IPF(m.gw));
		else
			snprintf(msg, sizeof(msg), "vmk0: static %u.%u.%u.%u/%u, no gateway\n",
				 IPF(m.ip), hostcfg_prefix_len(m.mask));
	}
	spin_unlock_irqrestore(&lock, f);
	if (msg[0])
		pr_info("%s", msg);
}

void mgmt_get_status(struct mgmt_status *st)
{
	u64 now = arch_uptime_ns();
	irqflags_t f = spin_lock_irqsave(&lock);

	memset(st, 0, sizeof(*st));
	st->present = m.present;
	st->link = m.link;
	st->dhcp = m.cfg.dhcp;
	st->bound = m.bound;
	memcpy(st->mac, m.mac, 6);
	st->ip = m.ip;
	st->mask = m.mask;
	st->gw = m.gw;
	st->dns[0] = m.dns[0];
	st->dns[1] = m.dns[1];
	if (!m.present)
		tv_strlcpy(st->state, "no uplink", sizeof(st->state));
	else if (m.cfg.dhcp)
		snprintf(st->state, sizeof(st->state), "DHCP: %s", dhcp_state_name(m.dhcp.state));
	else
		tv_strlcpy(st->state, m.bound ? "static" : "static: no address", sizeof(st->state));
	if (m.cfg.dhcp && m.bound) {
		st->dhcp_server = m.dhcp.lease.server;
		st->lease_left_s = !m.dhcp.expire_ns ? ~0ull
				 : m.dhcp.expire_ns > now ? (m.dhcp.expire_ns - now) / NS : 0;
	}
	st->rx_frames = m.rx_frames;
	st->tx_frames = m.tx_frames;
	st->echo_replies = m.echo_replies;
	spin_unlock_irqrestore(&lock, f);
}
