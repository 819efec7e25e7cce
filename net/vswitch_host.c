// SPDX-License-Identifier: MIT
/*
 * vswitch_host.c: vSwitch0 on the host (tv/vswitch_host.h): the pure
 * switch (net/vswitch.c) behind a lock, its port groups from the settings,
 * and VM ports whose frames wait in a frameq for the VM to take them.
 */
#include <tv/arch.h>
#include <tv/bootinfo.h>
#include <tv/errno.h>
#include <tv/frameq.h>
#include <tv/heap.h>
#include <tv/log.h>
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

static const char *setting(void *ctx, const char *key)
{
	return bootinfo_setting(ctx, key);
}

static void bad_setting(void *ctx, const char *msg)
{
	pr_warn("settings.cfg: %s: port group left out\n", msg);
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
}

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
