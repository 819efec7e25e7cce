// SPDX-License-Identifier: MIT
/* e1000e_ring.c: legacy RX/TX descriptor ring bookkeeping for the 82574, free of hardware access. */
#include <tv/compiler.h>
#include <tv/e1000e.h>
#include <tv/errno.h>
#include <tv/netdev.h>

int e1k_tx_slot(const struct e1k_txring *r)
{
	return (u16)((r->tail + 1) % r->size) == r->clean ? -EAGAIN : r->tail;
}

u16 e1k_tx_post(struct e1k_txring *r, u64 pa, u16 len)
{
	volatile struct e1k_tx_desc *d = &r->d[r->tail];

	d->addr = pa;
	d->length = len;
	d->cso = d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = E1K_TXD_EOP | E1K_TXD_IFCS | E1K_TXD_RS;
	barrier();   /* the descriptor before the tail that hands it over */
	r->tail = (r->tail + 1) % r->size;
	return r->tail;
}

unsigned e1k_tx_reclaim(struct e1k_txring *r)
{
	unsigned n = 0;

	while (r->clean != r->tail && (r->d[r->clean].status & E1K_TXD_DD)) {
		r->d[r->clean].status = 0;
		r->clean = (r->clean + 1) % r->size;
		n++;
	}
	return n;
}

u16 e1k_rx_init(struct e1k_rxring *r, u64 base_pa)
{
	for (u16 i = 0; i < r->size; i++) {
		r->d[i].addr = base_pa + (u64)i * E1K_BUF;
		r->d[i].status = 0;
		r->d[i].errors = 0;
		r->d[i].length = 0;
	}
	r->next = 0;
	r->frag = false;
	return r->size - 1;
}

int e1k_rx_peek(const struct e1k_rxring *r, u16 *len, bool *ok)
{
	volatile const struct e1k_rx_desc *d = &r->d[r->next];
	u8 st = d->status;

	if (!(st & E1K_RXD_DD))
		return -1;
	barrier();   /* length and errors are valid once DD is seen */
	*len = d->length;
	/* 2 KiB buffers hold any frame the MAC accepts; a chained one is not ours to join. */
	*ok = (st & E1K_RXD_EOP) && !r->frag && !(d->errors & E1K_RXE_FRAME) && *len >= NETDEV_HLEN &&
	      *len <= NETDEV_FRAME_MAX;
	return r->next;
}

u16 e1k_rx_done(struct e1k_rxring *r)
{
	u16 i = r->next;

	r->frag = !(r->d[i].status & E1K_RXD_EOP);
	r->d[i].status = 0;
	r->d[i].errors = 0;
	r->next = (i + 1) % r->size;
	return i;
}
