// SPDX-License-Identifier: MIT
/* netdev.c: the registry of host network devices (tv/netdev.h) and their probe. */
#include <tv/e1000e.h>
#include <tv/errno.h>
#include <tv/log.h>
#include <tv/netdev.h>
#include <tv/virtio_pci.h>

static struct netdev *devs[NETDEV_MAX];
static unsigned ndevs;

int netdev_register(struct netdev *d)
{
	if (ndevs == NETDEV_MAX) {
		pr_warn("netdev: more than %u NICs; %s not used\n", NETDEV_MAX, d->name);
		return -ENOSPC;
	}
	devs[ndevs++] = d;
	return 0;
}

unsigned netdev_count(void)
{
	return ndevs;
}

struct netdev *netdev_get(unsigned i)
{
	return i < ndevs ? devs[i] : NULL;
}

unsigned netdev_init(void)
{
	e1000e_init();
	virtio_net_pci_init();
	for (unsigned i = 0; i < ndevs; i++) {
		const u8 *m = devs[i]->mac;

		pr_info("net: %s: MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s\n", devs[i]->name, m[0], m[1],
			m[2], m[3], m[4], m[5], devs[i]->ops->link_up(devs[i]) ? "up" : "down");
	}
	if (!ndevs)
		pr_info("net: no supported NIC\n");
	return ndevs;
}
