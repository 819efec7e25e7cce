// SPDX-License-Identifier: MIT
/*
 * virtio_net_pci.c: host driver for virtio-net over modern virtio-pci
 * (1af4:1041, and transitional 1af4:1000 through its modern capabilities
 * only). One RX and one TX queue, polled, one 2 KiB buffer per descriptor;
 * no offloads. A device that reports DEVICE_NEEDS_RESET or returns bogus
 * used entries is marked failed and returns -EIO from then on.
 */
#include <arch/mm.h>
#include <tv/arch.h>
#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/log.h>
#include <tv/netdev.h>
#include <tv/pci.h>
#include <tv/pmm.h>
#include <tv/printf.h>
#include <tv/string.h>
#include <tv/virtio_pci.h>

#define MAX_NICS 4
#define QSIZE 64
#define BUF 2048u
#define BUF_PAGES (QSIZE * BUF / 4096)
#define RESET_NS 1000000000ull

struct vnet_q {
	struct vpci_vq vq;
	volatile u16 *notify;
	u16 idx;
	u8 *buf;
	paddr_t ring_pa, buf_pa;
};

struct vnet {
	struct netdev nd;
	volatile u8 *common, *device;
	struct vnet_q rx, tx;
	u64 features;
	bool failed;
};

static struct vnet nics[MAX_NICS];
static unsigned nnics;

static u8 c8(struct vnet *v, u32 o) { return *(volatile u8 *)(v->common + o); }
static u16 c16(struct vnet *v, u32 o) { return *(volatile u16 *)(v->common + o); }
static u32 c32(struct vnet *v, u32 o) { return *(volatile u32 *)(v->common + o); }
static void w8(struct vnet *v, u32 o, u8 x) { *(volatile u8 *)(v->common + o) = x; }
static void w16(struct vnet *v, u32 o, u16 x) { *(volatile u16 *)(v->common + o) = x; }
static void w32(struct vnet *v, u32 o, u32 x) { *(volatile u32 *)(v->common + o) = x; }

static void w64(struct vnet *v, u32 o, u64 x)
{
	w32(v, o, (u32)x);
	w32(v, o + 4, (u32)(x >> 32));
}

static int fail(struct vnet *v, const char *why)
{
	if (!v->failed)
		pr_err("%s: %s; device marked failed\n", v->nd.name, why);
	v->failed = true;
	return -EIO;
}

static void kick(struct vnet_q *q)
{
	barrier();   /* the avail index before the doorbell */
	if (vpci_vq_notify_wanted(&q->vq))
		*q->notify = q->idx;
}

static int queue_setup(struct vnet *v, struct vnet_q *q, u16 idx, volatile u8 *notify,
		       const struct vpci_caps *caps)
{
	u32 a, u, t, noff;
	u16 max, n = QSIZE;
	paddr_t pa;
	void *mem;

	w16(v, VPCI_Q_SELECT, idx);
	max = c16(v, VPCI_Q_SIZE);
	if (!max)
		return -ENODEV;
	while (n > max)
		n >>= 1;
	vpci_vq_layout(n, &a, &u, &t);
	mem = pmm_alloc_page_zeroed(&q->ring_pa);
	pa = q->ring_pa;
	q->buf_pa = pmm_alloc(BUF_PAGES, 1);
	if (!mem || !q->buf_pa || t > 4096)
		return -ENOMEM;
	q->buf = phys_to_virt(q->buf_pa);
	noff = (u32)c16(v, VPCI_Q_NOFF) * caps->notify_mult;
	if ((u64)noff + 2 > caps->notify.len)
		return -EINVAL;
	q->notify = (volatile u16 *)(notify + noff);
	q->idx = idx;
	vpci_vq_init(&q->vq, n, mem);
	w16(v, VPCI_Q_SIZE, n);
	w16(v, VPCI_Q_MSIX, VPCI_NO_VECTOR);
	w64(v, VPCI_Q_DESC, pa);
	w64(v, VPCI_Q_AVAIL, pa + a);
	w64(v, VPCI_Q_USED, pa + u);
	w16(v, VPCI_Q_ENABLE, 1);
	return 0;
}

static void queue_free(struct vnet_q *q)
{
	if (q->ring_pa)
		pmm_free(q->ring_pa, 1);
	if (q->buf_pa)
		pmm_free(q->buf_pa, BUF_PAGES);
}

/* Reclaim finished transmissions. */
static int tx_reclaim(struct vnet *v)
{
	u32 len;
	int id;

	while ((id = vpci_vq_pop(&v->tx.vq, &len)) >= 0)
		vpci_vq_put(&v->tx.vq, (u16)id);
	return id == -EIO ? fail(v, "bogus used entry on the TX queue") : 0;
}

static int vnet_xmit(struct netdev *nd, const void *frame, size_t len)
{
	struct vnet *v = nd->priv;
	u8 *b;
	int id;

	if (v->failed)
		return -EIO;
	if (len < NETDEV_HLEN || len > NETDEV_FRAME_MAX)
		return -EINVAL;
	if (tx_reclaim(v))
		return -EIO;
	id = vpci_vq_get(&v->tx.vq);
	if (id < 0) {
		if (c8(v, VPCI_STATUS) & VPCI_S_NEEDS_RESET)
			return fail(v, "device needs a reset");
		nd->tx_errors++;
		return -EAGAIN;
	}
	b = v->tx.buf + (u32)id * BUF;
	memset(b, 0, VNET_HDR_LEN);      /* no checksum or segmentation offload */
	memcpy(b + VNET_HDR_LEN, frame, len);
	vpci_vq_push(&v->tx.vq, (u16)id, v->tx.buf_pa + (u32)id * BUF, VNET_HDR_LEN + len, false);
	kick(&v->tx);
	nd->tx_packets++;
	nd->tx_bytes += len;
	return 0;
}

static unsigned vnet_poll(struct netdev *nd, unsigned budget)
{
	struct vnet *v = nd->priv;
	unsigned n = 0;
	bool gave = false;
	u32 len;
	int id;

	if (v->failed || tx_reclaim(v))
		return 0;
	while (n < budget && (id = vpci_vq_pop(&v->rx.vq, &len)) >= 0) {
		u8 *b = v->rx.buf + (u32)id * BUF;

		if (len >= VNET_HDR_LEN + NETDEV_HLEN && len <= VNET_HDR_LEN + NETDEV_FRAME_MAX && nd->rx) {
			nd->rx(nd->rx_ctx, b + VNET_HDR_LEN, len - VNET_HDR_LEN);
			nd->rx_packets++;
			nd->rx_bytes += len - VNET_HDR_LEN;
			n++;
		} else {
			nd->rx_drops++;
		}
		vpci_vq_push(&v->rx.vq, (u16)id, v->rx.buf_pa + (u32)id * BUF, BUF, true);
		gave = true;
	}
	if (id == -EIO) {
		fail(v, "bogus used entry on the RX queue");
		return n;
	}
	if (gave)
		kick(&v->rx);
	return n;
}

static bool vnet_link_up(struct netdev *nd)
{
	struct vnet *v = nd->priv;

	if (v->failed)
		return false;
	if (!(v->features & VNET_F_STATUS))
		return true;
	return *(volatile u16 *)(v->device + VNET_CFG_STATUS) & VNET_S_LINK_UP;
}

static const struct netdev_ops vnet_ops = { .xmit = vnet_xmit, .poll = vnet_poll, .link_up = vnet_link_up };

/* Map the BAR a region lives in (once) and check the region fits it. */
static volatile u8 *region(struct pci_dev *pd, volatile u8 **bars, const struct vpci_region *r, u32 min)
{
	if (!vpci_region_ok(r, pd->bar[r->bar].size, min))
		return NULL;
	if (!bars[r->bar])
		bars[r->bar] = pci_map_bar(pd, r->bar);
	return bars[r->bar] ? bars[r->bar] + r->off : NULL;
}

static int reset(struct vnet *v)
{
	u64 end = arch_uptime_ns() + RESET_NS;

	w8(v, VPCI_STATUS, 0);
	while (c8(v, VPCI_STATUS)) {
		if (arch_uptime_ns() > end)
			return -ETIMEDOUT;
		arch_pause();
	}
	return 0;
}

static int start(struct vnet *v, struct pci_dev *pd, const struct vpci_caps *caps, volatile u8 **bars)
{
	volatile u8 *notify = region(pd, bars, &caps->notify, 2);
	u64 offered;
	u8 gen;
	int r;

	v->device = region(pd, bars, &caps->device, 6);
	if (!notify || !v->device)
		return -EINVAL;
	if ((r = reset(v)))
		return r;
	w8(v, VPCI_STATUS, VPCI_S_ACK);
	w8(v, VPCI_STATUS, VPCI_S_ACK | VPCI_S_DRIVER);
	w32(v, VPCI_DFSELECT, 0);
	offered = c32(v, VPCI_DF);
	w32(v, VPCI_DFSELECT, 1);
	offered |= (u64)c32(v, VPCI_DF) << 32;
	v->features = vnet_features(offered);
	if (!v->features)
		return -EOPNOTSUPP;
	if (caps->device.len < VNET_CFG_STATUS + 2)
		v->features &= ~VNET_F_STATUS;   /* no room for the status field: assume link */
	w32(v, VPCI_GFSELECT, 0);
	w32(v, VPCI_GF, (u32)v->features);
	w32(v, VPCI_GFSELECT, 1);
	w32(v, VPCI_GF, (u32)(v->features >> 32));
	w8(v, VPCI_STATUS, VPCI_S_ACK | VPCI_S_DRIVER | VPCI_S_FEATURES_OK);
	if (!(c8(v, VPCI_STATUS) & VPCI_S_FEATURES_OK))
		return -EOPNOTSUPP;
	if (c16(v, VPCI_NUM_QUEUES) < 2)
		return -ENODEV;
	if ((r = queue_setup(v, &v->rx, 0, notify, caps)) || (r = queue_setup(v, &v->tx, 1, notify, caps)))
		return r;
	/* The device may change its config under us: read until the generation holds. */
	do {
		gen = c8(v, VPCI_CFG_GEN);
		for (int i = 0; i < 6; i++)
			v->nd.mac[i] = v->device[VNET_CFG_MAC + i];
	} while (gen != c8(v, VPCI_CFG_GEN));
	if (!(v->features & VNET_F_MAC)) {
		/* Ours to choose: locally administered, from the PCI address. */
		static const u8 base[6] = { 0x02, 0x74, 0x76, 0, 0, 0 };

		memcpy(v->nd.mac, base, 6);
		v->nd.mac[4] = pd->bus, v->nd.mac[5] = (u8)(pd->dev << 3 | pd->fn);
	}
	for (int id; (id = vpci_vq_get(&v->rx.vq)) >= 0;)
		vpci_vq_push(&v->rx.vq, (u16)id, v->rx.buf_pa + (u32)id * BUF, BUF, true);
	w8(v, VPCI_STATUS, VPCI_S_ACK | VPCI_S_DRIVER | VPCI_S_FEATURES_OK | VPCI_S_DRIVER_OK);
	kick(&v->rx);
	return 0;
}

static int vnet_probe(struct pci_dev *pd)
{
	struct vnet *v = &nics[nnics];
	volatile u8 *bars[6] = { 0 };
	struct vpci_caps caps;
	u8 cfg[256];
	int r;

	if (nnics == MAX_NICS)
		return -ENOSPC;
	memset(v, 0, sizeof(*v));
	snprintf(v->nd.name, sizeof(v->nd.name), "vnet%u", nnics);
	for (u16 i = 0; i < 256; i += 4) {
		u32 x = pci_cfg_read(pd, i, 4);

		memcpy(cfg + i, &x, 4);
	}
	r = (pci_cfg_read(pd, PCI_STATUS, 2) & PCI_STATUS_CAPS) ? vpci_caps_parse(cfg, &caps) : -ENODEV;
	if (r) {
		pr_warn("%s: %02x:%02x.%u %04x:%04x: no modern virtio capabilities (legacy-only); "
			"not used\n", v->nd.name, pd->bus, pd->dev, pd->fn, pd->vendor, pd->device);
		return r;
	}
	v->common = region(pd, bars, &caps.common, VPCI_COMMON_LEN);
	r = v->common ? start(v, pd, &caps, bars) : -EINVAL;
	if (r) {
		pr_err("%s: %02x:%02x.%u: not usable (%s)\n", v->nd.name, pd->bus, pd->dev, pd->fn,
		       tv_strerror(r));
		if (v->common) {
			w8(v, VPCI_STATUS, VPCI_S_FAILED);
			/* No DMA into queues we give back; if the reset hangs, keep them. */
			if (reset(v))
				return r;
		}
		queue_free(&v->rx);
		queue_free(&v->tx);
		return r;
	}
	v->nd.ops = &vnet_ops;
	v->nd.mtu = NETDEV_MTU;
	v->nd.priv = v;
	pr_info("%s: %02x:%02x.%u virtio-net %04x:%04x, queues of %u, features %#llx, polled\n",
		v->nd.name, pd->bus, pd->dev, pd->fn, pd->vendor, pd->device, v->rx.vq.size,
		(unsigned long long)v->features);
	if (netdev_register(&v->nd))
		return -ENOSPC;
	nnics++;
	return 0;
}

unsigned virtio_net_pci_init(void)
{
	/* 1041: modern virtio-net; 1000: transitional, driven through its modern capabilities. */
	static const u16 ids[] = { 0x1041, 0x1000 };

	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		struct pci_driver drv = { .name = "virtio-net", .vendor = 0x1af4, .device = ids[i],
					  .probe = vnet_probe };

		pci_probe(&drv);
	}
	return nnics;
}
