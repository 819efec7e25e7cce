// SPDX-License-Identifier: MIT
/*
 * vmconfig_dev.c: the device keys of VM configs, diskN.* (virtio-blk) and
 * ethernetN.* (virtio-net), named as ESXi names them (docs/config.md). Pure.
 */
#include <tv/errno.h>
#include <tv/printf.h>
#include <tv/string.h>
#include <tv/vmconfig.h>
#include "vmconfig_internal.h"

static const char *const disk_fields[D_NFIELDS] = {
	[D_PRESENT] = "present", [D_FILENAME] = "fileName", [D_READONLY] = "readOnly",
	[D_SIZEMB] = "sizeMB",
};
static const char *const nic_fields[N_NFIELDS] = {
	[N_PRESENT] = "present", [N_NETWORK] = "networkName", [N_ADDRESS] = "address",
	[N_ADDRESSTYPE] = "addressType", [N_VIRTUALDEV] = "virtualDev",
};

struct dev_kind {
	const char *prefix;
	unsigned max;
	const char *const *fields;
	unsigned nfields;
	const char *plural;     /* "disks are disk0 to disk3" */
	const char *has;        /* for the unknown-field message */
};

static const struct dev_kind disks = { "disk", VMCFG_DISKS_MAX, disk_fields, D_NFIELDS, "disks",
				       "a disk has present, fileName, readOnly, sizeMB" };
static const struct dev_kind nics = {
	"ethernet", VMCFG_NICS_MAX, nic_fields, N_NFIELDS, "NICs",
	"a NIC has present, networkName, address, addressType, virtualDev"
};

/*
 * "<prefix><N>.<field>": *n and *f, 1; another key, 0; a key of this kind
 * with a bad N or field, -1 (diagnosed).
 */
static int dev_key(const struct cfg_entry *e, const struct dev_kind *k, unsigned *n, unsigned *f,
		   struct vmcfg_diag *diag)
{
	const char *key = e->key, *dot;
	size_t len = e->key_len, pl = strlen(k->prefix);

	if (len < pl + 2 || key[pl] < '0' || key[pl] > '9')
		return 0;
	for (size_t i = 0; i < pl; i++)
		if (tv_tolower(key[i]) != k->prefix[i])
			return 0;
	dot = memchr(key, '.', len);
	if (!dot)
		return 0;
	if (dot != key + pl + 1 || (unsigned)(key[pl] - '0') >= k->max) {
		diag_add(diag, e->line, "\"%.*s\": %s are %s0 to %s%u", (int)len, key, k->plural,
			 k->prefix, k->prefix, k->max - 1);
		return -1;
	}
	*n = (unsigned)(key[pl] - '0');
	for (unsigned i = 0; i < k->nfields; i++) {
		struct cfg_entry sub = *e;

		sub.key = dot + 1;
		sub.key_len = len - pl - 2;
		if (cfg_key_is(&sub, k->fields[i])) {
			*f = i;
			return 1;
		}
	}
	diag_add(diag, e->line, "unknown key \"%.*s\" (%s)", (int)len, key, k->has);
	return -1;
}

/* diskN.fileName: a stick image next to the config, or "[datastore] path". */
static void set_disk_file(const struct cfg_entry *e, struct vmcfg_disk *d,
			  vmcfg_file_exists_fn exists, void *ctx, struct vmcfg_diag *diag)
{
	const char *v = e->value, *end = v + e->value_len, *close, *c;

	d->line = e->line;
	if (e->value_len == 0 || v[0] != '[') {
		set_path(e, d->file, sizeof(d->file), exists, ctx, diag);
		return;
	}
	close = memchr(v, ']', e->value_len);
	for (c = v + 1; close && c < close && (tv_isalnum(*c) || *c == '_' || *c == '-'); c++)
		;
	/* A name of 1 to 31 of [A-Za-z0-9_-], one space, a path as the stick's. */
	if (!close || c != close || close == v + 1 || close - v - 1 > VMCFG_DATASTORE_MAX ||
	    close + 2 > end || close[1] != ' ' ||
	    cfg_path_check(close + 2, (size_t)(end - close - 2))) {
		diag_add(diag, e->line, "%.*s \"%.*s\": a datastore disk is \"[name] path\"",
			 (int)e->key_len, e->key, (int)e->value_len, v);
		return;
	}
	memcpy(d->datastore, v + 1, (size_t)(close - v - 1));
	d->datastore[close - v - 1] = '\0';
	memcpy(d->file, close + 2, (size_t)(end - close - 2));
	d->file[end - close - 2] = '\0';
}

static void set_disk(unsigned n, unsigned f, const struct cfg_entry *e,
		     struct vm_config *cfg, vmcfg_file_exists_fn exists, void *ctx,
		     struct vmcfg_diag *diag)
{
	struct vmcfg_disk *d = &cfg->disk[n];
	bool b;

	if (f == D_FILENAME) {
		set_disk_file(e, d, exists, ctx, diag);
		return;
	}
	if (f == D_SIZEMB) {
		if (tv_parse_u64(e->value, e->value_len, &d->size_mib) || !d->size_mib ||
		    d->size_mib > VMCFG_DISK_MAX_MIB)
			diag_add(diag, e->line, "disk%u.sizeMB \"%.*s\" is not a number of MiB from 1 to %u",
				 n, (int)e->value_len, e->value, VMCFG_DISK_MAX_MIB);
		return;
	}
	if (parse_bool(e, &b)) {
		diag_add(diag, e->line, "disk%u.%s must be true or false, not \"%.*s\"", n,
			 disk_fields[f], (int)e->value_len, e->value);
		return;
	}
	if (f == D_PRESENT)
		d->present = b;
	else
		d->read_only = b;
}

/* After all lines: a disk exists when it has a file and is not switched off. */
static void check_disks(struct vm_config *cfg, const unsigned seen[][D_NFIELDS],
			struct vmcfg_diag *diag)
{
	for (unsigned n = 0; n < VMCFG_DISKS_MAX; n++) {
		struct vmcfg_disk *d = &cfg->disk[n];

		if (!seen[n][D_FILENAME]) {
			unsigned f = seen[n][D_PRESENT] && d->present ? D_PRESENT
				     : seen[n][D_READONLY] ? D_READONLY
							   : D_SIZEMB;

			if (seen[n][f])
				diag_add(diag, seen[n][f], "disk%u.%s without disk%u.fileName", n,
					 disk_fields[f], n);
			d->present = false;
			continue;
		}
		if (!seen[n][D_PRESENT])
			d->present = true;
		if (!d->file[0])
			d->present = false;    /* a bad or missing file: already diagnosed */
		else if (seen[n][D_SIZEMB] && !d->datastore[0])
			diag_add(diag, seen[n][D_SIZEMB],
				 "disk%u.sizeMB is for datastore disks; a stick image has its own size", n);
	}
}

static int hexval(char c)
{
	return tv_isdigit(c) ? c - '0' : tv_isxdigit(c) ? (c | 0x20) - 'a' + 10 : -1;
}

/* "02:74:76:0a:0b:0c" (or with dashes): a unicast address, not all zero. */
static int parse_mac(const struct cfg_entry *e, u8 mac[6])
{
	const char *v = e->value;
	u8 any = 0;

	if (e->value_len != 17)
		return -EINVAL;
	for (unsigned i = 0; i < 6; i++) {
		int hi = hexval(v[3 * i]), lo = hexval(v[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && v[3 * i + 2] != ':' && v[3 * i + 2] != '-'))
			return -EINVAL;
		mac[i] = (u8)(hi << 4 | lo);
		any |= mac[i];
	}
	return (mac[0] & 1) || !any ? -EINVAL : 0;
}

static void set_nic(unsigned n, unsigned f, const struct cfg_entry *e, struct vm_config *cfg,
		    struct vmcfg_diag *diag)
{
	struct vmcfg_nic *c = &cfg->nic[n];
	int vl = (int)e->value_len;

	switch (f) {
	case N_PRESENT:
		if (parse_bool(e, &c->present))
			diag_add(diag, e->line, "ethernet%u.present must be true or false, not \"%.*s\"",
				 n, vl, e->value);
		break;
	case N_NETWORK:
		if (vl == 0 || vl > VMCFG_NETNAME_MAX)
			diag_add(diag, e->line, "ethernet%u.networkName must be 1 to %d characters", n,
				 VMCFG_NETNAME_MAX);
		else
			cfg_value_copy(e, c->network, sizeof(c->network));
		break;
	case N_ADDRESS:
		if (parse_mac(e, c->mac))
			diag_add(diag, e->line,
				 "ethernet%u.address \"%.*s\" is not a unicast MAC like 02:74:76:00:00:01",
				 n, vl, e->value);
		else
			c->mac_static = true;
		break;
	case N_ADDRESSTYPE:
		if (value_is(e, "static") || value_is(e, "generated"))
			c->addr_type = (char)tv_tolower(e->value[0]);
		else
			diag_add(diag, e->line,
				 "ethernet%u.addressType must be static or generated, not \"%.*s\"", n, vl,
				 e->value);
		break;
	case N_VIRTUALDEV:
		if (!value_is(e, "virtio"))
			diag_add(diag, e->line,
				 "ethernet%u.virtualDev \"%.*s\": VMs get virtio-net only (\"virtio\")", n,
				 vl, e->value);
		break;
	}
}

/* A stable address per VM and NIC: the locally administered 02:74:76 ("tv") and a hash. */
static void generate_mac(const char *name, unsigned n, u8 mac[6])
{
	u32 h = 2166136261u;

	for (const char *p = name; *p; p++)
		h = (h ^ (u8)tv_tolower(*p)) * 16777619u;
	h = (h ^ n) * 16777619u;
	mac[0] = 0x02;
	mac[1] = 0x74;
	mac[2] = 0x76;
	mac[3] = (u8)(h >> 16);
	mac[4] = (u8)(h >> 8);
	mac[5] = (u8)h;
}

/* A NIC exists when ethernetN.present is true, or any of its keys is given and present is not false. */
static void check_nics(struct vm_config *cfg, const unsigned seen[][N_NFIELDS],
		       struct vmcfg_diag *diag)
{
	for (unsigned n = 0; n < VMCFG_NICS_MAX; n++) {
		struct vmcfg_nic *c = &cfg->nic[n];
		unsigned first = 0;

		for (unsigned f = 0; f < N_NFIELDS; f++)
			if (seen[n][f] && (!first || seen[n][f] < first))
				first = seen[n][f];
		if (!first || (seen[n][N_PRESENT] && !c->present)) {
			c->present = false;
			continue;
		}
		c->present = true;
		c->line = seen[n][N_PRESENT] ? seen[n][N_PRESENT] : first;
		if (!c->network[0])
			tv_strlcpy(c->network, VMCFG_NETWORK_DEFAULT, sizeof(c->network));
		if (c->addr_type == 's' && !seen[n][N_ADDRESS])
			diag_add(diag, seen[n][N_ADDRESSTYPE],
				 "ethernet%u.addressType static without ethernet%u.address", n, n);
		if (c->addr_type == 'g' && seen[n][N_ADDRESS])
			diag_add(diag, seen[n][N_ADDRESS],
				 "ethernet%u.address with ethernet%u.addressType generated", n, n);
		if (!c->mac_static)
			generate_mac(cfg->name, n, c->mac);
	}
}

bool vmcfg_dev_key(const struct cfg_entry *e, struct vm_config *cfg, struct vmcfg_devseen *seen,
		   vmcfg_file_exists_fn exists, void *ctx, struct vmcfg_diag *diag)
{
	unsigned n, f;
	int r = dev_key(e, &disks, &n, &f, diag);
	bool nic = false;

	if (!r) {
		r = dev_key(e, &nics, &n, &f, diag);
		nic = true;
	}
	if (r <= 0)
		return r < 0;
	unsigned *line = nic ? &seen->nic[n][f] : &seen->disk[n][f];

	if (*line) {
		diag_add(diag, e->line, "%s%u.%s given twice (first on line %u)",
			 nic ? "ethernet" : "disk", n, nic ? nic_fields[f] : disk_fields[f], *line);
		return true;
	}
	*line = e->line;
	if (nic)
		set_nic(n, f, e, cfg, diag);
	else
		set_disk(n, f, e, cfg, exists, ctx, diag);
	return true;
}

void vmcfg_dev_finish(struct vm_config *cfg, const struct vmcfg_devseen *seen,
		      struct vmcfg_diag *diag)
{
	check_disks(cfg, seen->disk, diag);
	check_nics(cfg, seen->nic, diag);
}
