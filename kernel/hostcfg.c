// SPDX-License-Identifier: MIT
/*
 * hostcfg.c: the host's identity and management address: validation, the
 * settings keys, and the saved form kept in a UEFI variable. Pure.
 */
#include <tv/cfglex.h>
#include <tv/datastore.h>
#include <tv/hostcfg.h>
#include <tv/printf.h>
#include <tv/string.h>

#define SAVE_MAGIC 0x43485654u  /* "TVHC" */
#define SAVE_VERSION 1

struct save_hdr {
	u32 magic;
	u16 version;
	u16 hdr_len;
	u32 len;                /* bytes of settings text after the header */
	u32 crc;                /* CRC-32 of that text */
};
_Static_assert(sizeof(struct save_hdr) == 16, "saved settings header");

void hostcfg_default(struct hostcfg *c)
{
	memset(c, 0, sizeof(*c));
	tv_strlcpy(c->hostname, "thinvisor", sizeof(c->hostname));
	c->dhcp = true;
}

/* RFC 1123 host name, one label: what fits on the console and in DHCP option 12. */
const char *hostcfg_check_hostname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return "the hostname is empty";
	if (n > HOSTCFG_NAME_MAX)
		return "the hostname is longer than 63 characters";
	for (size_t i = 0; i < n; i++)
		if (!tv_isalnum(s[i]) && s[i] != '-')
			return "a hostname has only letters, digits and '-'";
	if (s[0] == '-' || s[n - 1] == '-')
		return "a hostname may not start or end with '-'";
	for (size_t i = 0; i < n; i++)
		if (!tv_isdigit(s[i]))
			return NULL;
	return "a hostname may not be all digits";
}

const char *hostcfg_parse_ip(const char *s, u32 *ip)
{
	u32 v = 0;

	for (int part = 0; part < 4; part++) {
		unsigned n = 0, digits = 0;

		if (part && *s++ != '.')
			return "not an IPv4 address (four numbers a.b.c.d)";
		while (tv_isdigit(*s) && digits < 4) {
			if (digits == 1 && n == 0)
				return "an address part has a leading zero";
			n = n * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits)
			return "not an IPv4 address (four numbers a.b.c.d)";
		if (n > 255)
			return "an address part is over 255";
		v = v << 8 | n;
	}
	if (*s)
		return "not an IPv4 address (four numbers a.b.c.d)";
	*ip = v;
	return NULL;
}

static u32 prefix_mask(unsigned bits)
{
	return bits ? ~0u << (32 - bits) : 0;
}

const char *hostcfg_parse_mask(const char *s, u32 *mask)
{
	u32 m;
	const char *why;

	if (*s == '/') {
		unsigned long bits;
		char *end;

		if (!tv_isdigit(s[1]))
			return "a prefix length is /1 to /30";
		bits = strtoul(s + 1, &end, 10);
		if (*end || bits < 1 || bits > 30)
			return "a prefix length is /1 to /30";
		*mask = prefix_mask((unsigned)bits);
		return NULL;
	}
	why = hostcfg_parse_ip(s, &m);
	if (why)
		return why;
	if (m & (~m >> 1))
		return "a netmask's one bits must be contiguous (255.255.255.0, not 255.0.255.0)";
	if (m < prefix_mask(1) || m > prefix_mask(30))
		return "a netmask is /1 to /30 (128.0.0.0 to 255.255.255.252)";
	*mask = m;
	return NULL;
}

/* An address a host may have: not 0.x, loopback, multicast or reserved. */
static const char *unicast_check(u32 ip)
{
	if (ip >> 24 == 0)
		return "0.x.x.x is not a host address";
	if (ip >> 24 == 127)
		return "127.x.x.x is loopback";
	if (ip >> 28 >= 0xe)
		return "multicast and 240.x.x.x addresses are not host addresses";
	return NULL;
}

const char *hostcfg_check(const struct hostcfg *c)
{
	const char *why = hostcfg_check_hostname(c->hostname);

	if (why)
		return why;
	for (int i = 0; i < HOSTCFG_DNS_MAX; i++)
		if (c->dns[i] && unicast_check(c->dns[i]))
			return "a DNS server must be a host address";
	if (c->dhcp)
		return NULL;
	if (!c->ip || !c->mask)
		return "a static configuration needs an address and a netmask";
	why = unicast_check(c->ip);
	if (why)
		return why;
	if ((c->ip & ~c->mask) == 0)
		return "the address is the subnet's network address";
	if ((c->ip & ~c->mask) == ~c->mask)
		return "the address is the subnet's broadcast address";
	if (c->gw) {
		if ((c->gw & c->mask) != (c->ip & c->mask))
			return "the gateway is not in the address's subnet";
		if (c->gw == c->ip)
			return "the gateway is the host's own address";
		if ((c->gw & ~c->mask) == 0 || (c->gw & ~c->mask) == ~c->mask)
			return "the gateway is the subnet's network or broadcast address";
	}
	return NULL;
}

unsigned hostcfg_prefix_len(u32 mask)
{
	unsigned n = 0;

	for (; mask & 0x80000000u; mask <<= 1)
		n++;
	return n;
}

char *hostcfg_fmt_ip(u32 ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
	return out;
}

static const char *parse_dns(const char *v, u32 dns[HOSTCFG_DNS_MAX])
{
	u32 out[HOSTCFG_DNS_MAX] = { 0 };
	char one[24];
	int n = 0;

	while (*v) {
		const char *comma = strchr(v, ',');
		size_t len = comma ? (size_t)(comma - v) : strlen(v);
		const char *why;

		while (len && v[0] == ' ') {
			v++;
			len--;
		}
		if (n == HOSTCFG_DNS_MAX)
			return "at most two DNS servers";
		if (len >= sizeof(one))
			return "not an IPv4 address (four numbers a.b.c.d)";
		memcpy(one, v, len);
		one[len] = '\0';
		why = hostcfg_parse_ip(one, &out[n]);
		if (why)
			return why;
		if (unicast_check(out[n]))
			return "a DNS server must be a host address";
		n++;
		v += len + (comma ? 1 : 0);
	}
	memcpy(dns, out, sizeof(out));
	return NULL;
}

int hostcfg_apply_key(struct hostcfg *c, const char *key, const char *value, const char **why)
{
	struct hostcfg n = *c;

	*why = NULL;
	if (tv_strcasecmp(key, "hostname") == 0) {
		*why = hostcfg_check_hostname(value);
		if (!*why)
			tv_strlcpy(n.hostname, value, sizeof(n.hostname));
	} else if (tv_strcasecmp(key, "net.ip") == 0) {
		char addr[24];
		const char *slash = strchr(value, '/');
		size_t len = slash ? (size_t)(slash - value) : strlen(value);

		if (tv_strcasecmp(value, "dhcp") == 0) {
			n.dhcp = true;
		} else if (len >= sizeof(addr)) {
			*why = "not an IPv4 address (four numbers a.b.c.d)";
		} else {
			memcpy(addr, value, len);
			addr[len] = '\0';
			*why = hostcfg_parse_ip(addr, &n.ip);
			if (!*why && slash)
				*why = hostcfg_parse_mask(slash, &n.mask);
			if (!*why && (*why = unicast_check(n.ip)) == NULL)
				n.dhcp = false;
		}
	} else if (tv_strcasecmp(key, "net.mask") == 0) {
		*why = hostcfg_parse_mask(value, &n.mask);
	} else if (tv_strcasecmp(key, "net.gateway") == 0) {
		if (*value)
			*why = hostcfg_parse_ip(value, &n.gw);
		else
			n.gw = 0;
	} else if (tv_strcasecmp(key, "net.dns") == 0) {
		*why = parse_dns(value, n.dns);
	} else {
		return 0;
	}
	if (*why)
		return -1;
	*c = n;
	return 1;
}

size_t hostcfg_save(const struct hostcfg *c, u8 *buf, size_t size)
{
	struct save_hdr h = { .magic = SAVE_MAGIC, .version = SAVE_VERSION, .hdr_len = sizeof(h) };
	char *text = (char *)buf + sizeof(h);
	size_t room = size > sizeof(h) ? size - sizeof(h) : 0;
	char a[16], b[16], mask[16];
	int n;

	if (c->dhcp)
		n = snprintf(text, room, "hostname = \"%s\"\nnet.ip = \"dhcp\"\n", c->hostname);
	else
		n = snprintf(text, room, "hostname = \"%s\"\nnet.ip = \"%s\"\nnet.mask = \"%s\"\n"
			     "net.gateway = \"%s\"\n", c->hostname, hostcfg_fmt_ip(c->ip, a),
			     hostcfg_fmt_ip(c->mask, mask), c->gw ? hostcfg_fmt_ip(c->gw, b) : "");
	if (n < 0 || (size_t)n >= room)
		return 0;
	if (c->dns[0]) {
		int m = snprintf(text + n, room - (size_t)n, "net.dns = \"%s%s%s\"\n",
				 hostcfg_fmt_ip(c->dns[0], a), c->dns[1] ? "," : "",
				 c->dns[1] ? hostcfg_fmt_ip(c->dns[1], b) : "");

		if (m < 0 || (size_t)m >= room - (size_t)n)
			return 0;
		n += m;
	}
	h.len = (u32)n;
	h.crc = ds_crc32(text, (size_t)n);
	memcpy(buf, &h, sizeof(h));
	return sizeof(h) + (size_t)n;
}

int hostcfg_load(struct hostcfg *c, const u8 *buf, size_t len, char *why, size_t whylen)
{
	struct hostcfg n;
	struct save_hdr h;
	struct cfglex lx;
	struct cfg_entry e;
	const char *bad;
	int r;

	if (len < sizeof(h)) {
		snprintf(why, whylen, "%zu bytes, shorter than its header", len);
		return -1;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != SAVE_MAGIC || h.hdr_len != sizeof(h)) {
		snprintf(why, whylen, "not thinvisor's saved settings (bad magic)");
		return -1;
	}
	if (h.version != SAVE_VERSION) {
		snprintf(why, whylen, "version %u, this build reads %u", h.version, SAVE_VERSION);
		return -1;
	}
	if (h.len != len - sizeof(h) || h.crc != ds_crc32(buf + sizeof(h), h.len)) {
		snprintf(why, whylen, "bad length or CRC (damaged)");
		return -1;
	}
	/* Start from the defaults so that a saved DHCP setting clears a stick's static one. */
	hostcfg_default(&n);
	n.dhcp = false;
	cfglex_init(&lx, buf + sizeof(h), h.len);
	while ((r = cfglex_next(&lx, &e)) != 0) {
		char key[CFG_MAX_KEY + 1], val[CFG_MAX_VALUE + 1];

		if (r < 0) {
			snprintf(why, whylen, "line %u: %s", lx.line, lx.err);
			return -1;
		}
		if (e.key_len > CFG_MAX_KEY || !cfg_value_copy(&e, val, sizeof(val))) {
			snprintf(why, whylen, "line %u: too long", e.line);
			return -1;
		}
		memcpy(key, e.key, e.key_len);
		key[e.key_len] = '\0';
		r = hostcfg_apply_key(&n, key, val, &bad);
		if (r <= 0) {
			snprintf(why, whylen, "line %u: %s: %s", e.line, key, r ? bad : "unknown key");
			return -1;
		}
	}
	bad = hostcfg_check(&n);
	if (bad) {
		snprintf(why, whylen, "%s", bad);
		return -1;
	}
	*c = n;
	return 0;
}
