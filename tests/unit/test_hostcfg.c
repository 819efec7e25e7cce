// SPDX-License-Identifier: MIT
/* test_hostcfg.c: host settings validation, keys and the saved form (kernel/hostcfg.c). */
#include "test.h"

#include <tv/hostcfg.h>
#include <tv/string.h>

#define IP(a, b, c, d) ((u32)(a) << 24 | (b) << 16 | (c) << 8 | (d))

TEST(hostnames)
{
	char long64[65];

	CHECK(hostcfg_check_hostname("esx01") == NULL);
	CHECK(hostcfg_check_hostname("a") == NULL);
	CHECK(hostcfg_check_hostname("web-1-A") == NULL);
	CHECK_STR(hostcfg_check_hostname(""), "the hostname is empty");
	CHECK(hostcfg_check_hostname("-a") != NULL);
	CHECK(hostcfg_check_hostname("a-") != NULL);
	CHECK(hostcfg_check_hostname("a_b") != NULL);
	CHECK(hostcfg_check_hostname("a.b") != NULL);
	CHECK(hostcfg_check_hostname("a b") != NULL);
	CHECK(hostcfg_check_hostname("1234") != NULL);
	memset(long64, 'x', 64);
	long64[64] = '\0';
	CHECK_STR(hostcfg_check_hostname(long64), "the hostname is longer than 63 characters");
	long64[63] = '\0';
	CHECK(hostcfg_check_hostname(long64) == NULL);
}

TEST(addresses)
{
	u32 ip = 7, m;
	char buf[16];

	CHECK(hostcfg_parse_ip("10.0.2.15", &ip) == NULL);
	CHECK_EQ(ip, IP(10, 0, 2, 15));
	CHECK(hostcfg_parse_ip("255.255.255.255", &ip) == NULL);
	CHECK_STR(hostcfg_fmt_ip(IP(192, 168, 7, 2), buf), "192.168.7.2");
	CHECK_EQ(hostcfg_prefix_len(0xffffff00u), 24);
	CHECK_EQ(hostcfg_prefix_len(0xfffffffcu), 30);
	CHECK_EQ(hostcfg_prefix_len(0x80000000u), 1);
	CHECK_EQ(hostcfg_prefix_len(0), 0);
	ip = 7;
	CHECK(hostcfg_parse_ip("256.1.1.1", &ip) != NULL);
	CHECK(hostcfg_parse_ip("1.2.3", &ip) != NULL);
	CHECK(hostcfg_parse_ip("1.2.3.4.5", &ip) != NULL);
	CHECK(hostcfg_parse_ip("1.2.3.4 ", &ip) != NULL);
	CHECK(hostcfg_parse_ip("01.2.3.4", &ip) != NULL);
	CHECK(hostcfg_parse_ip("1..3.4", &ip) != NULL);
	CHECK(hostcfg_parse_ip("-1.2.3.4", &ip) != NULL);
	CHECK(hostcfg_parse_ip("11111.2.3.4", &ip) != NULL);
	CHECK(hostcfg_parse_ip("", &ip) != NULL);
	CHECK_EQ(ip, 7);     /* untouched on errors */

	CHECK(hostcfg_parse_mask("/24", &m) == NULL);
	CHECK_EQ(m, 0xffffff00u);
	CHECK(hostcfg_parse_mask("255.255.254.0", &m) == NULL);
	CHECK_EQ(m, 0xfffffe00u);
	CHECK(hostcfg_parse_mask("255.0.255.0", &m) != NULL);
	CHECK(hostcfg_parse_mask("/31", &m) != NULL);
	CHECK(hostcfg_parse_mask("/0", &m) != NULL);
	CHECK(hostcfg_parse_mask("/", &m) != NULL);
	CHECK(hostcfg_parse_mask("/24x", &m) != NULL);
	CHECK(hostcfg_parse_mask("0.0.0.0", &m) != NULL);
	CHECK(hostcfg_parse_mask("255.255.255.255", &m) != NULL);
}

TEST(whole)
{
	struct hostcfg c;

	hostcfg_default(&c);
	CHECK_STR(c.hostname, "thinvisor");
	CHECK(c.dhcp);
	CHECK(hostcfg_check(&c) == NULL);
	c.dhcp = false;
	CHECK(hostcfg_check(&c) != NULL);                 /* no address */
	c.ip = IP(192, 168, 7, 2);
	c.mask = 0xffffff00u;
	c.gw = IP(192, 168, 7, 1);
	CHECK(hostcfg_check(&c) == NULL);
	c.gw = IP(192, 168, 8, 1);
	CHECK_STR(hostcfg_check(&c), "the gateway is not in the address's subnet");
	c.gw = IP(192, 168, 7, 2);
	CHECK(hostcfg_check(&c) != NULL);
	c.gw = 0;
	c.ip = IP(192, 168, 7, 0);
	CHECK_STR(hostcfg_check(&c), "the address is the subnet's network address");
	c.ip = IP(192, 168, 7, 255);
	CHECK_STR(hostcfg_check(&c), "the address is the subnet's broadcast address");
	c.ip = IP(127, 0, 0, 1);
	CHECK(hostcfg_check(&c) != NULL);
	c.ip = IP(224, 0, 0, 1);
	CHECK(hostcfg_check(&c) != NULL);
	c.ip = IP(0, 1, 2, 3);
	CHECK(hostcfg_check(&c) != NULL);
}

TEST(keys)
{
	struct hostcfg c, before;
	const char *why;

	hostcfg_default(&c);
	CHECK_EQ(hostcfg_apply_key(&c, "kernel.cmdline", "x", &why), 0);
	CHECK_EQ(hostcfg_apply_key(&c, "HostName", "esx42", &why), 1);
	CHECK_STR(c.hostname, "esx42");
	CHECK_EQ(hostcfg_apply_key(&c, "net.ip", "192.168.7.2/24", &why), 1);
	CHECK(!c.dhcp);
	CHECK_EQ(c.ip, IP(192, 168, 7, 2));
	CHECK_EQ(c.mask, 0xffffff00u);
	CHECK_EQ(hostcfg_apply_key(&c, "net.gateway", "192.168.7.1", &why), 1);
	CHECK_EQ(hostcfg_apply_key(&c, "net.dns", "1.1.1.1, 8.8.8.8", &why), 1);
	CHECK_EQ(c.dns[0], IP(1, 1, 1, 1));
	CHECK_EQ(c.dns[1], IP(8, 8, 8, 8));
	CHECK(hostcfg_check(&c) == NULL);

	before = c;
	CHECK_EQ(hostcfg_apply_key(&c, "hostname", "bad_name", &why), -1);
	CHECK(why != NULL);
	CHECK_EQ(hostcfg_apply_key(&c, "net.ip", "192.168.7.300/24", &why), -1);
	CHECK_EQ(hostcfg_apply_key(&c, "net.ip", "127.0.0.1", &why), -1);
	CHECK_EQ(hostcfg_apply_key(&c, "net.ip", "192.168.7.9/33", &why), -1);
	CHECK_EQ(hostcfg_apply_key(&c, "net.dns", "1.1.1.1,2.2.2.2,3.3.3.3", &why), -1);
	CHECK_STR(why, "at most two DNS servers");
	CHECK_EQ(hostcfg_apply_key(&c, "net.dns", "1.1.1.1,", &why), 1);  /* a trailing comma */
	CHECK_EQ(c.dns[1], 0);
	c.dns[1] = before.dns[1];
	CHECK(memcmp(&c, &before, sizeof(c)) == 0);           /* errors changed nothing */
	CHECK_EQ(hostcfg_apply_key(&c, "net.ip", "DHCP", &why), 1);
	CHECK(c.dhcp);
}

TEST(saved_form)
{
	struct hostcfg c, d;
	u8 buf[HOSTCFG_SAVE_MAX];
	char why[96];
	size_t n;

	hostcfg_default(&c);
	tv_strlcpy(c.hostname, "esx42", sizeof(c.hostname));
	c.dhcp = false;
	c.ip = IP(192, 168, 7, 2);
	c.mask = 0xffffff00u;
	c.gw = IP(192, 168, 7, 1);
	c.dns[0] = IP(9, 9, 9, 9);
	n = hostcfg_save(&c, buf, sizeof(buf));
	CHECK(n > 16);
	CHECK_EQ(hostcfg_save(&c, buf, 40), 0);          /* too small */
	n = hostcfg_save(&c, buf, sizeof(buf));
	hostcfg_default(&d);
	CHECK_EQ(hostcfg_load(&d, buf, n, why, sizeof(why)), 0);
	CHECK(memcmp(&c, &d, sizeof(c)) == 0);

	/* DHCP round trip: a static stick setting does not leak in. */
	c.dhcp = true;
	n = hostcfg_save(&c, buf, sizeof(buf));
	CHECK_EQ(hostcfg_load(&d, buf, n, why, sizeof(why)), 0);
	CHECK(d.dhcp);

	/* Damage: every single flipped byte is caught; d is untouched. */
	for (size_t i = 0; i < n; i++) {
		struct hostcfg e = d;

		buf[i] ^= 0x20;
		CHECK_EQ(hostcfg_load(&e, buf, n, why, sizeof(why)), -1);
		CHECK(memcmp(&e, &d, sizeof(e)) == 0);
		buf[i] ^= 0x20;
	}
	CHECK_EQ(hostcfg_load(&d, buf, n - 1, why, sizeof(why)), -1);
	CHECK_EQ(hostcfg_load(&d, buf, 3, why, sizeof(why)), -1);
	CHECK_STR(why, "3 bytes, shorter than its header");
	CHECK_EQ(hostcfg_load(&d, buf, n, why, sizeof(why)), 0);
}

TEST_MAIN({ "hostnames", hostnames }, { "addresses", addresses }, { "whole", whole },
	  { "keys", keys }, { "saved_form", saved_form })
