// SPDX-License-Identifier: MIT
/*
 * test_e1000e.c: legacy descriptor ring bookkeeping (drivers/e1000e_ring.c)
 * against a small model of the 82574's DMA engine: the NIC owns RX slots
 * [RDH, RDT) and TX slots [TDH, TDT), and sets DD on what it finished.
 */
#include "test.h"

#include <tv/e1000e.h>
#include <tv/errno.h>
#include <tv/netdev.h>

#define N 8
#define BASE 0x10000000ull

/* Bits as the 82574 datasheet numbers them, not the driver's macros: the model must not share its mistakes. */
#define HW_RX_DD 0x01
#define HW_RX_EOP 0x02
#define HW_TX_EOP 0x01
#define HW_TX_IFCS 0x02
#define HW_TX_RS 0x08
#define HW_TX_DD 0x01

static struct e1k_rx_desc rxd[N];
static struct e1k_tx_desc txd[N];
static unsigned rdh, rdt, tdh, tdt;

/* The NIC receives one frame: false if it has no buffer (RDH == RDT). */
static bool nic_rx(u16 len, u8 status, u8 errors)
{
	if (rdh == rdt)
		return false;
	rxd[rdh].length = len;
	rxd[rdh].errors = errors;
	rxd[rdh].status = status;
	rdh = (rdh + 1) % N;
	return true;
}

/* The NIC sends up to n frames from [TDH, TDT), reporting DD where RS asks. */
static unsigned nic_tx(unsigned n)
{
	unsigned sent = 0;

	while (tdh != tdt && sent < n) {
		if (txd[tdh].cmd & HW_TX_RS)
			txd[tdh].status |= HW_TX_DD;
		tdh = (tdh + 1) % N;
		sent++;
	}
	return sent;
}

static struct e1k_rxring rx_ring(void)
{
	struct e1k_rxring r = { .d = rxd, .size = N };

	memset(rxd, 0xa5, sizeof(rxd));
	rdh = 0;
	rdt = e1k_rx_init(&r, BASE);
	return r;
}

TEST(rx_init)
{
	struct e1k_rxring r = rx_ring();

	CHECK_EQ(rdt, N - 1);           /* one slot held back */
	for (unsigned i = 0; i < N; i++) {
		CHECK_EQ(rxd[i].addr, BASE + i * E1K_BUF);
		CHECK_EQ(rxd[i].status, 0);
	}
	u16 len;
	bool ok;

	CHECK_EQ(e1k_rx_peek(&r, &len, &ok), -1);
}

TEST(rx_frames_and_wrap)
{
	struct e1k_rxring r = rx_ring();
	unsigned got = 0;
	u16 len;
	bool ok;
	int i;

	/* The NIC fills all it owns (N - 1), then stops. */
	for (unsigned k = 0; k < N - 1; k++)
		CHECK(nic_rx(60 + k, HW_RX_DD | HW_RX_EOP, 0));
	CHECK(!nic_rx(60, HW_RX_DD | HW_RX_EOP, 0));
	/* Three rounds through the ring: every frame seen once, in order. */
	for (unsigned round = 0; round < 3 * N; round++) {
		i = e1k_rx_peek(&r, &len, &ok);
		CHECK_EQ(i, round % N);
		CHECK(ok);
		CHECK_EQ(len, 60 + got % (N - 1));
		got++;
		rdt = e1k_rx_done(&r);
		CHECK_EQ(rdt, (unsigned)i);
		CHECK_EQ(rxd[i].status, 0);
		CHECK(nic_rx(60 + (got + N - 2) % (N - 1), HW_RX_DD | HW_RX_EOP, 0));
	}
	CHECK_EQ(got, 3 * N);
}

TEST(rx_bad_frames)
{
	struct e1k_rxring r = rx_ring();
	u16 len;
	bool ok;

	CHECK(nic_rx(100, HW_RX_DD | HW_RX_EOP, 0x01));           /* CRC error */
	CHECK(nic_rx(10, HW_RX_DD | HW_RX_EOP, 0));               /* runt */
	CHECK(nic_rx(NETDEV_FRAME_MAX + 1, HW_RX_DD | HW_RX_EOP, 0));  /* giant */
	CHECK(nic_rx(NETDEV_FRAME_MAX, HW_RX_DD | HW_RX_EOP, 0x60));   /* checksum bits only: fine */
	CHECK(nic_rx(2048, HW_RX_DD, 0));                           /* first part of a chain */
	CHECK(nic_rx(100, HW_RX_DD | HW_RX_EOP, 0));              /* its end: dropped too */
	CHECK(nic_rx(64, HW_RX_DD | HW_RX_EOP, 0));               /* the next frame is fine */
	static const bool want[] = { false, false, false, true, false, false, true };

	for (unsigned k = 0; k < 7; k++) {
		CHECK_EQ(e1k_rx_peek(&r, &len, &ok), k);
		CHECK_EQ(ok, want[k]);
		e1k_rx_done(&r);
	}
	CHECK_EQ(len, 64);
	CHECK_EQ(e1k_rx_peek(&r, &len, &ok), -1);
}

TEST(tx_fill_reclaim)
{
	struct e1k_txring t = { .d = txd, .size = N };
	int s;

	memset(txd, 0, sizeof(txd));
	tdh = tdt = 0;
	/* N - 1 frames fit; the last slot stays empty. */
	for (unsigned k = 0; k < N - 1; k++) {
		s = e1k_tx_slot(&t);
		CHECK_EQ(s, k);
		tdt = e1k_tx_post(&t, BASE + k * E1K_BUF, 60 + k);
		CHECK_EQ(tdt, k + 1);
		CHECK_EQ(txd[k].addr, BASE + k * E1K_BUF);
		CHECK_EQ(txd[k].length, 60 + k);
		CHECK_EQ(txd[k].cmd, HW_TX_EOP | HW_TX_IFCS | HW_TX_RS);
	}
	CHECK_EQ(e1k_tx_slot(&t), -EAGAIN);
	CHECK_EQ(e1k_tx_reclaim(&t), 0);              /* nothing sent yet */
	CHECK_EQ(nic_tx(3), 3);
	CHECK_EQ(e1k_tx_reclaim(&t), 3);
	CHECK_EQ(txd[0].status, 0);                   /* cleared for the next use */
	/* Wrap around the end several times. */
	for (unsigned k = 0; k < 3 * N; k++) {
		s = e1k_tx_slot(&t);
		CHECK(s >= 0);
		if (s < 0)
			break;
		tdt = e1k_tx_post(&t, BASE + (u64)s * E1K_BUF, 100);
		CHECK_EQ(nic_tx(1), 1);
		e1k_tx_reclaim(&t);
	}
	CHECK_EQ(nic_tx(N), N - 1 - 3);
	CHECK_EQ(e1k_tx_reclaim(&t), N - 1 - 3);
	CHECK_EQ(t.clean, t.tail);
}

TEST_MAIN({ "rx_init", rx_init }, { "rx_frames_and_wrap", rx_frames_and_wrap },
	  { "rx_bad_frames", rx_bad_frames }, { "tx_fill_reclaim", tx_fill_reclaim })
