// SPDX-License-Identifier: MIT
/* vmconfig.c: parsing and checking VM config files (keys in docs/config.md). Pure. */
#include <tv/errno.h>
#include <tv/printf.h>
#include <tv/string.h>
#include <tv/vmconfig.h>

#define DEFAULT_MEM_MIB 256
#define DEFAULT_CMDLINE "console=ttyS0"

enum key_id {
	K_DISPLAYNAME, K_MEMSIZE, K_NUMVCPUS, K_KERNEL, K_INITRD, K_CMDLINE, K_AUTOSTART,
	K_ORDER, K_GUESTOS, K_ANNOTATION, K_NKEYS
};

static const char *const key_names[K_NKEYS] = {
	[K_DISPLAYNAME] = "displayName",
	[K_MEMSIZE] = "memsize",
	[K_NUMVCPUS] = "numvcpus",
	[K_KERNEL] = "guest.kernel",
	[K_INITRD] = "guest.initrd",
	[K_CMDLINE] = "guest.cmdline",
	[K_AUTOSTART] = "autostart",
	[K_ORDER] = "autostart.order",
	/* Written by ESXi tools; accepted so such files need no editing, not used. */
	[K_GUESTOS] = "guestOS",
	[K_ANNOTATION] = "annotation",
};

static void diag_add(struct vmcfg_diag *diag, unsigned line, const char *fmt, ...)
	__printf(3, 4);

static void diag_add(struct vmcfg_diag *diag, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (diag->n == VMCFG_MAX_DIAG) {
		diag->dropped++;
		return;
	}
	diag->d[diag->n].line = line;
	va_start(ap, fmt);
	vsnprintf(diag->d[diag->n].msg, sizeof(diag->d[0].msg), fmt, ap);
	va_end(ap);
	diag->n++;
}

static int parse_num(const struct cfg_entry *e, u64 lo, u64 hi, u64 *out)
{
	if (tv_parse_u64(e->value, e->value_len, out) || *out < lo || *out > hi)
		return -EINVAL;
	return 0;
}

static int parse_bool(const struct cfg_entry *e, bool *out)
{
	static const char *const yes[] = { "true", "yes", "1" }, *const no[] = { "false", "no", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		size_t n = strlen(yes[i]), m = strlen(no[i]);
		size_t k;

		for (k = 0; k < n && k < e->value_len && tv_tolower(e->value[k]) == yes[i][k]; k++)
			;
		if (k == n && n == e->value_len) {
			*out = true;
			return 0;
		}
		for (k = 0; k < m && k < e->value_len && tv_tolower(e->value[k]) == no[i][k]; k++)
			;
		if (k == m && m == e->value_len) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* A guest file named in the config: checked, made a stick path, looked up. */
static void set_path(const struct cfg_entry *e, char *out, size_t size, vmcfg_file_exists_fn exists,
		     void *ctx, struct vmcfg_diag *diag)
{
	const char *why = cfg_path_check(e->value, e->value_len);

	if (why) {
		diag_add(diag, e->line, "%.*s \"%.*s\": %s", (int)e->key_len, e->key,
			 (int)e->value_len, e->value, why);
		return;
	}
	snprintf(out, size, "vms/%.*s", (int)e->value_len, e->value);
	if (exists && !exists(ctx, out)) {
		diag_add(diag, e->line, "guest file \"%.*s\" not found",
			 (int)e->value_len, e->value);
		out[0] = '\0';
	}
}

static void name_from_file(const char *file, char *name, size_t size)
{
	const char *b = strrchr(file, '/');
	size_t n;

	b = b ? b + 1 : file;
	n = strlen(b);
	if (n > 4 && b[n - 4] == '.' && tv_tolower(b[n - 3]) == 'v' && tv_tolower(b[n - 2]) == 'm' &&
	    tv_tolower(b[n - 1]) == 'x')
		n -= 4;
	if (n >= size)
		n = size - 1;
	memcpy(name, b, n);
	name[n] = '\0';
}

int vmcfg_parse(const char *file, const void *text, size_t len, vmcfg_file_exists_fn exists,
		void *ctx, struct vm_config *cfg, struct vmcfg_diag *diag)
{
	unsigned seen[K_NKEYS] = { 0 };
	struct cfglex lx;
	struct cfg_entry e;
	u64 v;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	memset(diag, 0, sizeof(*diag));
	tv_strlcpy(cfg->file, file, sizeof(cfg->file));
	name_from_file(file, cfg->name, sizeof(cfg->name));
	cfg->memsize_mib = DEFAULT_MEM_MIB;
	cfg->numvcpus = 1;
	tv_strlcpy(cfg->cmdline, DEFAULT_CMDLINE, sizeof(cfg->cmdline));
	cfg->autostart = true;

	cfglex_init(&lx, text, len);
	while ((r = cfglex_next(&lx, &e)) != 0) {
		enum key_id k;

		if (r < 0) {
			diag_add(diag, lx.line, "%s", lx.err);
			continue;
		}
		for (k = 0; k < K_NKEYS && !cfg_key_is(&e, key_names[k]); k++)
			;
		if (k == K_NKEYS) {
			diag_add(diag, e.line, "unknown key \"%.*s\"", (int)e.key_len, e.key);
			continue;
		}
		if (seen[k]) {
			diag_add(diag, e.line, "%s given twice (first on line %u)", key_names[k], seen[k]);
			continue;
		}
		seen[k] = e.line;
		switch (k) {
		case K_DISPLAYNAME:
			if (e.value_len == 0 || e.value_len > VMCFG_NAME_MAX)
				diag_add(diag, e.line, "displayName must be 1 to %d characters",
					 VMCFG_NAME_MAX);
			else {
				cfg_value_copy(&e, cfg->name, sizeof(cfg->name));
				cfg->name_line = e.line;
			}
			break;
		case K_MEMSIZE:
			if (parse_num(&e, VMCFG_MEM_MIN_MIB, VMCFG_MEM_MAX_MIB, &v))
				diag_add(diag, e.line, "memsize \"%.*s\" is not a number of MiB from %u to %u",
					 (int)e.value_len, e.value, VMCFG_MEM_MIN_MIB, VMCFG_MEM_MAX_MIB);
			else if (v % 2)
				diag_add(diag, e.line, "memsize %llu is not a multiple of 2 MiB",
					 (unsigned long long)v);
			else {
				cfg->memsize_mib = v;
				cfg->memsize_line = e.line;
			}
			break;
		case K_NUMVCPUS:
			if (parse_num(&e, 1, VMCFG_VCPUS_MAX, &v))
				diag_add(diag, e.line, "numvcpus \"%.*s\" is not a number from 1 to %u",
					 (int)e.value_len, e.value, VMCFG_VCPUS_MAX);
			else
				cfg->numvcpus = (unsigned)v;
			break;
		case K_KERNEL:
			set_path(&e, cfg->kernel, sizeof(cfg->kernel), exists, ctx, diag);
			cfg->kernel_line = e.line;
			break;
		case K_INITRD:
			set_path(&e, cfg->initrd, sizeof(cfg->initrd), exists, ctx, diag);
			cfg->initrd_line = e.line;
			break;
		case K_CMDLINE:
			cfg_value_copy(&e, cfg->cmdline, sizeof(cfg->cmdline));
			break;
		case K_AUTOSTART:
			if (parse_bool(&e, &cfg->autostart))
				diag_add(diag, e.line, "autostart must be true or false, not \"%.*s\"",
					 (int)e.value_len, e.value);
			break;
		case K_ORDER:
			if (parse_num(&e, 0, 9999, &v))
				diag_add(diag, e.line, "autostart.order must be a number from 0 to 9999");
			else
				cfg->start_order = (int)v;
			break;
		case K_GUESTOS:
		case K_ANNOTATION:
		case K_NKEYS:
			break;
		}
	}
	if (!seen[K_KERNEL])
		diag_add(diag, 0, "guest.kernel is missing: nothing to boot");
	return diag->n || diag->dropped ? -EINVAL : 0;
}

void vmcfg_check_names(struct vm_config *cfgs, struct vmcfg_diag *diags, bool *ok, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		for (size_t j = 0; j < i; j++) {
			size_t k;

			if (!ok[j])
				continue;
			/* Names compare without case: the console addresses VMs by name. */
			for (k = 0; cfgs[i].name[k] &&
				    tv_tolower(cfgs[i].name[k]) == tv_tolower(cfgs[j].name[k]); k++)
				;
			if (cfgs[i].name[k] || cfgs[j].name[k])
				continue;
			diag_add(&diags[i], cfgs[i].name_line, "VM name \"%s\" is already used by %s",
				 cfgs[i].name, cfgs[j].file);
			ok[i] = false;
			break;
		}
	}
}

void vmcfg_start_order(const struct vm_config *cfgs, unsigned *idx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		idx[i] = (unsigned)i;
	for (size_t i = 1; i < n; i++) {
		unsigned t = idx[i];
		size_t j = i;

		while (j > 0 && (cfgs[idx[j - 1]].start_order > cfgs[t].start_order ||
				 (cfgs[idx[j - 1]].start_order == cfgs[t].start_order &&
				  strcmp(cfgs[idx[j - 1]].file, cfgs[t].file) > 0))) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = t;
	}
}
