// SPDX-License-Identifier: MIT
/* acpi_host.c: the host's ACPI tables: parsing at boot, the summary log, and dumps. */
#include <tv/acpi.h>
#include <tv/arch.h>
#include <tv/bootinfo.h>
#include <tv/errno.h>
#include <tv/log.h>
#include <tv/string.h>

static struct acpi_info info;
static bool parsed;

/*
 * Tables may sit in ranges the firmware marks reserved, which the direct
 * map leaves out; those get an uncached mapping of their own. The parser
 * maps each header before the whole table: remember recent windows so that
 * does not consume a fresh one each time.
 */
#define WINDOWS 16
#define WINDOW_MIN (64u << 10)
static struct {
	u64 pa, len;
	const u8 *va;
} windows[WINDOWS];
static unsigned next_window;

static const void *host_map(void *ctx, u64 pa, u32 len)
{
	(void)ctx;
	if (arch_phys_is_mapped(pa, len))
		return phys_to_virt(pa);
	for (unsigned i = 0; i < WINDOWS; i++)
		if (windows[i].va && pa >= windows[i].pa && pa + len <= windows[i].pa + windows[i].len)
			return windows[i].va + (pa - windows[i].pa);

	u64 wlen = len < WINDOW_MIN ? WINDOW_MIN : len;
	const u8 *va = arch_ioremap(pa, wlen, false);

	if (!va)
		return NULL;
	windows[next_window].pa = pa;
	windows[next_window].len = wlen;
	windows[next_window].va = va;
	next_window = (next_window + 1) % WINDOWS;
	return va;
}

int acpi_init(u64 rsdp_pa)
{
	const char *why = "no RSDP from the loader";
	int r = -ENODEV;

	if (rsdp_pa)
		r = acpi_parse(rsdp_pa, host_map, NULL, &info, &why);
	if (r) {
		pr_err("acpi: %s\n", why);
		return r;
	}
	parsed = true;
	pr_info("acpi: revision %u, OEM \"%s\", %u tables:", info.revision, info.oem_id,
		info.ntables);
	for (unsigned i = 0; i < info.ntables; i++)
		pr_info(" %s%s", info.tables[i].sig, info.tables[i].checksum_ok ? "" : "(bad)");
	pr_info("\n");
	for (unsigned i = 0; i < info.ntables; i++)
		if (!info.tables[i].checksum_ok)
			pr_warn("acpi: table %s at %#llx has a bad checksum; ignored\n",
				info.tables[i].sig, (unsigned long long)info.tables[i].pa);
	return 0;
}

const struct acpi_info *acpi_host(void)
{
	return parsed ? &info : NULL;
}

static void dump_range(u64 pa, u32 len)
{
	const u8 *p = host_map(NULL, pa, len);
	char line[80];

	if (!p)
		return;
	for (u32 off = 0; off < len; off += 32) {
		u32 n = len - off < 32 ? len - off : 32;
		int k = 0;

		for (u32 i = 0; i < n; i++) {
			line[k++] = "0123456789abcdef"[p[off + i] >> 4];
			line[k++] = "0123456789abcdef"[p[off + i] & 15];
		}
		line[k] = '\0';
		pr_info("ACPIDUMP %llx %s\n", (unsigned long long)(pa + off), line);
	}
}

void acpi_dump(void)
{
	extern struct bootinfo boot_info;

	if (!parsed)
		return;
	pr_info("ACPIDUMP RSDP %llx\n", (unsigned long long)boot_info.acpi_rsdp);
	dump_range(boot_info.acpi_rsdp, info.revision >= 2 ? 36 : 20);
	for (unsigned i = 0; i < info.ntables; i++)
		dump_range(info.tables[i].pa, info.tables[i].length);
}
