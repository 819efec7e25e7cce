// SPDX-License-Identifier: MIT
/*
 * vswitch_host.c: vSwitch0 on the host (tv/vswitch_host.h): the pure
 * switch (net/vswitch.c) behind a lock, its port groups from the settings,
 * the uplink NIC, and VM ports whose frames wait in a frameq for the VM
 * to take them.
 */
#include <tv/arch.h>
#include <tv/bootinfo.h>
#include <tv/errno.h>
#include <tv/frameq.h>
#include <tv/heap.h>
#include <tv/ktimer.h>
#include <tv/log.h>
#include <tv/netdev.h>
#include <tv/printf.h>
#include <tv/spinlock.h>
#include <tv/string.h>
#include <tv/vswitch.h>
#include <tv/vswitch_host.h>

struct vsw_vm_port {
	int port;
	struct frameq *rxq;
	void (*wake)(void *ctx);
	void *ctx;
	u32 pending;            /* a wake was sent and not yet taken */
};

static struct vswitch sw0;
static spinlock_t sw0_lock = SPINLOCK_INIT;
static struct vsw_portgroup groups[VSW_PORTGROUPS];
static unsigned ngroups;

/*
 * The uplink. Its drivers have no interrupts yet, so a timer polls it:
 * every POLL_BUSY_NS while frames flow, backing off to POLL_IDLE_NS after
 * IDLE_POLLS quiet polls, so an idle host stays nearly interrupt-free.
 */
#define POLL_BUSY_NS 1000000ull
#define POLL_IDLE_NS 20000000ull
#define IDLE_POLLS 200
#define POLL_BUDGET 64
static struct netdev *uplink;
static int uplink_port = -1;
static struct ktimer uplink_timer;
static unsigned uplink_quiet;

/* The management port (vmk0): its frames wait in mgmt_rxq for mgmt_service. */
static int mgmt_port = -1;
static struct frameq *mgmt_rxq;
static void (*mgmt_service)(u64 now_ns);

static const char *setting(void *ctx, const char *key)
{
	return bootinfo_setting(ctx, key);
}

static void bad_setting(void *ctx, const char *msg)
{
	pr_warn("settings.cfg: %s: port group left out\n", msg);
}

/* ---- the uplink ---- */

/*
 * The switch sends a frame out (under sw0_lock): a full ring is reclaimed
 * once, then the frame is dropped (the driver counts it in tx_errors).
 */
static void uplink_out(void *ctx, const u8 *frame, size_t len)
{
	struct netdev *nd = ctx;

	if (nd->ops->xmit(nd, frame, len) == -EAGAIN) {
		nd->ops->poll(nd, 0);
		nd->ops->xmit(nd, frame, len);
	}
}

/* A frame from the physical network (inside poll, under sw0_lock). */
static void uplink_in(void *ctx, const u8 *frame, size_t len)
{
	vsw_input(&sw0, uplink_port, frame, len, arch_uptime_ns());
}

static void uplink_poll(struct ktimer *t)
{
	u64 now = arch_uptime_ns();
	unsigned n;

	spin_lock(&sw0_lock); /* interrupts are off in a timer callback */
	n = uplink->ops->poll(uplink, POLL_BUDGET);
	spin_unlock(&sw0_lock);
	if (mgmt_service)
		mgmt_service(now); /* outside the lock: it sends */
	uplink_quiet = n ? 0 : uplink_quiet + 1;
	ktimer_arm(t, now + (uplink_quiet < IDLE_POLLS ? POLL_BUSY_NS : POLL_IDLE_NS));
}

/* settings.cfg's net.uplink: "auto" (the first NIC with link, the default), "none", or a NIC's name. */
static void uplink_init(const struct bootinfo *bi)
{
	const char *want = bootinfo_setting(bi, "net.uplink");
	struct netdev *nd = NULL;

	if (!want)
		want = "auto";
	if (!strcmp(want, "none"))
		return;
	for (unsigned i = 0; i < netdev_count() && !nd; i++) {
		struct netdev *d = netdev_get(i);

		if (!strcmp(want, "auto") ? d->ops->link_up(d) : !strcmp(want, d->name))
			nd = d;
	}
	if (!nd) {
		if (strcmp(want, "auto"))
			pr_warn("settings.cfg: net.uplink \"%s\": no such NIC; vSwitch0 has no uplink\n",
				want);
		else if (netdev_count())
			pr_info("vSwitch0: no NIC has link; no uplink\n");
		return;
	}
	struct vsw_port_cfg c = { .uplink = true, .rx = uplink_out, .ctx = nd };

	uplink_port = vsw_port_add(&sw0, &c);
	if (uplink_port < 0)
		return;
	uplink = nd;
	nd->rx = uplink_in;
	nd->rx_ctx = NULL;
	pr_info("vSwitch0: uplink %s (%02x:%02x:%02x:%02x:%02x:%02x), polled\n", nd->name,
		nd->mac[0], nd->mac[1], nd->mac[2], nd->mac[3], nd->mac[4], nd->mac[5]);
	uplink_timer.fn = uplink_poll;
	ktimer_arm(&uplink_timer, arch_uptime_ns() + POLL_BUSY_NS);
}

void vswitch_host_init(const struct bootinfo *bi)
{
	vsw_init(&sw0);
	ngroups = vsw_portgroups_parse(setting, (void *)bi, groups, bad_setting);
	for (unsigned i = 0; i < ngroups; i++) {
		if (groups[i].vlan == VSW_VLAN_TRUNK)
			pr_info("vSwitch0: port group \"%s\", all VLANs (4095)\n", groups[i].name);
		else
			pr_info("vSwitch0: port group \"%s\", VLAN %u\n", groups[i].name, groups[i].vlan);
	}
	uplink_init(bi);
}

/* ---- VM ports ---- */

/* Called under sw0_lock: queue the frame, wake the VM once per drain. */
static void vm_port_rx(void *ctx, const u8 *frame, size_t len)
{
	struct vsw_vm_port *p = ctx;

	if (frameq_push(p->rxq, frame, len) && !__atomic_exchange_n(&p->pending, 1, __ATOMIC_SEQ_CST))
		p->wake(p->ctx);
}

struct vsw_vm_port *vswitch_attach(const char *pg, const u8 mac[6], struct frameq *rxq,
				   void (*wake)(void *ctx), void *ctx, char *why, size_t whylen)
{
	const struct vsw_portgroup *g = vsw_portgroup_find(groups, ngroups, pg);
	struct vsw_vm_port *p;
	irqflags_t f;

	if (!g) {
		snprintf(why, whylen, "no port group \"%s\" on vSwitch0 (see settings.cfg)", pg);
		return NULL;
	}
	p = kzalloc(sizeof(*p));
	if (!p) {
		snprintf(why, whylen, "out of host memory for a switch port");
		return NULL;
	}
	p->rxq = rxq;
	p->wake = wake;
	p->ctx = ctx;
	struct vsw_port_cfg c = { .vlan = g->vlan, .mac = mac, .rx = vm_port_rx, .ctx = p };

	f = spin_lock_irqsave(&sw0_lock);
	p->port = vsw_port_add(&sw0, &c);
	spin_unlock_irqrestore(&sw0_lock, f);
	if (p->port < 0) {
		snprintf(why, whylen, "%s",
			 p->port == -ENOSPC ? "vSwitch0 has no free port"
					    : "its MAC address is already on vSwitch0");
		kfree(p);
		return NULL;
	}
	return p;
}

void vswitch_detach(struct vsw_vm_port *p)
{
	irqflags_t f;

	if (!p)
		return;
	f = spin_lock_irqsave(&sw0_lock);
	vsw_port_remove(&sw0, p->port);
	spin_unlock_irqrestore(&sw0_lock, f);
	kfree(p);
}

void vswitch_send(struct vsw_vm_port *p, const u8 *frame, size_t len)
{
	irqflags_t f = spin_lock_irqsave(&sw0_lock);

	vsw_input(&sw0, p->port, frame, len, arch_uptime_ns());
	spin_unlock_irqrestore(&sw0_lock, f);
}

bool vswitch_rx_begin(struct vsw_vm_port *p)
{
	return __atomic_exchange_n(&p->pending, 0, __ATOMIC_SEQ_CST);
}

bool vswitch_rx_pending(const struct vsw_vm_port *p)
{
	return __atomic_load_n(&p->pending, __ATOMIC_ACQUIRE);
}

/* ---- the management port ---- */

/* Called under sw0_lock: only queue; mgmt_service takes it after the poll. */
static void mgmt_port_rx(void *ctx, const u8 *frame, size_t len)
{
	frameq_push(mgmt_rxq, frame, len);
}

int vswitch_mgmt_attach(struct frameq *rxq, void (*service)(u64 now_ns), u8 mac[6])
{
	irqflags_t f;

	if (!uplink)
		return -ENODEV;
	if (mgmt_port >= 0)
		return -EBUSY;
	/* As ESXi's vmk0: the uplink NIC's own address, so the physical network knows it. */
	struct vsw_port_cfg c = { .vlan = 0, .mac = uplink->mac, .rx = mgmt_port_rx };

	mgmt_rxq = rxq;
	f = spin_lock_irqsave(&sw0_lock);
	mgmt_port = vsw_port_add(&sw0, &c);
	if (mgmt_port >= 0)
		mgmt_service = service;
	spin_unlock_irqrestore(&sw0_lock, f);
	if (mgmt_port < 0)
		return mgmt_port;
	memcpy(mac, uplink->mac, 6);
	return 0;
}

void vswitch_mgmt_send(const u8 *frame, size_t len)
{
	irqflags_t f = spin_lock_irqsave(&sw0_lock);

	vsw_input(&sw0, mgmt_port, frame, len, arch_uptime_ns());
	spin_unlock_irqrestore(&sw0_lock, f);
}

bool vswitch_uplink_link(void)
{
	irqflags_t f;
	bool up;

	if (!uplink)
		return false;
	f = spin_lock_irqsave(&sw0_lock);
	up = uplink->ops->link_up(uplink);
	spin_unlock_irqrestore(&sw0_lock, f);
	return up;
}
