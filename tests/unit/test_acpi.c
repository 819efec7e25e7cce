// SPDX-License-Identifier: MIT
/* test_acpi.c: the ACPI table parser against synthetic firmware tables. */
#include "acpi_testlib.h"

TEST(checksum)
{
	u8 b[5] = { 1, 2, 3, 4, 0 };

	CHECK(!acpi_checksum_ok(b, 5));
	b[4] = (u8)-10;
	CHECK(acpi_checksum_ok(b, 5));
	CHECK(!acpi_checksum_ok(b, 4));
	CHECK(acpi_checksum_ok(b, 0));
}

TEST(full_v2)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	const struct acpi_table_ref *t;
	const char *why = "unset";

	build_std(&fm);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(info.revision, 2);
	CHECK_STR(info.oem_id, "TVOEM1");

	/* XSDT, its 5 entries, and the DSDT reached through X_DSDT */
	CHECK_EQ(info.ntables, 7);
	CHECK_STR(info.tables[0].sig, "XSDT");
	CHECK_EQ(info.tables[0].pa, PA_XSDT);
	for (unsigned i = 0; i < info.ntables; i++)
		CHECK(info.tables[i].checksum_ok);
	t = find_table(&info, "APIC");
	CHECK(t && t->pa == PA_MADT && t->revision == 5 && t->length == 44 + 8 * 2 + 12 + 10 * 2 + 6 + 16 + 12);
	t = find_table(&info, "MCFG");
	CHECK(t && t->pa == PA_MCFG);
	t = find_table(&info, "DSDT");
	CHECK(t && t->pa == PA_DSDT);
	CHECK(find_table(&info, "SSDT") && find_table(&info, "HPET") && find_table(&info, "FACP"));

	CHECK(info.has_madt);
	CHECK_EQ(info.lapic_addr, 0xfee10000);
	CHECK(info.pcat_compat);
	CHECK_EQ(info.ncpus, 3);
	CHECK_EQ(info.cpus[0].apic_id, 0);
	CHECK_EQ(info.cpus[0].uid, 0);
	CHECK(info.cpus[0].enabled && !info.cpus[0].online_capable && !info.cpus[0].x2apic);
	CHECK_EQ(info.cpus[1].apic_id, 2);
	CHECK_EQ(info.cpus[1].uid, 1);
	CHECK(!info.cpus[1].enabled && info.cpus[1].online_capable && !info.cpus[1].x2apic);
	CHECK_EQ(info.cpus[2].apic_id, 0x100);
	CHECK_EQ(info.cpus[2].uid, 0x20);
	CHECK(info.cpus[2].enabled && info.cpus[2].x2apic);
	CHECK_EQ(info.nioapics, 1);
	CHECK_EQ(info.ioapics[0].id, 1);
	CHECK_EQ(info.ioapics[0].addr, 0xfec00000);
	CHECK_EQ(info.ioapics[0].gsi_base, 0);
	CHECK_EQ(info.nisos, 2);
	CHECK_EQ(info.isos[0].bus_irq, 0);
	CHECK_EQ(info.isos[0].gsi, 2);
	CHECK_EQ(info.isos[0].flags, 0);
	CHECK_EQ(info.isos[1].bus_irq, 9);
	CHECK_EQ(info.isos[1].gsi, 9);
	CHECK_EQ(info.isos[1].flags, 0xd);

	CHECK(info.has_fadt);
	CHECK_EQ(info.fadt_flags, (1u << 8) | (1u << 10));
	CHECK(!info.hw_reduced);
	CHECK_EQ(info.iapc_boot_arch, 3);
	CHECK_EQ(info.sci_irq, 9);
	CHECK_EQ(info.smi_cmd, 0xb2);
	CHECK_EQ(info.acpi_enable, 0xf1);
	CHECK_EQ(info.century, 0x32);
	CHECK_EQ(info.pm1a_cnt.space, ACPI_GAS_IO);
	CHECK_EQ(info.pm1a_cnt.address, 0x1604);
	CHECK_EQ(info.pm1a_cnt.bit_width, 16);
	CHECK_EQ(info.pm1a_cnt.access_size, 2);
	CHECK_EQ(info.pm1b_cnt.address, 0x1704);
	CHECK_EQ(info.pm_tmr.space, ACPI_GAS_IO);
	CHECK_EQ(info.pm_tmr.address, 0x1608);
	CHECK_EQ(info.pm_tmr.bit_width, 32);
	CHECK(info.pm_tmr_32bit);
	CHECK_EQ(info.reset_reg.space, ACPI_GAS_IO);
	CHECK_EQ(info.reset_reg.bit_width, 8);
	CHECK_EQ(info.reset_reg.address, 0xcf9);
	CHECK_EQ(info.reset_value, 6);
	CHECK(info.reset_supported);
	CHECK_EQ(info.dsdt, PA_DSDT);

	/* From the X_DSDT one, past the decoys */
	CHECK(info.has_s5);
	CHECK_EQ(info.s5_typ_a, 5);
	CHECK_EQ(info.s5_typ_b, 6);

	CHECK(info.has_hpet);
	CHECK_EQ(info.hpet_addr, 0xfed00000);
	CHECK(info.has_mcfg);
	CHECK_EQ(info.mcfg_base, 0x3f0000000ull);
	CHECK_EQ(info.mcfg_segment, 1);
	CHECK_EQ(info.mcfg_bus_start, 0);
	CHECK_EQ(info.mcfg_bus_end, 0x3f);
	fm_free(&fm);
}

TEST(v0_rsdt_legacy_fadt)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	const char *why;

	build_std(&fm);
	build_rsdp(&fm, PA_RSDP, 0, PA_RSDT, 0);
	build_fadt(&fm, FADT_LEGACY);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK_EQ(info.revision, 0);
	CHECK_STR(info.oem_id, "TVOEM1");
	CHECK_STR(info.tables[0].sig, "RSDT");
	CHECK(info.has_madt && info.ncpus == 3);
	CHECK(info.has_hpet);
	CHECK(!info.has_mcfg);		/* only in the XSDT */

	CHECK(info.has_fadt);
	CHECK_EQ(info.dsdt, PA_DSDT_OLD);
	CHECK_EQ(info.sci_irq, 9);
	CHECK_EQ(info.iapc_boot_arch, 3);
	CHECK_EQ(info.pm1a_cnt.space, ACPI_GAS_IO);
	CHECK_EQ(info.pm1a_cnt.address, 0x604);
	CHECK_EQ(info.pm1a_cnt.bit_width, 16);
	CHECK_EQ(info.pm1a_cnt.access_size, 2);
	CHECK_EQ(info.pm1b_cnt.space, ACPI_GAS_IO);
	CHECK_EQ(info.pm1b_cnt.address, 0x704);
	CHECK_EQ(info.pm1b_cnt.bit_width, 16);
	CHECK_EQ(info.pm_tmr.space, ACPI_GAS_IO);
	CHECK_EQ(info.pm_tmr.address, 0x608);
	CHECK_EQ(info.pm_tmr.bit_width, 32);
	CHECK_EQ(info.pm_tmr.access_size, 3);
	CHECK(!info.pm_tmr_32bit);
	/* RESET_REG_SUP is set, but an ACPI 1.0 FADT has no RESET_REG */
	CHECK(!info.reset_supported);
	CHECK_EQ(info.reset_reg.address, 0);

	CHECK(info.has_s5);
	CHECK_EQ(info.s5_typ_a, 1);
	CHECK_EQ(info.s5_typ_b, 0);
	CHECK(find_table(&info, "DSDT") && find_table(&info, "DSDT")->pa == PA_DSDT_OLD);
	fm_free(&fm);
}

TEST(v2_without_xsdt_uses_rsdt)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	const char *why;

	build_std(&fm);
	build_rsdp(&fm, PA_RSDP, 2, PA_RSDT, 0);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK_EQ(info.revision, 2);
	CHECK_STR(info.tables[0].sig, "RSDT");
	CHECK(info.has_madt && info.has_fadt && !info.has_mcfg);
	fm_free(&fm);
}

TEST(bad_xsdt_falls_back_to_rsdt)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	const char *why;

	build_std(&fm);
	fm_at(&fm, PA_XSDT)->buf[40] ^= 0x40;	/* bad checksum */
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(why == NULL);
	CHECK_STR(info.tables[0].sig, "XSDT");
	CHECK(!info.tables[0].checksum_ok);
	CHECK_STR(info.tables[1].sig, "RSDT");
	CHECK(info.tables[1].checksum_ok);
	CHECK(info.has_madt && info.has_fadt && !info.has_mcfg);

	/* No RSDT to fall back to: fatal */
	build_rsdp(&fm, PA_RSDP, 2, 0, PA_XSDT);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), -EINVAL);
	CHECK(why && strstr(why, "XSDT"));
	CHECK(!info.has_madt);

	/* A root table with the wrong signature */
	build_rsdp(&fm, PA_RSDP, 2, 0, PA_MADT);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), -EINVAL);
	CHECK(why && strstr(why, "signature"));

	/* A root table that is not there */
	build_rsdp(&fm, PA_RSDP, 0, 0x1000, 0);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), -EINVAL);
	CHECK(why && strstr(why, "RSDT"));

	/* No root table at all */
	build_rsdp(&fm, PA_RSDP, 2, 0, 0);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), -EINVAL);
	CHECK(why != NULL);
	fm_free(&fm);
}

TEST(bad_rsdp)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	const char *why;
	u8 *r;

	build_std(&fm);
	fm_at(&fm, PA_RSDP)->buf[9] ^= 1;
	why = NULL;
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), -EINVAL);
	CHECK(why && strstr(why, "checksum"));
	CHECK_EQ(info.ntables, 0);
	CHECK(!info.has_madt);

	/* ACPI 1.0 RSDP: only the 20-byte checksum protects it */
	build_rsdp(&fm, PA_RSDP, 0, PA_RSDT, 0);
	fm_at(&fm, PA_RSDP)->buf[9] ^= 1;
	why = NULL;
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), -EINVAL);
	CHECK(why && strstr(why, "checksum"));

	build_rsdp(&fm, PA_RSDP, 2, PA_RSDT, PA_XSDT);
	r = fm_at(&fm, PA_RSDP)->buf;
	r[0] = 'X';
	sum_fix(r, 20, 8);
	sum_fix(r, 36, 32);
	why = NULL;
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), -EINVAL);
	CHECK(why && strstr(why, "signature"));

	/* First 20 bytes fine, extended checksum broken */
	build_rsdp(&fm, PA_RSDP, 2, PA_RSDT, PA_XSDT);
	fm_at(&fm, PA_RSDP)->buf[33] = 1;
	why = NULL;
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), -EINVAL);
	CHECK(why && strstr(why, "extended checksum"));

	/* An absurd RSDP length must be refused before it is mapped */
	build_rsdp(&fm, PA_RSDP, 2, PA_RSDT, PA_XSDT);
	r = fm_at(&fm, PA_RSDP)->buf;
	w32(r + 20, 0x10000000);
	sum_fix(r, 36, 32);
	why = NULL;
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), -EINVAL);
	CHECK(why && strstr(why, "length"));
	CHECK(fm.max_map_len <= 36);

	why = NULL;
	CHECK_EQ(parse(&fm, 0xdead0000, &info, &why), -EINVAL);
	CHECK(why && strstr(why, "unmappable"));
	CHECK_EQ(parse(&fm, 0xdead0000, &info, NULL), -EINVAL);
	fm_free(&fm);
}

TEST(bad_table_checksum)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	const struct acpi_table_ref *t;
	const char *why;

	build_std(&fm);
	fm_at(&fm, PA_MADT)->buf[50] ^= 1;
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	t = find_table(&info, "APIC");
	CHECK(t && !t->checksum_ok && t->pa == PA_MADT);
	CHECK(!info.has_madt);
	CHECK_EQ(info.ncpus, 0);
	CHECK_EQ(info.lapic_addr, 0);
	CHECK(info.has_fadt && info.has_hpet);	/* the others still count */

	/* No FADT: no DSDT, no \_S5 */
	build_std(&fm);
	fm_at(&fm, PA_FADT)->buf[46] ^= 1;
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(!info.has_fadt && !info.has_s5);
	CHECK(find_table(&info, "FACP") && !find_table(&info, "FACP")->checksum_ok);
	CHECK(!find_table(&info, "DSDT"));

	/* A bad DSDT is listed, its \_S5 not used */
	build_std(&fm);
	fm_at(&fm, PA_DSDT)->buf[37] ^= 1;
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	t = find_table(&info, "DSDT");
	CHECK(t && !t->checksum_ok);
	CHECK(info.has_fadt && !info.has_s5);
	fm_free(&fm);
}

static void madt_with_bad_entry(struct fakemem *fm, u8 type, u8 elen, bool at_end)
{
	struct tbuf b = madt_start(0xfee00000, 0);
	u8 e[2] = { type, elen };

	madt_lapic(&b, 0, 0, 1);
	tb_put(&b, e, sizeof(e));
	if (!at_end) {
		madt_lapic(&b, 1, 1, 1);
		madt_ioapic(&b, 1, 0xfec00000, 0);
	}
	tb_place(fm, PA_MADT, &b);
}

TEST(madt_malformed_entries)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	const char *why;

	alarm(60);	/* an entry of length 0 must not loop forever */
	build_std(&fm);
	madt_with_bad_entry(&fm, 0, 0, false);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(info.has_madt);
	CHECK_EQ(info.lapic_addr, 0xfee00000);
	CHECK(!info.pcat_compat);
	CHECK_EQ(info.ncpus, 1);
	CHECK_EQ(info.nioapics, 0);

	madt_with_bad_entry(&fm, 1, 1, false);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK_EQ(info.ncpus, 1);
	CHECK_EQ(info.nioapics, 0);

	/* Last entry claims 12 bytes, 2 are left */
	madt_with_bad_entry(&fm, 1, 12, true);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK_EQ(info.ncpus, 1);
	CHECK_EQ(info.nioapics, 0);

	/* A type-0 entry too short for its fields is skipped, the walk goes on */
	madt_with_bad_entry(&fm, 0, 2, false);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK_EQ(info.ncpus, 2);
	CHECK_EQ(info.nioapics, 1);
	alarm(0);
	fm_free(&fm);
}

/* Replace the MADT header's length (checksum fixed over that length). */
static void madt_set_len(struct fakemem *fm, u32 len)
{
	struct region *r = fm_at(fm, PA_MADT);

	w32(r->buf + 4, len);
	tbl_fix(r->buf, len < r->len ? len : r->len);
}

TEST(truncated_tables)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	const struct acpi_table_ref *t;
	const char *why;

	build_std(&fm);
	madt_set_len(&fm, 20);		/* shorter than a header */
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(!find_table(&info, "APIC"));
	CHECK(!info.has_madt);
	CHECK(info.has_fadt);

	build_std(&fm);
	madt_set_len(&fm, 0xffffffff);	/* absurd: must not even be mapped */
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(!find_table(&info, "APIC") && !info.has_madt);
	CHECK(fm.max_map_len <= 4096);

	build_std(&fm);
	madt_set_len(&fm, 16 * 1024 * 1024 + 1);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(!info.has_madt);
	CHECK(fm.max_map_len <= 4096);

	build_std(&fm);
	madt_set_len(&fm, 4096);	/* longer than the memory behind it */
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(!find_table(&info, "APIC") && !info.has_madt);

	build_std(&fm);
	madt_set_len(&fm, 40);		/* header, but not even the LAPIC address and flags */
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	t = find_table(&info, "APIC");
	CHECK(t && t->checksum_ok && t->length == 40);
	CHECK(!info.has_madt);

	/* A 100-byte FADT: has the ports but not flags, RESET_REG or X_ fields */
	build_std(&fm);
	w32(fm_at(&fm, PA_FADT)->buf + 4, 100);
	tbl_fix(fm_at(&fm, PA_FADT)->buf, 100);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(info.has_fadt);
	CHECK_EQ(info.sci_irq, 9);
	CHECK_EQ(info.dsdt, PA_DSDT_OLD);
	CHECK_EQ(info.fadt_flags, 0);
	CHECK_EQ(info.iapc_boot_arch, 0);
	CHECK_EQ(info.pm1a_cnt.address, 0x604);
	CHECK_EQ(info.pm_tmr.address, 0x608);
	CHECK_EQ(info.pm_tmr.bit_width, 32);
	CHECK(!info.reset_supported);
	CHECK(info.has_s5 && info.s5_typ_a == 1);

	/* HPET and MCFG too short for their first field */
	build_std(&fm);
	build_hpet(&fm, ACPI_GAS_MEMORY, 48);
	w32(fm_at(&fm, PA_MCFG)->buf + 4, 50);
	tbl_fix(fm_at(&fm, PA_MCFG)->buf, 50);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(!info.has_hpet && !info.has_mcfg);
	CHECK(find_table(&info, "HPET") && find_table(&info, "MCFG"));
	fm_free(&fm);
}

TEST(array_limits)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	struct tbuf b;
	u64 e[70];
	const char *why;

	build_std(&fm);
	b = madt_start(0xfee00000, 1);
	for (u32 i = 0; i < 300; i++)
		madt_x2apic(&b, 1000 + i, i, 1);
	for (u8 i = 0; i < 20; i++)
		madt_ioapic(&b, i, 0xfec00000 + i * 0x1000u, i * 24u);
	for (u8 i = 0; i < 40; i++)
		madt_iso(&b, i, 1000u + i, 0);
	tb_place(&fm, PA_MADT, &b);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK_EQ(info.ncpus, ACPI_MAX_CPUS);
	CHECK_EQ(info.cpus[ACPI_MAX_CPUS - 1].apic_id, 1000 + ACPI_MAX_CPUS - 1);
	CHECK_EQ(info.nioapics, ACPI_MAX_IOAPICS);
	CHECK_EQ(info.ioapics[ACPI_MAX_IOAPICS - 1].id, ACPI_MAX_IOAPICS - 1);
	CHECK_EQ(info.ioapics[ACPI_MAX_IOAPICS - 1].gsi_base, (ACPI_MAX_IOAPICS - 1) * 24);
	CHECK_EQ(info.nisos, ACPI_MAX_ISOS);
	CHECK_EQ(info.isos[ACPI_MAX_ISOS - 1].gsi, 1000 + ACPI_MAX_ISOS - 1);

	/* 68 SSDTs before the MADT and FADT: the list fills, parsing goes on */
	build_std(&fm);
	for (unsigned i = 0; i < 68; i++) {
		e[i] = 0x10000000ull + i * 0x1000;
		build_aml_table(&fm, e[i], "SSDT", NULL, 0);
	}
	e[68] = PA_MADT;
	e[69] = PA_FADT;
	build_root(&fm, PA_XSDT, true, e, 70);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK_EQ(info.ntables, ACPI_MAX_TABLES);
	CHECK(!find_table(&info, "APIC"));
	CHECK(info.has_madt && info.ncpus == 3);
	CHECK(info.has_fadt && info.has_s5 && info.s5_typ_a == 5);
	fm_free(&fm);
}

TEST(duplicate_cpus)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	struct tbuf b;
	const char *why;

	build_std(&fm);
	b = madt_start(0xfee00000, 1);
	madt_lapic(&b, 0, 0, 1);
	madt_lapic(&b, 1, 1, 1);
	madt_x2apic(&b, 1, 1, 1);
	madt_x2apic(&b, 0x300, 2, 1);
	tb_place(&fm, PA_MADT, &b);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK_EQ(info.ncpus, 3);
	CHECK(!info.cpus[1].x2apic);
	CHECK_EQ(info.cpus[2].apic_id, 0x300);
	fm_free(&fm);
}

TEST(duplicate_tables)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	static const u64 xe[] = { PA_MADT, PA_MADT + 0x800, PA_FADT, PA_DSDT, PA_SSDT, PA_SSDT };
	struct tbuf b;
	const char *why;

	/* A second MADT is listed but not used; the DSDT is listed once */
	build_std(&fm);
	b = madt_start(0xfee00000, 0);
	madt_lapic(&b, 7, 7, 1);
	madt_iso(&b, 0, 2, 0);
	tb_place(&fm, PA_MADT + 0x800, &b);
	build_root(&fm, PA_XSDT, true, xe, ARRAY_SIZE(xe));
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK_EQ(info.ntables, 6);	/* XSDT, 2 MADTs, FADT, DSDT, SSDT */
	CHECK_EQ(info.ncpus, 3);
	CHECK_EQ(info.nisos, 2);
	CHECK_EQ(info.lapic_addr, 0xfee10000);
	CHECK(info.has_s5 && info.s5_typ_a == 5);

	/* The FADT's DSDT pointer must lead to a DSDT */
	build_std(&fm);
	fm_at(&fm, PA_DSDT)->buf[0] = 'Q';
	tbl_fix(fm_at(&fm, PA_DSDT)->buf, fm_at(&fm, PA_DSDT)->len);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(info.has_fadt && !info.has_s5);
	CHECK(!find_table(&info, "DSDT"));
	CHECK(!find_table(&info, "QSDT"));
	fm_free(&fm);
}

TEST(fadt_variants)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	const char *why;
	u8 *t;

	/* X_ fields present but zero: the 32-bit fields apply */
	build_std(&fm);
	build_fadt(&fm, FADT_NOX);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(info.hw_reduced);
	CHECK_EQ(info.dsdt, PA_DSDT_OLD);
	CHECK_EQ(info.pm1a_cnt.address, 0x604);
	CHECK_EQ(info.pm1a_cnt.space, ACPI_GAS_IO);
	CHECK_EQ(info.pm1a_cnt.bit_width, 16);
	CHECK_EQ(info.pm1b_cnt.address, 0);	/* neither port nor GAS: absent */
	CHECK_EQ(info.pm1b_cnt.space, 0);
	CHECK_EQ(info.pm1b_cnt.bit_width, 0);
	CHECK_EQ(info.pm_tmr.address, 0x608);
	CHECK_EQ(info.pm_tmr.bit_width, 32);
	CHECK(!info.pm_tmr_32bit);
	CHECK(!info.reset_supported);	/* flag set, address 0 */
	CHECK(info.has_s5 && info.s5_typ_a == 1 && info.s5_typ_b == 0);

	/* RESET_REG filled in, RESET_REG_SUP clear; odd port length */
	build_std(&fm);
	t = fm_at(&fm, PA_FADT)->buf;
	w32(t + 112, 0);
	memset(t + 172, 0, 12);
	t[89] = 4;
	tbl_fix(t, 276);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(!info.reset_supported);
	CHECK_EQ(info.reset_reg.address, 0xcf9);
	CHECK_EQ(info.pm1a_cnt.address, 0x604);
	CHECK_EQ(info.pm1a_cnt.bit_width, 32);
	CHECK_EQ(info.pm_tmr.address, 0x1608);
	fm_free(&fm);
}

TEST(hpet_mcfg_invalid)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	const char *why;

	build_std(&fm);
	build_hpet(&fm, ACPI_GAS_IO, 56);
	build_mcfg(&fm, 0xe0000000, 0x10, 0x0f);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(!info.has_hpet && info.hpet_addr == 0);
	CHECK(!info.has_mcfg);

	build_mcfg(&fm, 0, 0, 0xff);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(!info.has_mcfg);
	fm_free(&fm);
}

TEST(s5_from_ssdt)
{
	struct fakemem fm = { 0 };
	struct acpi_info info;
	static const u8 el[] = { 0x0a, 0x02, 0x0a, 0x03 };
	u8 aml[32];
	size_t n = aml_s5(aml, true, 2, el, sizeof(el), 1);
	const char *why;

	/* The DSDT's \_S5 wins over an SSDT's */
	build_std(&fm);
	build_aml_table(&fm, PA_SSDT, "SSDT", aml, n);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(info.has_s5 && info.s5_typ_a == 5 && info.s5_typ_b == 6);

	build_aml_table(&fm, PA_DSDT, "DSDT", NULL, 0);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(info.has_s5);
	CHECK_EQ(info.s5_typ_a, 2);
	CHECK_EQ(info.s5_typ_b, 3);

	build_aml_table(&fm, PA_SSDT, "SSDT", NULL, 0);
	CHECK_EQ(parse(&fm, PA_RSDP, &info, &why), 0);
	CHECK(!info.has_s5);
	CHECK(find_table(&info, "DSDT"));
	fm_free(&fm);
}

/* acpi_find_s5 on an exact-size heap copy, so overreads are caught */
static int find_s5(const u8 *aml, size_t n, u8 *a, u8 *b)
{
	u8 *copy = malloc(n ? n : 1);
	int err;

	memcpy(copy, aml, n);
	err = acpi_find_s5(copy, n, a, b);
	free(copy);
	return err;
}

TEST(s5_encodings)
{
	static const u8 byte_el[] = { 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00 };
	static const u8 zo_el[] = { 0x00, 0x01 };
	static const u8 oz_el[] = { 0x01, 0x00, 0x00 };
	static const u8 wd_el[] = { 0x0b, 0x03, 0x01, 0x0c, 0x04, 0x00, 0x00, 0x01 };
	static const u8 q_el[] = { 0x0e, 6, 1, 2, 3, 4, 5, 6, 7, 0x0a, 0x02 };
	static const u8 not_pkg[] = { 0x08, '_', 'S', '5', '_', 0x0a, 0x05 };
	u8 aml[256], big[128] = { 0x0a, 0x04, 0x0a, 0x03 };
	u8 a, b;
	size_t n;

	n = aml_s5(aml, false, 4, byte_el, sizeof(byte_el), 1);
	CHECK_EQ(find_s5(aml, n, &a, &b), 0);
	CHECK(a == 5 && b == 7);

	n = aml_s5(aml, false, 2, zo_el, sizeof(zo_el), 1);
	CHECK_EQ(find_s5(aml, n, &a, &b), 0);
	CHECK(a == 0 && b == 1);

	n = aml_s5(aml, true, 3, oz_el, sizeof(oz_el), 1);
	CHECK_EQ(aml[1], '\\');
	CHECK_EQ(find_s5(aml, n, &a, &b), 0);
	CHECK(a == 1 && b == 0);

	n = aml_s5(aml, true, 2, wd_el, sizeof(wd_el), 1);
	CHECK_EQ(find_s5(aml, n, &a, &b), 0);
	CHECK(a == 3 && b == 4);

	n = aml_s5(aml, false, 2, q_el, sizeof(q_el), 1);
	CHECK_EQ(find_s5(aml, n, &a, &b), 0);
	CHECK(a == 6 && b == 2);

	/* Multi-byte PkgLength: 2 bytes (needed above 63), and padded 3 and 4 */
	n = aml_s5(aml, false, 62, big, 4 + 60, 2);
	CHECK_EQ(aml[6] >> 6, 1);
	CHECK_EQ(find_s5(aml, n, &a, &b), 0);
	CHECK(a == 4 && b == 3);
	for (unsigned lb = 3; lb <= 4; lb++) {
		n = aml_s5(aml, true, 2, byte_el, 4, lb);
		a = b = 0xee;
		CHECK_EQ(find_s5(aml, n, &a, &b), 0);
		CHECK(a == 5 && b == 7);
	}

	/* A non-package Name(_S5_) and mentions are skipped for the real one */
	memcpy(aml, not_pkg, sizeof(not_pkg));
	memcpy(aml + sizeof(not_pkg), aml_decoys, sizeof(aml_decoys));
	n = sizeof(not_pkg) + sizeof(aml_decoys);
	n += aml_s5(aml + n, false, 2, zo_el, sizeof(zo_el), 1);
	CHECK_EQ(find_s5(aml, n, &a, &b), 0);
	CHECK(a == 0 && b == 1);
}

TEST(s5_absent_or_malformed)
{
	static const u8 byte_el[] = { 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00 };
	static const u8 str_el[] = { 0x0a, 0x05, 0x0d, 'a', 0x00 };
	static const u8 not_pkg[] = { 0x08, '_', 'S', '5', '_', 0x0a, 0x05 };
	/* laid out like a package, but BufferOp */
	static const u8 buffer[] = { 0x08, '_', 'S', '5', '_', 0x11, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x06 };
	static const u8 lead_at_end[] = { 0x08, '_', 'S', '5', '_', 0x12, 0xc0 };
	static const u8 unprefixed[] = { 0x00, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x00, 0x00 };
	static const u8 root_at_start[] = { '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x00, 0x00 };
	static const u8 empty_pkg_at_end[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x01 };
	static const u8 cut_el[] = { 0x0a, 0x05, 0x0a };
	static const u8 big[128] = { 0x0a, 0x04, 0x0a, 0x03 };
	u8 aml[64], aml2[256], a = 0xee, b = 0xee;
	size_t n;

	CHECK_EQ(acpi_find_s5(NULL, 0, &a, &b), -ENOENT);
	CHECK_EQ(find_s5(aml, 0, &a, &b), -ENOENT);
	CHECK_EQ(find_s5(aml_decoys, sizeof(aml_decoys), &a, &b), -ENOENT);
	CHECK_EQ(find_s5(not_pkg, sizeof(not_pkg), &a, &b), -ENOENT);
	CHECK_EQ(find_s5(buffer, sizeof(buffer), &a, &b), -ENOENT);
	CHECK_EQ(find_s5(lead_at_end, sizeof(lead_at_end), &a, &b), -ENOENT);
	CHECK_EQ(find_s5(unprefixed, sizeof(unprefixed), &a, &b), -ENOENT);
	/* "_S5_" at the very start has no room for a NameOp */
	CHECK_EQ(find_s5(unprefixed + 1, sizeof(unprefixed) - 1, &a, &b), -ENOENT);
	CHECK_EQ(find_s5(root_at_start, sizeof(root_at_start), &a, &b), -ENOENT);
	CHECK_EQ(find_s5(empty_pkg_at_end, sizeof(empty_pkg_at_end), &a, &b), -ENOENT);

	n = aml_s5(aml, false, 1, byte_el, 2, 1);		/* one element */
	CHECK_EQ(find_s5(aml, n, &a, &b), -ENOENT);
	n = aml_s5(aml, false, 1, byte_el, 4, 1);		/* NumElements 1, more bytes */
	CHECK_EQ(find_s5(aml, n, &a, &b), -ENOENT);
	n = aml_s5(aml, false, 2, cut_el, sizeof(cut_el), 1);	/* 2nd element cut by the end */
	CHECK_EQ(find_s5(aml, n, &a, &b), -ENOENT);
	aml[n] = 0x07;						/* ... or by the package's end */
	CHECK_EQ(find_s5(aml, n + 1, &a, &b), -ENOENT);
	n = aml_s5(aml, false, 2, str_el, sizeof(str_el), 1);	/* a string element */
	CHECK_EQ(find_s5(aml, n, &a, &b), -ENOENT);

	n = aml_s5(aml, false, 4, byte_el, sizeof(byte_el), 1);
	aml[6] = 0x3f;						/* package beyond the AML */
	CHECK_EQ(find_s5(aml, n, &a, &b), -ENOENT);
	aml[6] = 3;						/* elements beyond the package */
	CHECK_EQ(find_s5(aml, n, &a, &b), -ENOENT);
	aml[6] = 1;						/* not even NumElements */
	CHECK_EQ(find_s5(aml, n, &a, &b), -ENOENT);

	/* Every truncation of a valid definition */
	n = aml_s5(aml, true, 4, byte_el, sizeof(byte_el), 2);
	CHECK_EQ(find_s5(aml, n, &a, &b), 0);
	a = b = 0xee;
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(find_s5(aml, i, &a, &b), -ENOENT);
	CHECK(a == 0xee && b == 0xee);	/* untouched on failure */
	n = aml_s5(aml2, false, 62, big, 4 + 60, 2);
	CHECK_EQ(find_s5(aml2, n, &a, &b), 0);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(find_s5(aml2, i, &a, &b), -ENOENT);
}


/* Every byte of every table set to 0, 0xff and flipped, checksums fixed. */
TEST(mutations)
{
	static const u8 vals[] = { 0x00, 0xff, 0x80 };
	struct fakemem fm = { 0 };
	struct acpi_info info;
	const char *why;
	unsigned runs = 0;
	int err, fails0 = test_failures;

	alarm(300);
	build_std(&fm);
	for (unsigned ri = 0; ri < fm.n; ri++) {
		struct region *r = &fm.r[ri];

		for (u32 off = 0; off < r->len; off++) {
			u8 orig = r->buf[off];

			for (unsigned v = 0; v < ARRAY_SIZE(vals); v++) {
				r->buf[off] = v == 2 ? orig ^ 0x80 : vals[v];
				if (r->pa == PA_RSDP) {
					sum_fix(r->buf, 20, 8);
					if (r->len == 36)
						sum_fix(r->buf, 36, 32);
				} else if (off != 9) {
					tbl_fix(r->buf, r->len);
				}
				err = parse(&fm, PA_RSDP, &info, &why);
				check_sane(err, why, &info);
				runs++;
				if (test_failures != fails0) {
					fprintf(stderr, "  (table at %#" PRIx64 ", offset %u)\n", r->pa, off);
					goto out;
				}
				r->buf[off] = orig;
			}
			if (r->pa == PA_RSDP) {
				sum_fix(r->buf, 20, 8);
				if (r->len == 36)
					sum_fix(r->buf, 36, 32);
			} else {
				tbl_fix(r->buf, r->len);
			}
		}
	}
out:
	alarm(0);
	CHECK(runs > 1000);
	fm_free(&fm);
}

TEST(dump_loader_roundtrip)
{
	struct fakemem fm = { 0 }, fm2 = { 0 };
	struct acpi_info a, b;
	const char *why;
	char path[64];
	u64 rsdp = 0;
	FILE *f;

	build_std(&fm);
	snprintf(path, sizeof(path), "/tmp/test_acpi-%d.dump", (int)getpid());
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	write_dump(f, &fm, PA_RSDP);
	fclose(f);
	CHECK(load_dump(path, &fm2, &rsdp, false));
	remove(path);
	CHECK_EQ(rsdp, PA_RSDP);
	CHECK_EQ(fm2.n, fm.n);		/* lines of one table joined back together */
	CHECK_EQ(parse(&fm, PA_RSDP, &a, &why), 0);
	CHECK_EQ(parse(&fm2, rsdp, &b, &why), 0);
	CHECK_EQ(b.ntables, a.ntables);
	for (unsigned i = 0; i < a.ntables && i < b.ntables; i++) {
		CHECK_STR(b.tables[i].sig, a.tables[i].sig);
		CHECK_EQ(b.tables[i].pa, a.tables[i].pa);
		CHECK_EQ(b.tables[i].length, a.tables[i].length);
	}
	CHECK_EQ(b.ncpus, 3);
	CHECK_EQ(b.cpus[2].apic_id, 0x100);
	CHECK_EQ(b.pm_tmr.address, 0x1608);
	CHECK(b.has_s5 && b.s5_typ_a == 5 && b.s5_typ_b == 6);
	CHECK_EQ(b.mcfg_base, 0x3f0000000ull);
	fm_free(&fm2);

	/* Malformed dumps are refused */
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fprintf(f, "ACPIDUMP 1000 abc\nACPIDUMP RSDP 1000\n");
		fclose(f);
		CHECK(!load_dump(path, &fm2, &rsdp, true));
		fm_free(&fm2);
		f = fopen(path, "w");
		fprintf(f, "ACPIDUMP 1000 00\n");
		fclose(f);
		CHECK(!load_dump(path, &fm2, &rsdp, true));
		fm_free(&fm2);
		remove(path);
	}
	fm_free(&fm);
}

TEST_MAIN(
	{ "checksum", checksum },
	{ "full_v2", full_v2 },
	{ "v0_rsdt_legacy_fadt", v0_rsdt_legacy_fadt },
	{ "v2_without_xsdt_uses_rsdt", v2_without_xsdt_uses_rsdt },
	{ "bad_xsdt_falls_back_to_rsdt", bad_xsdt_falls_back_to_rsdt },
	{ "bad_rsdp", bad_rsdp },
	{ "bad_table_checksum", bad_table_checksum },
	{ "madt_malformed_entries", madt_malformed_entries },
	{ "truncated_tables", truncated_tables },
	{ "array_limits", array_limits },
	{ "duplicate_cpus", duplicate_cpus },
	{ "duplicate_tables", duplicate_tables },
	{ "fadt_variants", fadt_variants },
	{ "hpet_mcfg_invalid", hpet_mcfg_invalid },
	{ "s5_from_ssdt", s5_from_ssdt },
	{ "s5_encodings", s5_encodings },
	{ "s5_absent_or_malformed", s5_absent_or_malformed },
	{ "mutations", mutations },
	{ "dump_loader_roundtrip", dump_loader_roundtrip },
)
