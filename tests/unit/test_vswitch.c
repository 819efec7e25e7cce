// SPDX-License-Identifier: MIT
/*
 * test_vswitch.c: the learning switch (net/vswitch.c) with ports that record
 * what they receive: learning and flooding, VLAN port groups and trunks,
 * re-tagging, forged and oversized frames, ageing, table pressure.
 */
#include "test.h"

#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/vswitch.h>

#define SEC 1000000000ull

struct sink {
	int frames;
	size_t len;
	u8 last[VSW_FRAME_MAX];
};

static struct vswitch sw;
static struct sink sinks[VSW_PORTS];

static void rx(void *ctx, const u8 *frame, size_t len)
{
	struct sink *s = ctx;

	s->frames++;
	s->len = len;
	memcpy(s->last, frame, len);
}

static void mac_of(u8 *mac, int n)
{
	const u8 m[ETH_ALEN] = { 0x02, 0x54, 0x56, 0, (u8)(n >> 8), (u8)n };

	memcpy(mac, m, ETH_ALEN);
}

static int add(bool uplink, u16 vlan, int macn, int sink)
{
	u8 mac[ETH_ALEN];
	struct vsw_port_cfg c = { .uplink = uplink, .vlan = vlan, .rx = rx, .ctx = &sinks[sink] };

	if (macn >= 0) {
		mac_of(mac, macn);
		c.mac = mac;
	}
	return vsw_port_add(&sw, &c);
}

static void reset(void)
{
	vsw_init(&sw);
	memset(sinks, 0, sizeof(sinks));
}

static void clear(void)
{
	for (int i = 0; i < VSW_PORTS; i++)
		sinks[i].frames = 0;
}

/* An untagged frame dst <- src of len bytes (payload: a counting pattern), or tagged with vlan. */
static size_t frame(u8 *f, int dst, int src, int vlan, size_t len)
{
	size_t h = vlan >= 0 ? 18 : 14;

	if (dst < 0)
		memset(f, 0xff, ETH_ALEN);
	else
		mac_of(f, dst);
	mac_of(f + ETH_ALEN, src);
	if (vlan >= 0) {
		f[12] = 0x81;
		f[13] = 0x00;
		f[14] = (u8)(vlan >> 8);
		f[15] = (u8)vlan;
	}
	f[h - 2] = 0x08;
	f[h - 1] = 0x00;
	for (size_t i = h; i < len; i++)
		f[i] = (u8)(i * 7);
	return len;
}

static u8 f[2048];

TEST(learning_and_flooding)
{
	reset();
	int a = add(false, 0, 1, 0), b = add(false, 0, 2, 1), c = add(false, 0, 3, 2);

	CHECK(a >= 0 && b >= 0 && c >= 0);
	/* Broadcast reaches everyone else. */
	CHECK_EQ(vsw_input(&sw, a, f, frame(f, -1, 1, -1, 60), 0), 2);
	CHECK_EQ(sinks[0].frames, 0);
	CHECK_EQ(sinks[1].frames, 1);
	CHECK_EQ(sinks[2].frames, 1);
	/* Fixed MACs are known from the start: unicast goes to its owner only. */
	clear();
	CHECK_EQ(vsw_input(&sw, b, f, frame(f, 1, 2, -1, 60), 0), 1);
	CHECK_EQ(sinks[0].frames, 1);
	CHECK_EQ(sinks[2].frames, 0);
	CHECK(!memcmp(sinks[0].last, f, 60));
	/* To itself: nothing. */
	clear();
	CHECK_EQ(vsw_input(&sw, b, f, frame(f, 2, 2, -1, 60), 0), 0);
	/* Unknown unicast floods. */
	CHECK_EQ(vsw_input(&sw, b, f, frame(f, 77, 2, -1, 60), 0), 2);
}

TEST(uplink_learning_and_ageing)
{
	reset();
	int vm = add(false, 0, 1, 0), up = add(true, 0, -1, 1), vm2 = add(false, 0, 2, 2);

	/* An outside host (MAC 50) talks: learned on the uplink. */
	CHECK_EQ(vsw_input(&sw, up, f, frame(f, -1, 50, -1, 64), 0), 2);
	clear();
	CHECK_EQ(vsw_input(&sw, vm, f, frame(f, 50, 1, -1, 64), 1 * SEC), 1);
	CHECK_EQ(sinks[1].frames, 1);
	CHECK_EQ(sinks[2].frames, 0);
	/* Silent for longer than the ageing time: flooded again. */
	clear();
	CHECK_EQ(vsw_input(&sw, vm, f, frame(f, 50, 1, -1, 64), 302 * SEC), 2);
	/* The outside address sent from a VM port with another fixed MAC: forged. */
	CHECK_EQ(vsw_input(&sw, vm2, f, frame(f, -1, 50, -1, 64), 303 * SEC), -1);
	CHECK_EQ(sw.ports[vm2].st.drops[VSW_DROP_FORGED], 1);
	/* A frame from outside claiming a VM's MAC does not steal its traffic. */
	CHECK_EQ(vsw_input(&sw, up, f, frame(f, -1, 2, -1, 64), 304 * SEC), 2);
	clear();
	CHECK_EQ(vsw_input(&sw, vm, f, frame(f, 2, 1, -1, 64), 305 * SEC), 1);
	CHECK_EQ(sinks[2].frames, 1);
	CHECK_EQ(sinks[1].frames, 0);
}

TEST(vlans_isolate_port_groups)
{
	reset();
	int a10 = add(false, 10, 1, 0), b10 = add(false, 10, 2, 1), c20 = add(false, 20, 3, 2);
	int d0 = add(false, 0, 4, 3), up = add(true, 0, -1, 4), trunk = add(false, VSW_VLAN_TRUNK, 6, 5);

	(void)b10;
	/* Broadcast in VLAN 10: b10, the uplink and the trunk VM, tagged 10 for those two. */
	size_t n = frame(f, -1, 1, -1, 100);

	CHECK_EQ(vsw_input(&sw, a10, f, n, 0), 3);
	CHECK_EQ(sinks[1].frames, 1);
	CHECK_EQ(sinks[2].frames, 0);
	CHECK_EQ(sinks[3].frames, 0);
	CHECK_EQ(sinks[4].frames, 1);
	CHECK_EQ(sinks[5].frames, 1);
	CHECK_EQ(sinks[1].len, 100);
	CHECK_EQ(sinks[4].len, 104);
	CHECK_EQ(sinks[4].last[12], 0x81);
	CHECK_EQ(sinks[4].last[13], 0x00);
	CHECK_EQ((sinks[4].last[14] << 8 | sinks[4].last[15]) & 0xfff, 10);
	CHECK(!memcmp(sinks[4].last, f, 12));
	CHECK(!memcmp(sinks[4].last + 16, f + 12, 88));
	/* Unicast from VLAN 20 to a VLAN 10 VM's address: not delivered. */
	clear();
	CHECK_EQ(vsw_input(&sw, c20, f, frame(f, 1, 3, -1, 60), 0), 0);
	CHECK_EQ(sinks[0].frames, 0);
	/* From the uplink tagged 20: only the VLAN 20 VM, untagged, and the trunk VM, tagged. */
	clear();
	n = frame(f, -1, 60, 20, 120);
	CHECK_EQ(vsw_input(&sw, up, f, n, 0), 2);
	CHECK_EQ(sinks[2].frames, 1);
	CHECK_EQ(sinks[2].len, 116);
	CHECK_EQ(sinks[2].last[12], 0x08);
	CHECK(!memcmp(sinks[2].last + 14, f + 18, 102));
	CHECK_EQ(sinks[5].len, 120);
	/* Untagged from the uplink: VLAN 0 only. */
	clear();
	CHECK_EQ(vsw_input(&sw, up, f, frame(f, -1, 61, -1, 60), 0), 2);
	CHECK_EQ(sinks[3].frames, 1);
	CHECK_EQ(sinks[5].frames, 1);
	CHECK_EQ(sinks[5].len, 60);
	/* The trunk VM tags its own frames: VLAN 10 reaches a10 and b10 untagged. */
	clear();
	CHECK_EQ(vsw_input(&sw, trunk, f, frame(f, -1, 6, 10, 80), 0), 3);
	CHECK_EQ(sinks[0].len, 76);
	CHECK_EQ(sinks[4].len, 80);
	/* A tag from an access port is VLAN hopping: dropped. */
	clear();
	CHECK_EQ(vsw_input(&sw, d0, f, frame(f, -1, 4, 10, 80), 0), -1);
	CHECK_EQ(sw.ports[d0].st.drops[VSW_DROP_VLAN], 1);
	CHECK_EQ(sinks[0].frames + sinks[1].frames + sinks[4].frames, 0);
	/* VLAN ID 4095 is reserved. */
	CHECK_EQ(vsw_input(&sw, up, f, frame(f, -1, 62, 4095, 80), 0), -1);
}

TEST(bad_frames)
{
	reset();
	int a = add(false, 0, 1, 0), b = add(false, 0, 2, 1), up = add(true, 0, -1, 2);

	(void)b;
	CHECK_EQ(vsw_input(&sw, a, f, 13, 0), -1);
	CHECK_EQ(vsw_input(&sw, a, f, frame(f, -1, 1, -1, 1515), 0), -1);
	CHECK_EQ(sw.ports[a].st.drops[VSW_DROP_SIZE], 2);
	CHECK_EQ(vsw_input(&sw, a, f, frame(f, -1, 1, -1, 1514), 0), 2);
	CHECK_EQ(vsw_input(&sw, up, f, frame(f, -1, 9, 5, 1518), 0), 0);
	CHECK_EQ(vsw_input(&sw, up, f, frame(f, -1, 9, 5, 1519), 0), -1);
	CHECK_EQ(vsw_input(&sw, up, f, frame(f, -1, 9, 5, 17), 0), -1);
	/* A group address as source. */
	frame(f, -1, 9, -1, 60);
	f[6] |= 1;
	CHECK_EQ(vsw_input(&sw, up, f, 60, 0), -1);
	CHECK_EQ(sw.ports[up].st.drops[VSW_DROP_SRC_MCAST], 1);
	/* Ports that do not exist. */
	CHECK_EQ(vsw_input(&sw, -1, f, 60, 0), -1);
	CHECK_EQ(vsw_input(&sw, 40, f, 60, 0), -1);
	CHECK_EQ(vsw_input(&sw, VSW_PORTS, f, 60, 0), -1);
}

TEST(ports)
{
	u8 mac[ETH_ALEN];
	struct vsw_port_cfg c = { .rx = rx, .ctx = &sinks[0] };
	int n = 0;

	reset();
	CHECK(add(false, 0, 1, 0) >= 0);
	CHECK_EQ(add(false, 0, 1, 1), -EINVAL);     /* its MAC is taken */
	CHECK_EQ(add(false, 4096, 2, 1), -EINVAL);
	mac_of(mac, 3);
	mac[0] |= 1;
	c.mac = mac;
	CHECK_EQ(vsw_port_add(&sw, &c), -EINVAL);   /* a group address */
	c.mac = NULL;
	c.rx = NULL;
	CHECK_EQ(vsw_port_add(&sw, &c), -EINVAL);
	while (add(false, 0, 100 + n, 0) >= 0)
		n++;
	CHECK_EQ(n, VSW_PORTS - 1);
	CHECK_EQ(add(false, 0, 999, 0), -ENOSPC);

	/* A removed port's addresses are forgotten; its MAC may be reused. */
	reset();
	int a = add(false, 0, 1, 0), up = add(true, 0, -1, 1), b = add(false, 0, 2, 2);

	CHECK_EQ(vsw_input(&sw, up, f, frame(f, -1, 50, -1, 60), 0), 2);
	vsw_port_remove(&sw, up);
	clear();
	CHECK_EQ(vsw_input(&sw, a, f, frame(f, 50, 1, -1, 60), 0), 1); /* flooded: b only */
	CHECK_EQ(sinks[2].frames, 1);
	vsw_port_remove(&sw, b);
	vsw_port_remove(&sw, b);
	vsw_port_remove(&sw, -3);
	CHECK(add(false, 0, 2, 2) >= 0);
}

TEST(table_pressure)
{
	reset();
	int vms[8], up = add(true, 0, -1, 20);

	for (int i = 0; i < 8; i++)
		vms[i] = add(false, 0, i + 1, i);
	/* 20000 addresses from outside, 40 times the table. */
	for (int m = 0; m < 20000; m++)
		vsw_input(&sw, up, f, frame(f, 9999, 1000 + m, -1, 60), (u64)m);
	/* The VMs' own addresses still go to them alone. */
	for (int i = 0; i < 8; i++) {
		clear();
		CHECK_EQ(vsw_input(&sw, vms[(i + 1) % 8], f, frame(f, i + 1, (i + 1) % 8 + 1, -1, 60),
				   30000), 1);
		CHECK_EQ(sinks[i].frames, 1);
	}
	/* A recent outside address is still known. */
	clear();
	CHECK_EQ(vsw_input(&sw, vms[0], f, frame(f, 1000 + 19999, 1, -1, 60), 30000), 1);
	CHECK_EQ(sinks[20].frames, 1);
}

/* ---- port groups from settings ---- */

static const char *const *settings;
static char reports[8][128];
static int nreports;

static const char *get(void *ctx, const char *key)
{
	for (const char *const *kv = settings; kv && kv[0]; kv += 2)
		if (!strcmp(kv[0], key))
			return kv[1];
	return NULL;
}

static void report(void *ctx, const char *msg)
{
	if (nreports < 8)
		snprintf(reports[nreports], sizeof(reports[0]), "%s", msg);
	nreports++;
}

TEST(portgroups)
{
	struct vsw_portgroup pg[VSW_PORTGROUPS];
	static const char *const none[] = { NULL };
	static const char *const good[] = {
		"portgroup0.name", "VM Network", "portgroup2.name", "Lab 20",
		"portgroup2.vlanid", "20", "portgroup3.name", "trunk", "portgroup3.vlanid", "4095",
		NULL,
	};
	static const char *const bad[] = {
		"portgroup0.name", "ok", "portgroup1.vlanid", "5", "portgroup2.name", "x/y",
		"portgroup3.name", "big", "portgroup3.vlanid", "4096", "portgroup4.name", "OK",
		"portgroup5.name", "v", "portgroup5.vlanid", "1x", "portgroup6.name", " lead",
		"portgroup7.name", "0123456789012345678901234567890123", NULL,
	};

	settings = none;
	nreports = 0;
	CHECK_EQ(vsw_portgroups_parse(get, NULL, pg, report), 1);
	CHECK_STR(pg[0].name, "VM Network");
	CHECK_EQ(pg[0].vlan, 0);
	CHECK_EQ(nreports, 0);

	settings = good;
	CHECK_EQ(vsw_portgroups_parse(get, NULL, pg, report), 3);
	CHECK_STR(pg[1].name, "Lab 20");
	CHECK_EQ(pg[1].vlan, 20);
	CHECK_EQ(pg[2].vlan, VSW_VLAN_TRUNK);
	CHECK(vsw_portgroup_find(pg, 3, "lab 20") == &pg[1]);
	CHECK(vsw_portgroup_find(pg, 3, "Lab") == NULL);
	CHECK_EQ(nreports, 0);

	/* Every bad group is reported and left out; the good one stays. */
	settings = bad;
	CHECK_EQ(vsw_portgroups_parse(get, NULL, pg, report), 1);
	CHECK_STR(pg[0].name, "ok");
	CHECK_EQ(nreports, 7);
	CHECK_STR(reports[0], "portgroup1.vlanId without portgroup1.name");
	CHECK(strstr(reports[2], "4096") != NULL);
	CHECK_STR(reports[3], "portgroup4.name \"OK\" is given twice");
}

TEST_MAIN({ "learning_and_flooding", learning_and_flooding },
	  { "uplink_learning_and_ageing", uplink_learning_and_ageing },
	  { "vlans_isolate_port_groups", vlans_isolate_port_groups }, { "bad_frames", bad_frames },
	  { "ports", ports }, { "table_pressure", table_pressure }, { "portgroups", portgroups })
