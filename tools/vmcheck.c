// SPDX-License-Identifier: MIT
/*
 * vmcheck.c: the config checker for the admin's machine. Runs thinvisor's
 * own parser (vmm/vmconfig.c) over .vmx files and reports exactly what the
 * hypervisor would: "file:line: reason". Guest files are looked up next to
 * each config, where mkstick takes them from.
 *
 *   vmcheck VM.vmx ...     exit 0 if every config is usable, 1 otherwise
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tv/vmconfig.h>

#define MAX_VMS 64

static bool exists_next_to(void *ctx, const char *stick_path)
{
	const char *dir = ctx;
	char path[8192];
	struct stat st;

	/* Stick paths are "vms/<value>"; on disk the value is relative to the config. */
	snprintf(path, sizeof(path), "%s/%s", dir, stick_path + 4);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

int main(int argc, char **argv)
{
	static struct vm_config cfgs[MAX_VMS];
	static struct vmcfg_diag diags[MAX_VMS];
	static bool ok[MAX_VMS];
	char *shown[MAX_VMS];
	int n = 0, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: vmcheck VM.vmx ...\n");
		return 2;
	}
	for (int i = 1; i < argc && n < MAX_VMS; i++, n++) {
		char stick[CFG_MAX_PATH + 8], dir[4096], base[CFG_MAX_PATH];
		size_t len;
		char *text = slurp(argv[i], &len);

		shown[n] = argv[i];
		if (!text) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			ok[n] = false;
			diags[n].n = 0;
			bad++;
			continue;
		}
		char tmp[4096];

		/* dirname/basename may modify their argument and return a pointer into it. */
		snprintf(tmp, sizeof(tmp), "%s", argv[i]);
		snprintf(dir, sizeof(dir), "%s", dirname(tmp));
		snprintf(tmp, sizeof(tmp), "%s", argv[i]);
		snprintf(base, sizeof(base), "%s", basename(tmp));
		snprintf(stick, sizeof(stick), "vms/%.*s", (int)(sizeof(stick) - 5), base);
		ok[n] = vmcfg_parse(stick, text, len, exists_next_to, dir, &cfgs[n], &diags[n]) == 0;
		free(text);
	}
	vmcfg_check_names(cfgs, diags, ok, (size_t)n);
	for (int i = 0; i < n; i++) {
		for (unsigned k = 0; k < diags[i].n; k++) {
			if (diags[i].d[k].line)
				printf("%s:%u: %s\n", shown[i], diags[i].d[k].line, diags[i].d[k].msg);
			else
				printf("%s: %s\n", shown[i], diags[i].d[k].msg);
		}
		if (diags[i].dropped)
			printf("%s: %u more problems\n", shown[i], diags[i].dropped);
		if (ok[i])
			printf("%s: ok: VM \"%s\", %llu MiB, %u vCPU\n", shown[i], cfgs[i].name,
			       (unsigned long long)cfgs[i].memsize_mib, cfgs[i].numvcpus);
		else
			bad++;
	}
	return bad ? 1 : 0;
}
