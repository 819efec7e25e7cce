// SPDX-License-Identifier: MIT
/* test_acpi_recorded.c: the ACPI parser on tables recorded from QEMU/OVMF and Bochs. */
#include "acpi_testlib.h"

/* Real firmware tables: tests/data/acpi-*.dump; generic sanity only. */
TEST(recorded_dumps)
{
	const char *saved = test_current;
	DIR *d = opendir(TEST_DATA_DIR);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct fakemem fm = { 0 };
		struct acpi_info info;
		const char *why = NULL;
		char path[4096];
		u64 rsdp = 0;
		int err;

		if (strncmp(de->d_name, "acpi-", 5) || n < 10 || strcmp(de->d_name + n - 5, ".dump"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, de->d_name);
		test_current = de->d_name;
		CHECK(load_dump(path, &fm, &rsdp, false));
		err = parse(&fm, rsdp, &info, &why);
		CHECK_EQ(err, 0);
		if (err)
			fprintf(stderr, "  %s: %s\n", de->d_name, why ? why : "?");
		check_sane(err, why, &info);
		CHECK(info.has_madt);
		CHECK(info.ncpus >= 1);
		CHECK(info.has_fadt);
		fm_free(&fm);
	}
	closedir(d);
	test_current = saved;
}


static bool load_recorded(const char *name, struct fakemem *fm, struct acpi_info *info)
{
	char path[4096];
	const char *why = NULL;
	u64 rsdp = 0;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	if (!load_dump(path, fm, &rsdp, false)) {
		CHECK(!"recorded dump loads");
		return false;
	}
	if (parse(fm, rsdp, info, &why) != 0) {
		CHECK(!"recorded dump parses");
		return false;
	}
	return true;
}

static const struct acpi_iso *iso_for(const struct acpi_info *info, unsigned irq)
{
	for (unsigned i = 0; i < info->nisos; i++)
		if (info->isos[i].bus_irq == irq)
			return &info->isos[i];
	return NULL;
}

/* QEMU 7.2 q35 + OVMF, -smp 2 (what tests/qemu boots): exact facts. */
TEST(qemu_q35_ovmf)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;

	if (!load_recorded("acpi-qemu-q35-ovmf.dump", &fm, &info))
		return;
	CHECK_EQ(info.revision, 2);
	CHECK_STR(info.oem_id, "BOCHS ");
	CHECK(info.has_madt && info.has_fadt && info.has_hpet && info.has_mcfg);
	CHECK_EQ(info.ncpus, 2);
	CHECK_EQ(info.cpus[0].apic_id, 0);
	CHECK_EQ(info.cpus[1].apic_id, 1);
	CHECK(info.cpus[0].enabled && info.cpus[1].enabled);
	CHECK_EQ(info.lapic_addr, 0xfee00000);
	CHECK_EQ(info.nioapics, 1);
	CHECK_EQ(info.ioapics[0].addr, 0xfec00000);
	CHECK_EQ(info.ioapics[0].gsi_base, 0);
	CHECK(iso_for(&info, 0) && iso_for(&info, 0)->gsi == 2);
	CHECK(iso_for(&info, 9) && iso_for(&info, 9)->flags == 0xd);
	CHECK_EQ(info.pm_tmr.space, ACPI_GAS_IO);
	CHECK_EQ(info.pm_tmr.address, 0x608);
	CHECK_EQ(info.pm1a_cnt.address, 0x604);
	CHECK(info.reset_supported);
	CHECK_EQ(info.reset_reg.address, 0xcf9);
	CHECK_EQ(info.reset_value, 0xf);
	CHECK(info.has_s5 && info.s5_typ_a == 0 && info.s5_typ_b == 0);
	CHECK_EQ(info.hpet_addr, 0xfed00000);
	CHECK_EQ(info.mcfg_base, 0xb0000000);
	CHECK_EQ(info.mcfg_bus_start, 0);
	CHECK_EQ(info.mcfg_bus_end, 255);
	fm_free(&fm);
}

/* Bochs 2.7 BIOS (ACPI 1.0, RSDT), one CPU, as GRUB hands it over. */
TEST(bochs_bios)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;

	if (!load_recorded("acpi-bochs-bios.dump", &fm, &info))
		return;
	CHECK_EQ(info.revision, 0);
	CHECK_EQ(info.ncpus, 1);
	CHECK_EQ(info.nioapics, 1);
	CHECK_EQ(info.ioapics[0].id, 1);
	CHECK(iso_for(&info, 0) && iso_for(&info, 0)->gsi == 2);
	CHECK_EQ(info.pm_tmr.address, 0xb008);
	CHECK_EQ(info.pm1a_cnt.address, 0xb004);
	CHECK(!info.reset_supported);
	CHECK(info.has_s5);
	CHECK(info.has_hpet && !info.has_mcfg);
	fm_free(&fm);
}

TEST_MAIN(
	{ "recorded_dumps", recorded_dumps },
	{ "qemu_q35_ovmf", qemu_q35_ovmf },
	{ "bochs_bios", bochs_bios },
)
