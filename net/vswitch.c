// SPDX-License-Identifier: MIT
/*
 * vswitch.c: the L2 learning switch with 802.1Q port groups (tv/vswitch.h
 * says what it promises). Pure: the host unit tests drive it directly.
 */
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/vswitch.h>

#define VLAN_VID_MASK 0x0fff

static bool is_group(const u8 *mac)
{
	return mac[0] & 1;
}

static u16 get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static bool is_trunk(const struct vsw_port *p)
{
	return p->uplink || p->vlan == VSW_VLAN_TRUNK;
}

static bool carries(const struct vsw_port *p, u16 vlan)
{
	return p->used && (is_trunk(p) || p->vlan == vlan);
}

/* ---- the learning table: open addressing, linear probing ---- */

static unsigned mac_hash(const u8 *mac, u16 vlan)
{
	u32 h = 2166136261u; /* FNV-1a */

	for (int i = 0; i < ETH_ALEN; i++)
		h = (h ^ mac[i]) * 16777619u;
	h = (h ^ vlan) * 16777619u;
	return h & (VSW_MACS - 1);
}

#define PROBE 16 /* a full window evicts its oldest entry */

static struct vsw_mac *mac_find(struct vswitch *sw, const u8 *mac, u16 vlan, u64 now)
{
	unsigned h = mac_hash(mac, vlan);

	for (unsigned i = 0; i < PROBE; i++) {
		struct vsw_mac *e = &sw->macs[(h + i) & (VSW_MACS - 1)];

		if (e->port >= 0 && e->vlan == vlan && !memcmp(e->mac, mac, ETH_ALEN)) {
			if (now - e->seen_ns > VSW_AGE_NS) {
				e->port = -1; /* aged out */
				return NULL;
			}
			return e;
		}
	}
	return NULL;
}

/*
 * A fixed MAC belongs to its port in every VLAN: who owns it, or -1. It is
 * looked up before the table, so no frame from elsewhere can redirect it.
 */
static int mac_owner(const struct vswitch *sw, const u8 *mac)
{
	for (int i = 0; i < VSW_PORTS; i++)
		if (sw->ports[i].used && sw->ports[i].fixed_mac &&
		    !memcmp(sw->ports[i].mac, mac, ETH_ALEN))
			return i;
	return -1;
}

static void mac_learn(struct vswitch *sw, const u8 *mac, u16 vlan, int port, u64 now)
{
	unsigned h = mac_hash(mac, vlan);
	struct vsw_mac *e = mac_find(sw, mac, vlan, now), *victim = NULL;

	if (e) {
		e->port = (s16)port;
		e->seen_ns = now;
		return;
	}
	for (unsigned i = 0; i < PROBE; i++) {
		struct vsw_mac *c = &sw->macs[(h + i) & (VSW_MACS - 1)];

		if (c->port < 0) {
			victim = c;
			break;
		}
		if (!victim || c->seen_ns < victim->seen_ns)
			victim = c;
	}
	memcpy(victim->mac, mac, ETH_ALEN);
	victim->vlan = vlan;
	victim->port = (s16)port;
	victim->seen_ns = now;
}

static void forget_port(struct vswitch *sw, int port)
{
	for (unsigned i = 0; i < VSW_MACS; i++)
		if (sw->macs[i].port == port)
			sw->macs[i].port = -1;
}

/* ---- ports ---- */

void vsw_init(struct vswitch *sw)
{
	memset(sw, 0, sizeof(*sw));
	for (unsigned i = 0; i < VSW_MACS; i++)
		sw->macs[i].port = -1;
}

int vsw_port_add(struct vswitch *sw, const struct vsw_port_cfg *cfg)
{
	if (!cfg->rx || (!cfg->uplink && cfg->vlan > VSW_VLAN_TRUNK))
		return -EINVAL;
	if (cfg->mac && (is_group(cfg->mac) || mac_owner(sw, cfg->mac) >= 0))
		return -EINVAL;
	for (int i = 0; i < VSW_PORTS; i++) {
		struct vsw_port *p = &sw->ports[i];

		if (p->used)
			continue;
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->uplink = cfg->uplink;
		p->vlan = cfg->uplink ? VSW_VLAN_TRUNK : cfg->vlan;
		p->fixed_mac = cfg->mac != NULL;
		if (cfg->mac)
			memcpy(p->mac, cfg->mac, ETH_ALEN);
		p->rx = cfg->rx;
		p->ctx = cfg->ctx;
		return i;
	}
	return -ENOSPC;
}

void vsw_port_remove(struct vswitch *sw, int port)
{
	if (port < 0 || port >= VSW_PORTS || !sw->ports[port].used)
		return;
	forget_port(sw, port);
	sw->ports[port].used = false;
}

/* ---- forwarding ---- */

static void deliver(struct vsw_port *p, const u8 *frame, size_t len)
{
	p->st.rx_frames++;
	p->st.rx_bytes += len;
	p->rx(p->ctx, frame, len);
}

static int drop(struct vsw_port *p, enum vsw_drop why)
{
	p->st.drops[why]++;
	return -1;
}

/*
 * The frame as a port of the other kind needs it: tagged for VLAN vlan
 * (trunks, for vlan != 0), or untagged. in/inlen is the frame as it came,
 * tagged says whether it carries a tag. Returns the length in sw->buf, or
 * 0 when the frame needs no change.
 */
static size_t retag(struct vswitch *sw, const u8 *in, size_t inlen, bool tagged, bool want_tag,
		    u16 vlan)
{
	if (want_tag == tagged)
		return 0;
	memcpy(sw->buf, in, 2 * ETH_ALEN);
	if (want_tag) {
		sw->buf[12] = ETH_P_8021Q >> 8;
		sw->buf[13] = ETH_P_8021Q & 0xff;
		sw->buf[14] = (u8)(vlan >> 8);
		sw->buf[15] = (u8)vlan;
		memcpy(sw->buf + 16, in + 12, inlen - 12);
		return inlen + 4;
	}
	memcpy(sw->buf + 12, in + 16, inlen - 16);
	return inlen - 4;
}

int vsw_input(struct vswitch *sw, int port, const u8 *frame, size_t len, u64 now_ns)
{
	struct vsw_port *src;
	bool tagged;
	u16 vlan;
	size_t alt_len = 0;
	bool alt_built = false;
	int n = 0, to = -1;

	if (port < 0 || port >= VSW_PORTS || !sw->ports[port].used)
		return -1;
	src = &sw->ports[port];
	if (len < ETH_HLEN)
		return drop(src, VSW_DROP_SIZE);
	tagged = get_be16(frame + 12) == ETH_P_8021Q;
	if (len > (tagged ? VSW_FRAME_MAX : VSW_FRAME_MAX - 4) || (tagged && len < ETH_HLEN + 4))
		return drop(src, VSW_DROP_SIZE);
	src->st.tx_frames++;
	src->st.tx_bytes += len;

	if (tagged) {
		vlan = get_be16(frame + 14) & VLAN_VID_MASK;
		if (!is_trunk(src) || vlan == VSW_VLAN_TRUNK)
			return drop(src, VSW_DROP_VLAN);
	} else {
		vlan = is_trunk(src) ? 0 : src->vlan;
	}
	if (is_group(frame + ETH_ALEN))
		return drop(src, VSW_DROP_SRC_MCAST);
	if (src->fixed_mac && memcmp(frame + ETH_ALEN, src->mac, ETH_ALEN))
		return drop(src, VSW_DROP_FORGED);
	if (!src->fixed_mac)
		mac_learn(sw, frame + ETH_ALEN, vlan, port, now_ns); /* fixed ones are known */

	if (!is_group(frame)) {
		int owner = mac_owner(sw, frame);
		const struct vsw_mac *e = owner >= 0 ? NULL : mac_find(sw, frame, vlan, now_ns);

		to = owner >= 0 ? owner : e ? e->port : -1;
		if (to >= 0 && !carries(&sw->ports[to], vlan))
			to = -2; /* its owner is in another VLAN: nobody here has it */
		if (to == port || to == -2)
			return 0;
	}
	for (int i = 0; i < VSW_PORTS; i++) {
		struct vsw_port *p = &sw->ports[i];
		/* Trunks see VLAN 0 untagged; access ports never see a tag. */
		bool want_tag = is_trunk(p) && vlan != 0;

		if (i == port || !carries(p, vlan) || (to >= 0 && i != to))
			continue;
		if (want_tag == tagged) {
			deliver(p, frame, len);
		} else {
			if (!alt_built) {
				alt_len = retag(sw, frame, len, tagged, want_tag, vlan);
				alt_built = true;
			}
			deliver(p, sw->buf, alt_len);
		}
		n++;
	}
	return n;
}
