// SPDX-License-Identifier: MIT
/* netdev.c: the registry of host network devices (tv/netdev.h) and their probe. */
#include <tv/errno.h>
#include <tv/log.h>
#include <tv/netdev.h>

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
