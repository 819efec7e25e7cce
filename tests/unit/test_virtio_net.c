// SPDX-License-Identifier: MIT
/*
 * test_virtio_net.c: virtio-net (vmm/virtio/net.c) driven through its
 * registers like Linux's driver: the config space, frames sent (split
 * over descriptors, bad sizes, a writable transmit buffer), frames received
 * from the host queue as buffers are posted, too-small and hostile buffers.
 */
#include "virtio_fixture.h"

#include <tv/frameq.h>

#define RXQ 0
#define TXQ 1
#define HDR 12

static const u8 mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };
static struct virtio_net net;
static struct frameq rxq;
static u8 sent[2048];
static size_t sent_len;
static int sent_count;

static void tx(void *ctx, const u8 *frame, size_t len)
{
	memcpy(sent, frame, len);
	sent_len = len;
	sent_count++;
}

static void net_up(u64 feat)
{
	memset(ram, 0, sizeof(ram));
	memset(&rxq, 0, sizeof(rxq));
	memset(&net, 0, sizeof(net));
	sent_count = broken_calls = 0;
	virtio_net_init(&net, mac, tx, NULL, &rxq, &host, &mem, 17);
	net.t.broken = on_broken;
	driver_up(&net.t, 2, feat);
}

static void frame(u8 *f, size_t len, u8 seed)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	for (size_t i = 12; i < len; i++)
		f[i] = (u8)(seed + i);
}

/* The guest sends: header at 0x40000, the frame at 0x41000, as two descriptors. */
static void send(unsigned slot, const u8 *f, u32 len, u16 extra_flags)
{
	memset(ram + 0x40000, 0, HDR);
	memcpy(ram + 0x41000, f, len);
	desc(TXQ, slot, 0x40000, HDR, VIRTQ_DESC_F_NEXT, slot + 1);
	desc(TXQ, slot + 1, 0x41000, len, extra_flags, 0);
	avail(TXQ, (u16)slot);
	wr(&net.t, VMMIO_QUEUE_NOTIFY, TXQ);
}

/* The guest posts a receive buffer of len bytes at 0x50000 + 0x1000 * slot. */
static void post(unsigned slot, u32 len, u16 flags)
{
	desc(RXQ, slot, 0x50000 + 0x1000 * slot, len, flags, 0);
	avail(RXQ, (u16)slot);
}

TEST(config)
{
	u64 v = 0;

	net_up(FEAT);
	CHECK_EQ(rd(&net.t, VMMIO_DEVICE_ID), VIRTIO_ID_NET);
	wr(&net.t, VMMIO_DEV_FEATURES_SEL, 0);
	CHECK_EQ(rd(&net.t, VMMIO_DEV_FEATURES) & ((1u << 5) | (1u << 16) | (1u << 3)),
		 (1u << 5) | (1u << 16) | (1u << 3));
	/* No offloads: CSUM (0), GUEST_CSUM (1), TSO/UFO (6-14), MRG_RXBUF (15). */
	CHECK_EQ(rd(&net.t, VMMIO_DEV_FEATURES) & 0xffc3, 0);
	for (unsigned i = 0; i < 6; i++) {
		CHECK_EQ(virtio_mmio_read(&net.t, VMMIO_CONFIG + i, 1, &v), 0);
		CHECK_EQ(v, mac[i]);
	}
	CHECK_EQ(virtio_mmio_read(&net.t, VMMIO_CONFIG + 6, 2, &v), 0);
	CHECK_EQ(v, 1);                                 /* link up */
	CHECK_EQ(virtio_mmio_read(&net.t, VMMIO_CONFIG + 10, 2, &v), 0);
	CHECK_EQ(v, 1500);
}

TEST(transmit)
{
	u8 f[1600];

	net_up(FEAT);
	frame(f, 60, 1);
	send(0, f, 60, 0);
	CHECK_EQ(sent_count, 1);
	CHECK_EQ(sent_len, 60);
	CHECK(!memcmp(sent, f, 60));
	CHECK_EQ(get16(USED + 0x4000 * TXQ + 2), 1);
	CHECK(line);
	/* A tagged full-size frame passes; one byte more, or a runt, is dropped, the device lives. */
	frame(f, 1518, 2);
	send(2, f, 1518, 0);
	CHECK_EQ(sent_count, 2);
	CHECK_EQ(sent_len, 1518);
	send(4, f, 1519, 0);
	send(6, f, 13, 0);
	CHECK_EQ(sent_count, 2);
	CHECK_EQ(net.tx_bad, 2);
	CHECK_EQ(get16(USED + 0x4000 * TXQ + 2), 4);
	CHECK_EQ(broken_calls, 0);
	/* A device-writable buffer in the transmit queue breaks the device. */
	send(8, f, 60, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(sent_count, 2);
	CHECK_EQ(broken_calls, 1);
	CHECK(rd(&net.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET);
}

TEST(receive)
{
	u8 f[1600];

	net_up(FEAT);
	/* Frames before any buffer wait; the queue holds FRAMEQ_SLOTS, the rest drop. */
	for (unsigned i = 0; i < FRAMEQ_SLOTS + 3; i++) {
		frame(f, 64 + i, (u8)i);
		frameq_push(&rxq, f, 64 + i);
	}
	CHECK_EQ(rxq.drops, 3);
	virtio_net_rx(&net);
	CHECK_EQ(net.rx_frames, 0);
	/* Two buffers: two frames, each behind a header with num_buffers = 1. */
	post(0, 2048, VIRTQ_DESC_F_WRITE);
	post(1, 2048, VIRTQ_DESC_F_WRITE);
	wr(&net.t, VMMIO_QUEUE_NOTIFY, RXQ);
	CHECK_EQ(net.rx_frames, 2);
	CHECK_EQ(get16(USED + 2), 2);
	CHECK_EQ(get16(USED + 4 + 8 * QSZ), 2);        /* avail_event: notify past these */
	CHECK_EQ(get16(0x50000 + 10), 1);
	CHECK_EQ(ram[0x50000 + HDR + 12], (u8)(0 + 12));
	CHECK_EQ(ram[0x51000 + HDR + 64], (u8)(1 + 64));
	u32 len0;
	memcpy(&len0, ram + USED + 4 + 4, 4);
	CHECK_EQ(len0, HDR + 64);
	CHECK(line);
	/* A buffer too small for the next frame: returned empty, the frame is gone. */
	post(2, HDR + 10, VIRTQ_DESC_F_WRITE);
	wr(&net.t, VMMIO_QUEUE_NOTIFY, RXQ);
	CHECK_EQ(net.rx_short, 1);
	memcpy(&len0, ram + USED + 4 + 8 * 2 + 4, 4);
	CHECK_EQ(len0, 0);
	/* The host side calls rx when frames arrive and buffers are there. */
	post(3, 2048, VIRTQ_DESC_F_WRITE);
	virtio_net_rx(&net);
	CHECK_EQ(net.rx_frames, 3);
	CHECK_EQ(broken_calls, 0);
}

TEST(hostile_receive_buffers)
{
	u8 f[100];

	frame(f, 100, 9);
	/* A readable buffer in the receive queue. */
	net_up(FEAT);
	frameq_push(&rxq, f, 100);
	post(0, 2048, 0);
	wr(&net.t, VMMIO_QUEUE_NOTIFY, RXQ);
	CHECK_EQ(broken_calls, 1);
	CHECK_EQ(net.rx_frames, 0);
	/* A buffer outside guest RAM: refused before anything is written. */
	net_up(FEAT);
	frameq_push(&rxq, f, 100);
	desc(RXQ, 0, RAM - 64, 2048, VIRTQ_DESC_F_WRITE, 0);
	avail(RXQ, 0);
	wr(&net.t, VMMIO_QUEUE_NOTIFY, RXQ);
	CHECK_EQ(broken_calls, 1);
	CHECK(rd(&net.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET);
	/* Broken: no more deliveries, even with good buffers. */
	post(1, 2048, VIRTQ_DESC_F_WRITE);
	virtio_net_rx(&net);
	CHECK_EQ(net.rx_frames, 0);
	/* Before DRIVER_OK nothing is touched. */
	memset(&net, 0, sizeof(net));
	virtio_net_init(&net, mac, tx, NULL, &rxq, &host, &mem, 17);
	virtio_net_rx(&net);
	CHECK_EQ(net.rx_frames, 0);
}

TEST_MAIN({ "config", config }, { "transmit", transmit }, { "receive", receive },
	  { "hostile_receive_buffers", hostile_receive_buffers })
