/* SPDX-License-Identifier: MIT */
/*
 * vmconfig_fixture.h: what the VM config tests share: a fake stick that has
 * every guest file but those listed as missing, parse(), and
 * check_one_error() for a config with exactly one problem. One test program
 * includes it once.
 */
#ifndef TESTS_UNIT_VMCONFIG_FIXTURE_H
#define TESTS_UNIT_VMCONFIG_FIXTURE_H

#include "test.h"

#include <tv/errno.h>
#include <tv/vmconfig.h>

/* The fake stick: every guest file exists except those listed in `missing`. */
#define MAX_ASKED 8
static struct {
	const char *missing[4];
	char asked[MAX_ASKED][CFG_MAX_PATH + 8];
	int nasked;
	int ctx_bad;
} stick;

static inline bool stick_exists(void *ctx, const char *path)
{
	if (ctx != &stick)
		stick.ctx_bad++;
	if (stick.nasked < MAX_ASKED)
		snprintf(stick.asked[stick.nasked], sizeof(stick.asked[0]), "%s", path);
	stick.nasked++;
	for (int i = 0; i < 4 && stick.missing[i]; i++)
		if (strcmp(stick.missing[i], path) == 0)
			return false;
	return true;
}

static inline void stick_reset(void)
{
	memset(&stick, 0, sizeof(stick));
}

static struct vm_config cfg;
static struct vmcfg_diag diag;

static inline int parse(const char *file, const char *text)
{
	stick_reset();
	return vmcfg_parse(file, text, strlen(text), stick_exists, &stick, &cfg, &diag);
}

/* A config whose only problem is `line`: exactly one diag with that text. */
static inline void check_one_error(const char *text, unsigned line, const char *msg)
{
	CHECK_EQ(parse("vms/t.vmx", text), -EINVAL);
	CHECK_EQ(diag.n, 1);
	CHECK_EQ(diag.dropped, 0);
	CHECK_EQ(diag.d[0].line, line);
	CHECK_STR(diag.d[0].msg, msg);
}

#define KERNEL "guest.kernel = \"linux/bzImage\"\n"

#endif
