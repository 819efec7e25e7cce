/* SPDX-License-Identifier: MIT */
/*
 * cfglex.h: the line lexer shared by every reader of thinvisor config files
 * (host settings and .vmx VM configs), in the loader, the kernel and tools.
 *
 * Syntax (docs/config.md): one `key = "value"` per line, `#` starts a
 * comment line, blank lines are ignored, CRLF is accepted. Keys are
 * [A-Za-z0-9_.:-]+; values are printable ASCII without '"'.
 */
#ifndef TV_CFGLEX_H
#define TV_CFGLEX_H

#include <tv/types.h>

#define CFG_MAX_LINE 1024
#define CFG_MAX_KEY 64
#define CFG_MAX_VALUE 512

struct cfg_entry {
	const char *key;      /* not terminated: use key_len */
	size_t key_len;
	const char *value;    /* not terminated: use value_len */
	size_t value_len;
	unsigned line;        /* 1-based */
};

struct cfglex {
	const char *buf;
	size_t len;
	size_t pos;
	unsigned line;        /* line of the last entry or error */
	const char *err;      /* reason of the last error */
};

void cfglex_init(struct cfglex *lx, const void *buf, size_t len);

/*
 * Next entry: 1 with *e filled, 0 at end of input, -EINVAL on a malformed
 * line (lx->line and lx->err say where and why; the next call continues
 * with the following line, so callers can report every bad line).
 */
int cfglex_next(struct cfglex *lx, struct cfg_entry *e);

/* Compare an entry's key with a C string, ignoring ASCII case (as ESXi does). */
bool cfg_key_is(const struct cfg_entry *e, const char *key);

/* Copy a value into a terminated buffer; false if it does not fit. */
bool cfg_value_copy(const struct cfg_entry *e, char *out, size_t size);

/*
 * A guest file path as written in a VM config: relative to the config's
 * folder, '/'-separated components of [A-Za-z0-9._+-], none of them "." or
 * "..", at most CFG_MAX_PATH bytes. Returns NULL if valid, else the reason.
 */
#define CFG_MAX_PATH 200
const char *cfg_path_check(const char *path, size_t len);

/* True for VM config keys whose value names a guest file to load from the stick. */
bool vmcfg_key_is_file(const struct cfg_entry *e);

#endif
