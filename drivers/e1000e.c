// SPDX-License-Identifier: MIT
/*
 * e1000e.c: host driver for Intel 82574-family Ethernet controllers (QEMU's
 * -device e1000e is an 82574L). Polled: one legacy RX and one TX ring with
 * a fixed 2 KiB buffer per slot; frames are copied in and out. A device that
 * vanishes (registers read all ones) or stops sending is marked failed and
 * returns -EIO from then on.
 */
#include <arch/mm.h>
#include <tv/arch.h>
#include <tv/compiler.h>
#include <tv/e1000e.h>
#include <tv/errno.h>
#include <tv/log.h>
#include <tv/netdev.h>
#include <tv/pci.h>
#include <tv/pmm.h>
#include <tv/printf.h>
#include <tv/string.h>

#define MAX_NICS 4
#define RX_N 64
#define TX_N 64
#define BUF_PAGES (RX_N * E1K_BUF / 4096)
#define RESET_NS 20000000ull             /* the datasheet asks for >= 1 ms; Linux waits 20 */
#define AUTO_RD_NS 100000000ull
#define TX_HANG_NS 2000000000ull

struct e1k {
	struct netdev nd;
	volatile u8 *regs;
	struct e1k_txring tx;
	struct e1k_rxring rx;
	u8 *rxbuf, *txbuf;
	paddr_t ring_pa, rxbuf_pa, txbuf_pa;
	u64 tx_full_since;               /* 0: the TX ring is not stuck full */
	bool failed;
};

static struct e1k nics[MAX_NICS];
static unsigned nnics;

static u32 rd(struct e1k *e, u32 off) { return *(volatile u32 *)(e->regs + off); }
static void wr(struct e1k *e, u32 off, u32 v) { *(volatile u32 *)(e->regs + off) = v; }

static int fail(struct e1k *e, const char *why)
{
	if (!e->failed)
		pr_err("%s: %s; device marked failed\n", e->nd.name, why);
	e->failed = true;
	return -EIO;
}

static void spin_ns(u64 ns)
{
	u64 end = arch_uptime_ns() + ns;

	while (arch_uptime_ns() < end)
		arch_pause();
}

/* Wait until (reg & mask) == want; false on timeout or a vanished device. */
static bool wait_reg(struct e1k *e, u32 off, u32 mask, u32 want, u64 ns)
{
	u64 end = arch_uptime_ns() + ns;

	for (;;) {
		u32 v = rd(e, off);

		if (v == ~0u)
			return false;
		if ((v & mask) == want)
			return true;
		if (arch_uptime_ns() > end)
			return false;
		arch_pause();
	}
}

static bool mac_valid(const u8 *m)
{
	static const u8 zero[6], ones[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return !(m[0] & 1) && memcmp(m, zero, 6) && memcmp(m, ones, 6);
}

/* Word i of the NVM through EERD; -1 on timeout. */
static int nvm_read(struct e1k *e, unsigned i)
{
	wr(e, E1K_EERD, i << E1K_EERD_ADDR_SHIFT | E1K_EERD_START);
	if (!wait_reg(e, E1K_EERD, E1K_EERD_DONE, E1K_EERD_DONE, AUTO_RD_NS))
		return -1;
	return rd(e, E1K_EERD) >> 16;
}

/* The NVM auto-load put the address in RAL0/RAH0; read the NVM ourselves if not. */
static int read_mac(struct e1k *e)
{
	u32 lo = rd(e, E1K_RAL0), hi = rd(e, E1K_RAH0);
	u8 *m = e->nd.mac;

	for (int i = 0; i < 4; i++)
		m[i] = (u8)(lo >> (8 * i));
	m[4] = (u8)hi, m[5] = (u8)(hi >> 8);
	if ((hi & E1K_RAH_AV) && mac_valid(m))
		return 0;
	for (unsigned w = 0; w < 3; w++) {
		int v = nvm_read(e, w);

		if (v < 0)
			return -ETIMEDOUT;
		m[2 * w] = (u8)v, m[2 * w + 1] = (u8)(v >> 8);
	}
	if (!mac_valid(m))
		return -ENODATA;
	wr(e, E1K_RAL0, m[0] | m[1] << 8 | m[2] << 16 | (u32)m[3] << 24);
	wr(e, E1K_RAH0, m[4] | m[5] << 8 | E1K_RAH_AV);
	return 0;
}

/* Stop DMA and interrupts, then a global reset; the NVM reloads the MAC. */
static int hw_reset(struct e1k *e)
{
	wr(e, E1K_IMC, ~0u);
	wr(e, E1K_RCTL, 0);
	wr(e, E1K_TCTL, 0);
	if (rd(e, E1K_STATUS) == ~0u)
		return -ENODEV;
	spin_ns(RESET_NS / 2);             /* let DMA in flight finish */
	wr(e, E1K_CTRL, rd(e, E1K_CTRL) | E1K_CTRL_RST);
	spin_ns(RESET_NS);
	if (!wait_reg(e, E1K_CTRL, E1K_CTRL_RST, 0, RESET_NS * 5))
		return -ETIMEDOUT;
	wr(e, E1K_IMC, ~0u);
	(void)rd(e, E1K_ICR);
	if (!wait_reg(e, E1K_EECD, E1K_EECD_AUTO_RD, E1K_EECD_AUTO_RD, AUTO_RD_NS))
		pr_warn("%s: NVM auto-read not done after reset; reading the MAC from the NVM\n",
			e->nd.name);
	return 0;
}

static int hw_start(struct e1k *e)
{
	u8 *ring = pmm_alloc_page_zeroed(&e->ring_pa);
	paddr_t ring_pa = e->ring_pa;
	u16 rdt;

	e->rxbuf_pa = pmm_alloc(BUF_PAGES, 1);
	e->txbuf_pa = pmm_alloc(BUF_PAGES, 1);
	if (!ring || !e->rxbuf_pa || !e->txbuf_pa)
		return -ENOMEM;
	e->rxbuf = phys_to_virt(e->rxbuf_pa);
	e->txbuf = phys_to_virt(e->txbuf_pa);
	e->rx = (struct e1k_rxring){ .d = (void *)ring, .size = RX_N };
	e->tx = (struct e1k_txring){ .d = (void *)(ring + 2048), .size = TX_N };

	for (u32 i = 0; i < 128; i++)
		wr(e, E1K_MTA + 4 * i, 0);
	/* Follow the PHY's link; no VLAN stripping: the uplink is a trunk. */
	wr(e, E1K_CTRL, (rd(e, E1K_CTRL) | E1K_CTRL_SLU) & ~E1K_CTRL_VME);

	rdt = e1k_rx_init(&e->rx, e->rxbuf_pa);
	wr(e, E1K_RDBAL, (u32)ring_pa);
	wr(e, E1K_RDBAH, (u32)(ring_pa >> 32));
	wr(e, E1K_RDLEN, RX_N * sizeof(struct e1k_rx_desc));
	wr(e, E1K_RDH, 0);
	wr(e, E1K_RDT, rdt);
	/* Every address, broadcast, FCS stripped, 2 KiB buffers, no VLAN filter. */
	wr(e, E1K_RCTL, E1K_RCTL_EN | E1K_RCTL_UPE | E1K_RCTL_MPE | E1K_RCTL_BAM | E1K_RCTL_SECRC);

	wr(e, E1K_TDBAL, (u32)(ring_pa + 2048));
	wr(e, E1K_TDBAH, (u32)((ring_pa + 2048) >> 32));
	wr(e, E1K_TDLEN, TX_N * sizeof(struct e1k_tx_desc));
	wr(e, E1K_TDH, 0);
	wr(e, E1K_TDT, 0);
	wr(e, E1K_TIPG, E1K_TIPG_DEFAULT);
	wr(e, E1K_TCTL, E1K_TCTL_EN | E1K_TCTL_PSP | E1K_TCTL_CT | E1K_TCTL_COLD);
	return 0;
}

static int e1k_xmit(struct netdev *nd, const void *frame, size_t len)
{
	struct e1k *e = nd->priv;
	int slot;

	if (e->failed)
		return -EIO;
	if (len < NETDEV_HLEN || len > NETDEV_FRAME_MAX)
		return -EINVAL;
	e1k_tx_reclaim(&e->tx);
	slot = e1k_tx_slot(&e->tx);
	if (slot < 0) {
		u64 now = arch_uptime_ns();

		if (rd(e, E1K_STATUS) == ~0u)
			return fail(e, "device gone");
		if (!e->tx_full_since)
			e->tx_full_since = now;
		else if (now - e->tx_full_since > TX_HANG_NS)
			return fail(e, "transmit ring stuck full for 2 s");
		nd->tx_errors++;
		return -EAGAIN;
	}
	e->tx_full_since = 0;
	memcpy(e->txbuf + (u32)slot * E1K_BUF, frame, len);
	wr(e, E1K_TDT, e1k_tx_post(&e->tx, e->txbuf_pa + (u32)slot * E1K_BUF, (u16)len));
	nd->tx_packets++;
	nd->tx_bytes += len;
	return 0;
}

static unsigned e1k_poll(struct netdev *nd, unsigned budget)
{
	struct e1k *e = nd->priv;
	unsigned n = 0;
	bool gave = false;
	u16 rdt = 0, len;
	bool ok;
	int i;

	if (e->failed)
		return 0;
	e1k_tx_reclaim(&e->tx);
	while (n < budget && (i = e1k_rx_peek(&e->rx, &len, &ok)) >= 0) {
		if (ok && nd->rx) {
			nd->rx(nd->rx_ctx, e->rxbuf + (u32)i * E1K_BUF, len);
			nd->rx_packets++;
			nd->rx_bytes += len;
			n++;
		} else {
			nd->rx_drops++;
		}
		rdt = e1k_rx_done(&e->rx);
		gave = true;
	}
	if (gave)
		wr(e, E1K_RDT, rdt);
	return n;
}

static bool e1k_link_up(struct netdev *nd)
{
	struct e1k *e = nd->priv;
	u32 st = e->failed ? 0 : rd(e, E1K_STATUS);

	return st != ~0u && (st & E1K_STATUS_LU);
}

static const struct netdev_ops e1k_ops = { .xmit = e1k_xmit, .poll = e1k_poll, .link_up = e1k_link_up };

static int e1k_probe(struct pci_dev *pd)
{
	struct e1k *e = &nics[nnics];
	int r;

	if (nnics == MAX_NICS)
		return -ENOSPC;
	memset(e, 0, sizeof(*e));
	snprintf(e->nd.name, sizeof(e->nd.name), "e1000e%u", nnics);
	e->regs = pci_map_bar(pd, 0);
	if (!e->regs) {
		pr_err("%s: %02x:%02x.%u: BAR0 unmappable\n", e->nd.name, pd->bus, pd->dev, pd->fn);
		return -ENOMEM;
	}
	r = hw_reset(e);
	if (!r)
		r = read_mac(e);
	if (!r)
		r = hw_start(e);
	if (r) {
		pr_err("%s: %02x:%02x.%u %04x:%04x: not usable (%s)\n", e->nd.name, pd->bus, pd->dev,
		       pd->fn, pd->vendor, pd->device, tv_strerror(r));
		/* No DMA into rings we are about to give back. */
		wr(e, E1K_RCTL, 0);
		wr(e, E1K_TCTL, 0);
		spin_ns(RESET_NS / 2);
		if (e->ring_pa)
			pmm_free(e->ring_pa, 1);
		if (e->rxbuf_pa)
			pmm_free(e->rxbuf_pa, BUF_PAGES);
		if (e->txbuf_pa)
			pmm_free(e->txbuf_pa, BUF_PAGES);
		return r;
	}
	e->nd.ops = &e1k_ops;
	e->nd.mtu = NETDEV_MTU;
	e->nd.priv = e;
	pr_info("%s: %02x:%02x.%u Intel %04x:%04x, %u RX and %u TX descriptors, polled\n",
		e->nd.name, pd->bus, pd->dev, pd->fn, pd->vendor, pd->device, RX_N, TX_N);
	if (netdev_register(&e->nd))
		return -ENOSPC;
	nnics++;
	return 0;
}

unsigned e1000e_init(void)
{
	/*
	 * Parts documented by the 82574 datasheet (same registers, legacy
	 * descriptors, a PHY that links up by itself after reset): 82574L
	 * (QEMU's e1000e), 82574LA, 82583V. The ICH/PCH LOMs (I217/I218/I219)
	 * share the names but need PHY and management-engine handshakes this
	 * driver does not do, so they are not claimed.
	 */
	static const u16 ids[] = { 0x10d3, 0x10f6, 0x150c };

	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		struct pci_driver drv = { .name = "e1000e", .vendor = 0x8086, .device = ids[i],
					  .probe = e1k_probe };

		pci_probe(&drv);
	}
	return nnics;
}
