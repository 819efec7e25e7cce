/* SPDX-License-Identifier: MIT */
/*
 * hostcfg.h: the host's identity and management network settings (hostname,
 * DHCP or static address, gateway, DNS), as the stick's settings.cfg gives
 * them and as the console changes and saves them (kernel/hostcfg.c, pure).
 *
 * Addresses are u32 in host byte order: a.b.c.d is a<<24 | b<<16 | c<<8 | d.
 */
#ifndef TV_HOSTCFG_H
#define TV_HOSTCFG_H

#include <tv/types.h>

#define HOSTCFG_NAME_MAX 63     /* one DNS label: what the console shows */
#define HOSTCFG_DNS_MAX 2

struct hostcfg {
	char hostname[HOSTCFG_NAME_MAX + 1];
	bool dhcp;
	u32 ip, mask, gw;               /* static only; gw 0: none */
	u32 dns[HOSTCFG_DNS_MAX];       /* 0: none; with DHCP these override the server's */
};

/* The defaults: hostname "thinvisor", DHCP, no DNS. */
void hostcfg_default(struct hostcfg *c);

/* Validators: NULL when good, else the reason ("a label may not start with '-'"). */
const char *hostcfg_check_hostname(const char *s);
/* A dotted quad "a.b.c.d", each 0-255 without leading zeros or signs. */
const char *hostcfg_parse_ip(const char *s, u32 *ip);
/* A netmask as a dotted quad or "/n" prefix length; it must be contiguous, /1-/30. */
const char *hostcfg_parse_mask(const char *s, u32 *mask);
/* The whole: a static address that is not the network or broadcast address,
 * not 0.x, 127.x, multicast or 255.255.255.255; a gateway inside the subnet. */
const char *hostcfg_check(const struct hostcfg *c);

/* The prefix length of a netmask: its leading one bits. */
unsigned hostcfg_prefix_len(u32 mask);
/* "a.b.c.d" into out (16 bytes). */
char *hostcfg_fmt_ip(u32 ip, char out[16]);

/*
 * Apply one settings key if it is one of ours (hostname, net.ip, net.mask,
 * net.gateway, net.dns; see docs/config.md). Returns 0 if not ours, 1 if
 * applied, -1 with *why if ours but invalid (c unchanged).
 */
int hostcfg_apply_key(struct hostcfg *c, const char *key, const char *value, const char **why);

/*
 * The saved form (a UEFI variable): a header with magic, version, length
 * and CRC-32, then the settings as settings.cfg lines. save returns the
 * length, or 0 if size is too small; load returns 0, or -1 with why
 * ("bad CRC", "line 2: ...") and leaves c untouched.
 */
#define HOSTCFG_SAVE_MAX 512
size_t hostcfg_save(const struct hostcfg *c, u8 *buf, size_t size);
int hostcfg_load(struct hostcfg *c, const u8 *buf, size_t len, char *why, size_t whylen);

#endif
