// SPDX-License-Identifier: MIT
/*
 * nettest.c: test.net, the host NIC self-test (tests/qemu/nic.sh). Every NIC
 * with link ARPs for QEMU's user-network gateway and sends a DHCP DISCOVER,
 * which proves transmit and receive end to end through QEMU's slirp.
 */
#include <tv/arch.h>
#include <tv/errno.h>
#include <tv/log.h>
#include <tv/netdev.h>
#include <tv/netprobe.h>
#include <tv/printf.h>
#include <tv/string.h>

#define GW_IP 0x0a000202u        /* 10.0.2.2: slirp's gateway */
#define MY_IP 0x0a00020fu        /* 10.0.2.15: the address slirp hands out first */
#define WAIT_NS 2000000000ull
#define RESEND_NS 500000000ull
#define LINK_NS 3000000000ull

struct probe {
	const u8 *mac;
	u32 xid;
	bool arp, offer;
	u8 peer[6];
	u32 yiaddr, server;
	unsigned frames;
};

static void probe_rx(void *ctx, const u8 *f, size_t len)
{
	struct probe *p = ctx;

	p->frames++;
	if (!p->arp && netprobe_arp_reply(f, len, GW_IP, p->mac, MY_IP, p->peer))
		p->arp = true;
	if (!p->offer && netprobe_dhcp_offer(f, len, p->mac, p->xid, &p->yiaddr, &p->server))
		p->offer = true;
}

/* Send frame every RESEND_NS until *done or WAIT_NS pass. 0, -ETIMEDOUT or the xmit error. */
static int exchange(struct netdev *d, const u8 *frame, size_t len, const bool *done)
{
	u64 start = arch_uptime_ns(), last = 0, now;

	while ((now = arch_uptime_ns()) - start < WAIT_NS) {
		if (!last || now - last >= RESEND_NS) {
			int r = d->ops->xmit(d, frame, len);

			if (r && r != -EAGAIN)
				return r;
			last = now;
		}
		d->ops->poll(d, 32);
		if (READ_ONCE(*done))
			return 0;
		arch_pause();
	}
	return -ETIMEDOUT;
}

static bool wait_link(struct netdev *d)
{
	u64 end = arch_uptime_ns() + LINK_NS;

	while (!d->ops->link_up(d))
		if (arch_uptime_ns() > end)
			return false;
	return true;
}

static void ip_str(char *s, u32 ip)
{
	snprintf(s, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

/* 0 if both the ARP reply and the DHCP offer came. */
static int probe_one(struct netdev *d)
{
	struct probe p = { .mac = d->mac, .xid = 0x74760000u ^ d->mac[5] ^ (u32)d->mac[4] << 8 };
	u8 frame[NETPROBE_DHCP_LEN];
	char a[16], b[16];
	const u8 *m = p.peer;
	size_t n;
	int r, bad = 0;

	d->rx = probe_rx;
	d->rx_ctx = &p;
	n = netprobe_arp_request(frame, d->mac, MY_IP, GW_IP);
	r = exchange(d, frame, n, &p.arp);
	if (r) {
		pr_err("test.net: %s: FAIL: no ARP reply from 10.0.2.2 (%s; %u frames received)\n",
		       d->name, tv_strerror(r), p.frames);
		bad = r;
	} else {
		pr_info("test.net: %s: ARP reply from 10.0.2.2 is-at %02x:%02x:%02x:%02x:%02x:%02x\n",
			d->name, m[0], m[1], m[2], m[3], m[4], m[5]);
	}
	n = netprobe_dhcp_discover(frame, d->mac, p.xid);
	r = exchange(d, frame, n, &p.offer);
	if (r) {
		pr_err("test.net: %s: FAIL: no DHCP OFFER (%s; %u frames received)\n", d->name,
		       tv_strerror(r), p.frames);
		bad = r;
	} else {
		ip_str(a, p.yiaddr);
		ip_str(b, p.server);
		pr_info("test.net: %s: DHCP OFFER of %s from %s\n", d->name, a, b);
	}
	d->rx = NULL;
	d->rx_ctx = NULL;
	pr_info("test.net: %s: %llu frames sent, %llu received, %llu dropped\n", d->name,
		(unsigned long long)d->tx_packets, (unsigned long long)d->rx_packets,
		(unsigned long long)d->rx_drops);
	return bad ? -EIO : 0;
}

void netprobe_selftest(void)
{
	unsigned ok = 0, tried = 0;

	for (unsigned i = 0; i < netdev_count(); i++) {
		struct netdev *d = netdev_get(i);

		if (!wait_link(d)) {
			pr_warn("test.net: %s: no link after 3 s; skipped\n", d->name);
			continue;
		}
		tried++;
		ok += probe_one(d) == 0;
	}
	if (!tried)
		pr_warn("test.net: no NIC with link\n");
	else if (ok == tried)
		pr_info("test.net: PASS: %u of %u NICs\n", ok, tried);
	else
		pr_err("test.net: FAIL: %u of %u NICs\n", tried - ok, tried);
}

struct loop {
	const u8 *want;
	size_t len;
	unsigned seen, other;
};

static void loop_rx(void *ctx, const u8 *f, size_t len)
{
	struct loop *l = ctx;

	if (len == l->len && !memcmp(f, l->want, len))
		l->seen++;
	else
		l->other++;
}

/* Send one frame from a and wait up to 1 s for b to receive it byte for byte. */
static int loop_one(struct netdev *a, struct netdev *b, const u8 *frame, size_t len, const char *what)
{
	struct loop l = { .want = frame, .len = len };
	u64 end;
	int r;

	b->rx = loop_rx;
	b->rx_ctx = &l;
	while (b->ops->poll(b, 64))
		;   /* what was still queued is not part of this test */
	l.other = 0;
	r = a->ops->xmit(a, frame, len);
	for (end = arch_uptime_ns() + WAIT_NS / 2; !r && !l.seen && arch_uptime_ns() < end;) {
		a->ops->poll(a, 8);
		b->ops->poll(b, 8);
	}
	b->rx = NULL;
	b->rx_ctx = NULL;
	if (!r && l.seen) {
		pr_info("test.net: loop %s -> %s: %s: intact\n", a->name, b->name, what);
		return 0;
	}
	pr_err("test.net: loop %s -> %s: %s: FAIL (%s, %u other frames)\n", a->name, b->name, what,
	       r ? tv_strerror(r) : "not received", l.other);
	return -EIO;
}

void netprobe_looptest(void)
{
	static const u8 vm_a[6] = { 0x02, 0, 0, 0, 0, 0xaa }, vm_b[6] = { 0x02, 0, 0, 0, 0, 0xbb };
	static const u8 mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	static u8 frame[NETDEV_FRAME_MAX];
	struct netdev *d[2] = { netdev_get(0), netdev_get(1) };
	int bad = 0;

	if (!d[1] || !wait_link(d[0]) || !wait_link(d[1])) {
		pr_err("test.net: loop: FAIL: needs two NICs with link\n");
		return;
	}
	for (int i = 0; i < 2; i++) {
		struct netdev *a = d[i], *b = d[1 - i];

		/* MACs of neither NIC, as VMs behind the switch have: the NICs must be promiscuous. */
		netprobe_pattern(frame, NETDEV_FRAME_MAX, i ? vm_a : vm_b, i ? vm_b : vm_a, 42, (u8)i);
		bad |= loop_one(a, b, frame, NETDEV_FRAME_MAX, "1518-byte frame tagged VLAN 42 to another MAC");
		netprobe_pattern(frame, 60, mcast, i ? vm_b : vm_a, 0, (u8)(i + 2));
		bad |= loop_one(a, b, frame, 60, "60-byte multicast frame");
	}
	if (bad)
		pr_err("test.net: loop: FAIL\n");
	else
		pr_info("test.net: loop: PASS\n");
}
