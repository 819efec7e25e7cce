// SPDX-License-Identifier: MIT
/* vmconfig.c: parsing and checking VM config files (keys in docs/config.md). Pure. */
#include <tv/errno.h>
#include <tv/printf.h>
#include <tv/string.h>
#include <tv/vmconfig.h>
#include "vmconfig_internal.h"

#define DEFAULT_MEM_MIB 256
#define DEFAULT_CMDLINE "console=ttyS0"

enum key_id {
	K_DISPLAYNAME, K_MEMSIZE, K_NUMVCPUS, K_KERNEL, K_INITRD, K_CMDLINE, K_AUTOSTART,
	K_ORDER, K_SHARES, K_CPU_MIN, K_CPU_MAX, K_AFFINITY, K_MEM_MIN, K_MEM_MAX, K_MEM_SHARES,
	K_PSHARE, K_SALT, K_VCONSOLE, K_VRNG, K_VBALLOON, K_GUESTOS, K_ANNOTATION, K_NKEYS
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
	[K_SHARES] = "sched.cpu.shares",
	[K_CPU_MIN] = "sched.cpu.min",
	[K_CPU_MAX] = "sched.cpu.max",
	[K_AFFINITY] = "sched.cpu.affinity",
	[K_MEM_MIN] = "sched.mem.min",
	[K_MEM_MAX] = "sched.mem.max",
	[K_MEM_SHARES] = "sched.mem.shares",
	[K_PSHARE] = "sched.mem.pshare.enable",
	[K_SALT] = "sched.mem.pshare.salt",
	[K_VCONSOLE] = "virtioConsole.present",
	[K_VRNG] = "virtioRng.present",
	[K_VBALLOON] = "virtioBalloon.present",
	/* Written by ESXi tools; accepted so such files need no editing, not used. */
	[K_GUESTOS] = "guestOS",
	[K_ANNOTATION] = "annotation",
};

void diag_add(struct vmcfg_diag *diag, unsigned line, const char *fmt, ...)
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

/* Is the value this word, ignoring ASCII case? */
bool value_is(const struct cfg_entry *e, const char *word)
{
	size_t n = strlen(word);

	if (e->value_len != n)
		return false;
	for (size_t k = 0; k < n; k++)
		if (tv_tolower(e->value[k]) != word[k])
			return false;
	return true;
}

int parse_bool(const struct cfg_entry *e, bool *out)
{
	static const char *const yes[] = { "true", "yes", "1" }, *const no[] = { "false", "no", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (value_is(e, yes[i])) {
			*out = true;
			return 0;
		}
		if (value_is(e, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Shares levels that count per unit (per vCPU, per MB) until the file is read. */
struct shares_levels {
	u32 cpu, mem;                     /* 0: a number was given */
};

/*
 * sched.cpu.shares and sched.mem.shares: ESXi's levels (low, normal, high:
 * the values in `per`) count per vCPU or per MB, so they are returned in
 * *level and multiplied once numvcpus or memsize is known; a number is the
 * VM's total.
 */
static int parse_shares(const struct cfg_entry *e, const u32 per[3], u32 *level, u64 *total)
{
	static const char *const names[3] = { "low", "normal", "high" };
	u64 v;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (value_is(e, names[i])) {
			*level = per[i];
			return 0;
		}
	}
	if (parse_num(e, 1, VMCFG_SHARES_MAX, &v))
		return -EINVAL;
	*level = 0;
	*total = v;
	return 0;
}

/* ESXi's "-1": no limit. */
static bool value_is_minus_one(const struct cfg_entry *e)
{
	return e->value_len == 2 && e->value[0] == '-' && e->value[1] == '1';
}

/* One CPU number of an affinity list: [s, s+len), 0 to 63. */
static int parse_cpu(const char *s, size_t len, unsigned *cpu)
{
	u64 v;

	if (tv_parse_u64(s, len, &v) || v >= VMCFG_AFFINITY_CPUS)
		return -EINVAL;
	*cpu = (unsigned)v;
	return 0;
}

/*
 * sched.cpu.affinity: "all", or host CPU numbers and ranges separated by
 * commas ("0,2-3"; spaces around items are fine). Bit n of *mask is CPU n.
 */
static int parse_affinity(const struct cfg_entry *e, u64 *mask, struct vmcfg_diag *diag)
{
	const char *p = e->value, *end = e->value + e->value_len;
	int vl = (int)e->value_len;
	u64 m = 0;

	if (value_is(e, "all")) {
		*mask = 0;
		return 0;
	}
	for (;;) {
		const char *item, *item_end, *dash, *hi_s;
		unsigned lo, hi;

		while (p < end && *p == ' ')
			p++;
		item = p;
		while (p < end && *p != ',')
			p++;
		item_end = p;
		while (item_end > item && item_end[-1] == ' ')
			item_end--;
		if (item == item_end) {
			diag_add(diag, e->line, "sched.cpu.affinity \"%.*s\": %s", vl, e->value,
				 vl ? "empty item in the CPU list"
				    : "empty: use \"all\" or CPUs like \"0,2-3\"");
			return -EINVAL;
		}
		for (dash = item; dash < item_end && *dash != '-'; dash++)
			;
		/* "N" is the range N-N. */
		hi_s = dash < item_end ? dash + 1 : item;
		if (parse_cpu(item, (size_t)(dash - item), &lo) ||
		    parse_cpu(hi_s, (size_t)(item_end - hi_s), &hi)) {
			diag_add(diag, e->line,
				 "sched.cpu.affinity \"%.*s\": \"%.*s\" is not a CPU from 0 to %u or a range like 2-3",
				 vl, e->value, (int)(item_end - item), item, VMCFG_AFFINITY_CPUS - 1);
			return -EINVAL;
		}
		if (hi < lo) {
			diag_add(diag, e->line, "sched.cpu.affinity \"%.*s\": range \"%.*s\" runs backwards",
				 vl, e->value, (int)(item_end - item), item);
			return -EINVAL;
		}
		for (unsigned c = lo; c <= hi; c++)
			m |= 1ull << c;
		if (p == end)
			break;
		p++;    /* the comma */
	}
	*mask = m;
	return 0;
}

/* A guest file named in the config: checked, made a stick path, looked up. */
void set_path(const struct cfg_entry *e, char *out, size_t size, vmcfg_file_exists_fn exists,
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

/* The sched.cpu.* and sched.mem.* keys (docs/config.md); admission checks the host's capacity. */
static void set_sched(enum key_id k, const struct cfg_entry *e, struct vm_config *cfg,
		      struct shares_levels *lv, struct vmcfg_diag *diag)
{
	static const u32 cpu_per[3] = { VMCFG_SHARES_LOW, VMCFG_SHARES_NORMAL, VMCFG_SHARES_HIGH };
	static const u32 mem_per[3] = { VMCFG_MEM_SHARES_LOW, VMCFG_MEM_SHARES_NORMAL,
					VMCFG_MEM_SHARES_HIGH };
	int vl = (int)e->value_len;
	u64 v;

	switch (k) {
	case K_SHARES:
	case K_MEM_SHARES:
		if (k == K_SHARES ? parse_shares(e, cpu_per, &lv->cpu, &v)
				  : parse_shares(e, mem_per, &lv->mem, &cfg->mem_shares)) {
			diag_add(diag, e->line,
				 "%s \"%.*s\" is not low, normal, high or a number from 1 to %u",
				 key_names[k], vl, e->value, VMCFG_SHARES_MAX);
		} else if (k == K_SHARES) {
			if (!lv->cpu)
				cfg->cpu_shares = (u32)v;
			cfg->cpu_shares_line = e->line;
		} else {
			cfg->mem_shares_line = e->line;
		}
		break;
	case K_CPU_MIN:
		if (parse_num(e, 0, VMCFG_CPU_MHZ_MAX, &v)) {
			diag_add(diag, e->line, "sched.cpu.min \"%.*s\" is not a number of MHz from 0 to %u",
				 vl, e->value, VMCFG_CPU_MHZ_MAX);
			break;
		}
		cfg->cpu_min_mhz = (u32)v;
		cfg->cpu_min_line = e->line;
		break;
	case K_CPU_MAX:
		/* ESXi writes -1 for "no limit"; 0 would be a VM that never runs. */
		if (value_is_minus_one(e)) {
			v = 0;
		} else if (parse_num(e, 0, VMCFG_CPU_MHZ_MAX, &v)) {
			diag_add(diag, e->line,
				 "sched.cpu.max \"%.*s\" is not a number of MHz from 1 to %u, or -1 for no limit",
				 vl, e->value, VMCFG_CPU_MHZ_MAX);
			break;
		} else if (v == 0) {
			diag_add(diag, e->line,
				 "sched.cpu.max 0 MHz would never let the VM run: use -1 for no limit");
			break;
		}
		cfg->cpu_max_mhz = (u32)v;
		cfg->cpu_max_line = e->line;
		break;
	case K_AFFINITY:
		if (!parse_affinity(e, &cfg->cpu_affinity, diag))
			cfg->cpu_affinity_line = e->line;
		break;
	case K_MEM_MIN:
		/* ESXi's unit: MB. Checked against memsize once the file is read. */
		if (parse_num(e, 0, VMCFG_MEM_MAX_MIB, &v)) {
			diag_add(diag, e->line, "sched.mem.min \"%.*s\" is not a number of MB from 0 to %u",
				 vl, e->value, VMCFG_MEM_MAX_MIB);
			break;
		}
		cfg->mem_min_mib = v;
		cfg->mem_min_line = e->line;
		break;
	case K_MEM_MAX:
		/*
		 * MB, -1 for no limit as ESXi writes it. Above memsize it is
		 * kept but limits nothing; checked against sched.mem.min once
		 * the file is read.
		 */
		if (value_is_minus_one(e)) {
			v = 0;
		} else if (parse_num(e, 0, VMCFG_MEM_MAX_MIB, &v)) {
			diag_add(diag, e->line,
				 "sched.mem.max \"%.*s\" is not a number of MB from 1 to %u, or -1 for no limit",
				 vl, e->value, VMCFG_MEM_MAX_MIB);
			break;
		} else if (v == 0) {
			diag_add(diag, e->line,
				 "sched.mem.max 0 MB would leave the VM no memory: use -1 for no limit");
			break;
		}
		cfg->mem_max_mib = v;
		cfg->mem_max_line = e->line;
		break;
	default:
		break;
	}
}

/*
 * sched.mem.pshare.salt: VMs with the same salt share pages, so it is a
 * name an admin types into several configs: a plain word, no quoting games.
 */
static void set_salt(const struct cfg_entry *e, struct vm_config *cfg, struct vmcfg_diag *diag)
{
	int vl = (int)e->value_len;

	if (vl == 0) {
		diag_add(diag, e->line,
			 "sched.mem.pshare.salt is empty: leave it out to share only within the VM");
		return;
	}
	if (vl > VMCFG_SALT_MAX) {
		diag_add(diag, e->line, "sched.mem.pshare.salt has %d characters: at most %d", vl,
			 VMCFG_SALT_MAX);
		return;
	}
	for (int i = 0; i < vl; i++) {
		char c = e->value[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-')) {
			diag_add(diag, e->line,
				 "sched.mem.pshare.salt \"%.*s\": '%c' is not a letter, digit, '.', '_' or '-'",
				 vl, e->value, c);
			return;
		}
	}
	cfg_value_copy(e, cfg->pshare_salt, sizeof(cfg->pshare_salt));
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
	struct vmcfg_devseen seen_dev = { 0 };
	struct shares_levels levels = { VMCFG_SHARES_NORMAL, VMCFG_MEM_SHARES_NORMAL };
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
	cfg->pshare_enable = true;

	cfglex_init(&lx, text, len);
	while ((r = cfglex_next(&lx, &e)) != 0) {
		enum key_id k;

		if (r < 0) {
			diag_add(diag, lx.line, "%s", lx.err);
			continue;
		}
		if (vmcfg_dev_key(&e, cfg, &seen_dev, exists, ctx, diag))
			continue;
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
		case K_SHARES:
		case K_CPU_MIN:
		case K_CPU_MAX:
		case K_AFFINITY:
		case K_MEM_MIN:
		case K_MEM_MAX:
		case K_MEM_SHARES:
			set_sched(k, &e, cfg, &levels, diag);
			break;
		case K_SALT:
			set_salt(&e, cfg, diag);
			break;
		case K_PSHARE:
		case K_VCONSOLE:
		case K_VRNG:
		case K_VBALLOON:
			if (parse_bool(&e, k == K_PSHARE     ? &cfg->pshare_enable :
					   k == K_VCONSOLE ? &cfg->virtio_console :
					   k == K_VRNG     ? &cfg->virtio_rng :
							     &cfg->virtio_balloon))
				diag_add(diag, e.line, "%s must be true or false, not \"%.*s\"",
					 key_names[k], (int)e.value_len, e.value);
			break;
		case K_GUESTOS:
		case K_ANNOTATION:
		case K_NKEYS:
			break;
		}
	}
	vmcfg_dev_finish(cfg, &seen_dev, diag);
	if (levels.cpu)
		cfg->cpu_shares = levels.cpu * cfg->numvcpus;
	if (levels.mem)
		cfg->mem_shares = (u64)levels.mem * cfg->memsize_mib;
	if (cfg->cpu_max_mhz && cfg->cpu_min_mhz > cfg->cpu_max_mhz)
		diag_add(diag, cfg->cpu_min_line,
			 "sched.cpu.min %u MHz is more than sched.cpu.max %u MHz (line %u)",
			 cfg->cpu_min_mhz, cfg->cpu_max_mhz, cfg->cpu_max_line);
	if (cfg->mem_min_mib > cfg->memsize_mib)
		diag_add(diag, cfg->mem_min_line, "sched.mem.min %llu MB is more than memsize %llu MB",
			 (unsigned long long)cfg->mem_min_mib, (unsigned long long)cfg->memsize_mib);
	if (cfg->mem_max_mib && cfg->mem_max_mib < cfg->mem_min_mib)
		diag_add(diag, cfg->mem_max_line,
			 "sched.mem.max %llu MB is less than sched.mem.min %llu MB (line %u)",
			 (unsigned long long)cfg->mem_max_mib, (unsigned long long)cfg->mem_min_mib,
			 cfg->mem_min_line);
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
