// SPDX-License-Identifier: MIT
/* test_guestacpi.c: the guest's ACPI tables (vmm/boot/acpi_tables.c), read back by the host's parser. */
#include "test.h"

#include <unistd.h>

#include <tv/acpi.h>
#include <tv/errno.h>
#include <tv/guestboot.h>

#define LOW_MEM 0x100000u

/* ---- fake guest memory: the first MiB ---------------------------------------- */

static u8 mem[LOW_MEM];
static unsigned outside;	/* writes that left the ACPI window */
static u64 fail_gpa;		/* a write (not a clear) covering this address fails */
static void *maps[4096];
static unsigned nmaps;

static int check_range(u64 gpa, u64 len, bool write)
{
	if (gpa < GUEST_ACPI_BASE || gpa > GUEST_ACPI_END || len > GUEST_ACPI_END - gpa)
		outside++;
	if (gpa > LOW_MEM || len > LOW_MEM - gpa)
		return -EFAULT;
	if (write && fail_gpa && fail_gpa >= gpa && fail_gpa - gpa < len)
		return -EFAULT;
	return 0;
}

static int m_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	if (check_range(gpa, len, true))
		return -EFAULT;
	memcpy(mem + gpa, src, len);
	return 0;
}

static int m_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	if (gpa > LOW_MEM || len > LOW_MEM - gpa)
		return -EFAULT;
	memcpy(dst, mem + gpa, len);
	return 0;
}

static int m_zero(void *ctx, u64 gpa, u64 len)
{
	if (check_range(gpa, len, false))
		return -EFAULT;
	memset(mem + gpa, 0, len);
	return 0;
}

static const struct gmem_ops ops = { .write = m_write, .read = m_read, .zero = m_zero };

/* Exact-length heap copies, so a parser read past what it mapped trips ASan. */
static const void *map(void *ctx, u64 pa, u32 len)
{
	void *copy;

	if (pa > LOW_MEM || len > LOW_MEM - pa || nmaps == sizeof(maps) / sizeof(maps[0]))
		return NULL;
	copy = malloc(len ? len : 1);
	memcpy(copy, mem + pa, len);
	maps[nmaps++] = copy;
	return copy;
}

static void unmap_all(void)
{
	while (nmaps)
		free(maps[--nmaps]);
}

static u16 r16(u64 pa)
{
	return (u16)(mem[pa] | mem[pa + 1] << 8);
}

static u32 r32(u64 pa)
{
	return r16(pa) | (u32)r16(pa + 2) << 16;
}

static u64 r64(u64 pa)
{
	return r32(pa) | (u64)r32(pa + 4) << 32;
}

static bool in_window(u64 pa, u64 len)
{
	return pa >= GUEST_ACPI_BASE && pa <= GUEST_ACPI_END && len <= GUEST_ACPI_END - pa;
}

static char why[200];
static struct acpi_info info;
static unsigned nvirtio;	/* virtio-mmio devices in the DSDT */

static int build(unsigned ncpus, u64 *rsdp)
{
	memset(mem, 0x5a, sizeof(mem));		/* stale junk everywhere */
	outside = 0;
	*rsdp = 0;
	memset(why, 0, sizeof(why));
	return guest_acpi_build(&ops, ncpus, nvirtio, rsdp, why, sizeof(why));
}

static const struct acpi_table_ref *find(const char *sig)
{
	for (unsigned i = 0; i < info.ntables; i++)
		if (!strcmp(info.tables[i].sig, sig))
			return &info.tables[i];
	return NULL;
}

/* The common header of the table at pa: OEM fields and the checksum. */
static void check_header(u64 pa, const char *sig, u8 rev)
{
	u32 len = r32(pa + 4);

	CHECK(!memcmp(mem + pa, sig, 4));
	CHECK_EQ(mem[pa + 8], rev);
	CHECK(!memcmp(mem + pa + 10, "THINVR", 6));
	CHECK(!memcmp(mem + pa + 16, "THINVISR", 8));
	CHECK(!memcmp(mem + pa + 28, "TVSR", 4));
	CHECK(in_window(pa, len));
	CHECK(acpi_checksum_ok(mem + pa, len));
	CHECK_EQ(pa % 8, 0);
}

static void check_gas_io(u64 pa, u16 port, u8 bits)
{
	CHECK_EQ(mem[pa], 1);			/* system I/O */
	CHECK_EQ(mem[pa + 1], bits);
	CHECK_EQ(mem[pa + 2], 0);
	CHECK(mem[pa + 3] >= 1 && mem[pa + 3] <= 3);
	CHECK_EQ(r64(pa + 4), port);
}

static void check_tables(unsigned ncpus)
{
	u64 rsdp, xsdt, rsdt, fadt, facs, dsdt, madt;
	const char *perr = NULL;
	int err;

	CHECK_EQ(build(ncpus, &rsdp), 0);
	CHECK_STR(why, "");
	CHECK_EQ(rsdp, GUEST_ACPI_BASE);
	CHECK_EQ(outside, 0);
	/* The window is cleared: no junk left between or after the tables. */
	CHECK_EQ(mem[GUEST_ACPI_END - 1], 0);

	err = acpi_parse(rsdp, map, NULL, &info, &perr);
	unmap_all();
	CHECK_EQ(err, 0);
	if (err) {
		fprintf(stderr, "acpi_parse: %s\n", perr);
		return;
	}

	/* RSDP: revision 2, both checksums, at a 16-byte boundary of the BIOS area. */
	CHECK(!memcmp(mem + rsdp, "RSD PTR ", 8));
	CHECK_EQ(rsdp % 16, 0);
	CHECK(acpi_checksum_ok(mem + rsdp, 20));
	CHECK(acpi_checksum_ok(mem + rsdp, 36));
	CHECK_EQ(r32(rsdp + 20), 36);
	CHECK_EQ(info.revision, 2);
	CHECK_STR(info.oem_id, "THINVR");
	xsdt = r64(rsdp + 24);
	rsdt = r32(rsdp + 16);

	/* Tables the parser followed: XSDT, FACP, APIC and the DSDT, all good. */
	CHECK_EQ(info.ntables, 4);
	for (unsigned i = 0; i < info.ntables; i++) {
		CHECK(info.tables[i].checksum_ok);
		CHECK(in_window(info.tables[i].pa, info.tables[i].length));
	}
	CHECK(find("XSDT") && find("XSDT")->pa == xsdt);
	CHECK(find("FACP") && find("FACP")->length == 276 && find("FACP")->revision == 6);
	CHECK(find("APIC") != NULL);
	CHECK(find("DSDT") != NULL);

	check_header(xsdt, "XSDT", 1);
	CHECK_EQ(r32(xsdt + 4), 36 + 2 * 8);
	fadt = r64(xsdt + 36);
	madt = r64(xsdt + 44);
	check_header(rsdt, "RSDT", 1);
	CHECK_EQ(r32(rsdt + 4), 36 + 2 * 4);
	CHECK_EQ(r32(rsdt + 36), fadt);
	CHECK_EQ(r32(rsdt + 40), madt);

	/* FADT */
	check_header(fadt, "FACP", 6);
	CHECK_EQ(mem[fadt + 131] & 0xf, 5);	/* ACPI 6.5 */
	CHECK(info.has_fadt);
	CHECK(!info.hw_reduced);
	CHECK_EQ(info.sci_irq, GUEST_GSI_SCI);
	CHECK_EQ(info.smi_cmd, 0);
	CHECK_EQ(info.acpi_enable, 0);
	CHECK_EQ(info.iapc_boot_arch, 0x0005);	/* legacy devices, no VGA; no 8042; RTC */
	CHECK_EQ(info.pm1a_cnt.space, ACPI_GAS_IO);
	CHECK_EQ(info.pm1a_cnt.address, GUEST_PORT_PM1A_CNT);
	CHECK_EQ(info.pm1a_cnt.bit_width, 16);
	CHECK_EQ(info.pm1b_cnt.address, 0);
	CHECK_EQ(info.pm_tmr.space, ACPI_GAS_IO);
	CHECK_EQ(info.pm_tmr.address, GUEST_PORT_PM_TMR);
	CHECK_EQ(info.pm_tmr.bit_width, 32);
	CHECK(info.pm_tmr_32bit);
	CHECK(info.reset_supported);
	CHECK_EQ(info.reset_reg.space, ACPI_GAS_IO);
	CHECK_EQ(info.reset_reg.address, GUEST_PORT_RESET);
	CHECK_EQ(info.reset_reg.bit_width, 8);
	CHECK_EQ(info.reset_value, GUEST_RESET_VALUE);
	/* What the parser does not read: legacy blocks and lengths, PM1a event block. */
	CHECK_EQ(r32(fadt + 56), GUEST_PORT_PM1A_EVT);
	CHECK_EQ(r32(fadt + 64), GUEST_PORT_PM1A_CNT);
	CHECK_EQ(r32(fadt + 76), GUEST_PORT_PM_TMR);
	CHECK_EQ(mem[fadt + 88], 4);
	CHECK_EQ(mem[fadt + 89], 2);
	CHECK_EQ(mem[fadt + 91], 4);
	CHECK_EQ(r32(fadt + 80), 0);		/* no GPE0 block */
	check_gas_io(fadt + 148, GUEST_PORT_PM1A_EVT, 32);
	check_gas_io(fadt + 172, GUEST_PORT_PM1A_CNT, 16);
	check_gas_io(fadt + 208, GUEST_PORT_PM_TMR, 32);
	check_gas_io(fadt + 116, GUEST_PORT_RESET, 8);
	CHECK_EQ(r64(fadt + 160), 0);		/* no PM1b */

	/* FACS: 64 bytes, 64-byte aligned, both pointers agree. */
	facs = r64(fadt + 132);
	CHECK_EQ(r32(fadt + 36), facs);
	CHECK(!memcmp(mem + facs, "FACS", 4));
	CHECK_EQ(r32(facs + 4), 64);
	CHECK_EQ(facs % 64, 0);
	CHECK(in_window(facs, 64));
	CHECK_EQ(mem[facs + 32], 2);

	/* DSDT: exactly Name (\_S5, Package () { typ, typ, 0, 0 }). */
	dsdt = r64(fadt + 140);
	CHECK_EQ(r32(fadt + 40), dsdt);
	CHECK_EQ(info.dsdt, dsdt);
	check_header(dsdt, "DSDT", 2);
	{
		static const u8 aml[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04,
					  0x0a, GUEST_S5_SLP_TYP, 0x0a, GUEST_S5_SLP_TYP, 0x00, 0x00 };

		_Static_assert(GUEST_S5_SLP_TYP > 1, "the expected AML assumes a BytePrefix");
		CHECK_EQ(r32(dsdt + 4), 36 + sizeof(aml));
		CHECK(!memcmp(mem + dsdt + 36, aml, sizeof(aml)));
	}
	CHECK(info.has_s5);
	CHECK_EQ(info.s5_typ_a, GUEST_S5_SLP_TYP);
	CHECK_EQ(info.s5_typ_b, GUEST_S5_SLP_TYP);

	/* MADT */
	check_header(madt, "APIC", 6);
	CHECK_EQ(r32(madt + 4), 44 + 8 * ncpus + 12 + 2 * 10 + 6);
	CHECK(info.has_madt);
	CHECK_EQ(info.lapic_addr, GUEST_LAPIC_BASE);
	CHECK(info.pcat_compat);	/* 8259s exist, as registers only */
	CHECK_EQ(info.ncpus, ncpus);
	for (unsigned i = 0; i < info.ncpus; i++) {
		CHECK_EQ(info.cpus[i].apic_id, i);
		CHECK_EQ(info.cpus[i].uid, i);
		CHECK(info.cpus[i].enabled);
		CHECK(!info.cpus[i].x2apic);
	}
	CHECK_EQ(info.nioapics, 1);
	CHECK_EQ(info.ioapics[0].id, ncpus);
	CHECK_EQ(info.ioapics[0].addr, GUEST_IOAPIC_BASE);
	CHECK_EQ(info.ioapics[0].gsi_base, 0);
	CHECK_EQ(info.nisos, 2);
	CHECK_EQ(info.isos[0].bus_irq, 0);
	CHECK_EQ(info.isos[0].gsi, GUEST_GSI_PIT);
	CHECK_EQ(info.isos[0].flags, 0);
	CHECK_EQ(info.isos[1].bus_irq, 9);
	CHECK_EQ(info.isos[1].gsi, GUEST_GSI_SCI);
	CHECK_EQ(info.isos[1].flags, 0xd);	/* active high, level */
	/* The parser skips NMI entries: find the LINT1 one by hand. */
	{
		u64 off = madt + 44, end = madt + r32(madt + 4);
		unsigned nmis = 0;

		while (off + 2 <= end && mem[off + 1] >= 2) {
			if (mem[off] == 4) {
				nmis++;
				CHECK_EQ(mem[off + 1], 6);
				CHECK_EQ(mem[off + 2], 0xff);
				CHECK_EQ(r16(off + 3), 0);
				CHECK_EQ(mem[off + 5], 1);
			}
			off += mem[off + 1];
		}
		CHECK_EQ(off, end);
		CHECK_EQ(nmis, 1);
	}
}

TEST(one_cpu)
{
	check_tables(1);
}

TEST(two_cpus)
{
	check_tables(2);
}

TEST(max_cpus)
{
	check_tables(255);
	CHECK_EQ(info.cpus[254].apic_id, 254);
	CHECK_EQ(info.ioapics[0].id, 255);
}

/* A parser that only knows the RSDT (ACPI 1.0 style) finds the same tables. */
TEST(rsdt_fallback)
{
	u64 rsdp, xsdt;
	const char *perr = NULL;

	CHECK_EQ(build(4, &rsdp), 0);
	xsdt = r64(rsdp + 24);
	mem[xsdt] = 'Y';			/* break the XSDT */
	CHECK_EQ(acpi_parse(rsdp, map, NULL, &info, &perr), 0);
	unmap_all();
	CHECK(find("RSDT") != NULL);
	CHECK(info.has_fadt && info.has_madt && info.has_s5);
	CHECK_EQ(info.ncpus, 4);
}

TEST(rejections)
{
	u64 rsdp;

	CHECK_EQ(build(0, &rsdp), -EINVAL);
	CHECK(strstr(why, "0 vCPUs") != NULL);
	CHECK_EQ(build(256, &rsdp), -EINVAL);
	CHECK_EQ(rsdp, 0);
	fail_gpa = GUEST_ACPI_BASE + 0x100;
	CHECK_EQ(build(2, &rsdp), -EFAULT);
	CHECK(strstr(why, "ACPI") != NULL);
	fail_gpa = 0;
	/* A write failing inside one table names it. */
	CHECK_EQ(build(2, &rsdp), 0);
	fail_gpa = r64(rsdp + 24) + 40;		/* in the XSDT's entries */
	CHECK_EQ(build(2, &rsdp), -EFAULT);
	CHECK(strstr(why, "XSDT") != NULL);
	fail_gpa = 0;
}

/* If iasl is installed, it must disassemble the DSDT without complaint. */
TEST(iasl_disassembles_dsdt)
{
	char dir[] = "/tmp/guestacpi.XXXXXX", cmd[512], path[256];
	u64 rsdp, dsdt;
	size_t len;
	FILE *f;
	char *dsl;

	if (system("command -v iasl >/dev/null 2>&1") != 0) {
		printf("note: iasl not installed, DSDT disassembly check skipped\n");
		return;
	}
	CHECK_EQ(build(1, &rsdp), 0);
	dsdt = r64(r64(r64(rsdp + 24) + 36) + 140);	/* XSDT -> FADT -> X_DSDT */
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/dsdt.dat", dir);
	f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	fwrite(mem + dsdt, 1, r32(dsdt + 4), f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d dsdt.dat >iasl.log 2>&1", dir);
	CHECK_EQ(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/dsdt.dsl", dir);
	dsl = test_read_file(path, &len);
	CHECK(strstr(dsl, "_S5") != NULL);
	if (nvirtio) {
		CHECK(strstr(dsl, "\"LNRO0005\"") != NULL);
		CHECK(strstr(dsl, "Device (VR07)") != NULL);
		CHECK(strstr(dsl, "0xFEB07000") != NULL);
		CHECK(strstr(dsl, "0x00000017,") != NULL || strstr(dsl, "0x00000017") != NULL);
		CHECK(strstr(dsl, "Level, ActiveHigh, Exclusive") != NULL);
	}
	free(dsl);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
}

static void iasl_disassembles_dsdt(void);

/* The virtio-mmio devices: exact AML for one, the structure for eight, iasl's view of both. */
TEST(virtio_devices)
{
	static const u8 dev0[] = {
		0x10, 0x44, 0x04, '\\', '_', 'S', 'B', '_',		/* Scope (\_SB), PkgLength 68 */
		0x5b, 0x82, 0x3b, 'V', 'R', '0', '0',			/* Device (VR00) */
		0x08, '_', 'H', 'I', 'D', 0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0x00,
		0x08, '_', 'U', 'I', 'D', 0x0a, 0x00,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x1a, 0x0a, 23,
		0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xb0, 0xfe, 0x00, 0x02, 0x00, 0x00,
		0x89, 0x06, 0x00, 0x01, 0x01, 16, 0x00, 0x00, 0x00,
		0x79, 0x00,
	};
	u64 rsdp, dsdt;
	u32 len;

	nvirtio = 1;
	CHECK_EQ(build(1, &rsdp), 0);
	dsdt = r64(r64(r64(rsdp + 24) + 36) + 140);
	len = r32(dsdt + 4);
	/* After the 15 bytes of \_S5: the scope, exactly. */
	CHECK_EQ(len, 36 + 15 + sizeof(dev0));
	CHECK(!memcmp(mem + dsdt + 36 + 15, dev0, sizeof(dev0)));
	CHECK(acpi_checksum_ok(mem + dsdt, len));
	/* The parser still finds \_S5 in front of it. */
	memset(&info, 0, sizeof(info));
	{
		const char *perr = NULL;

		CHECK_EQ(acpi_parse(rsdp, map, NULL, &info, &perr), 0);
	}
	CHECK(info.has_s5);
	unmap_all();

	/* Eight: a two-byte PkgLength for the scope, each device at its own base and GSI. */
	nvirtio = GUEST_VIRTIO_MAX;
	CHECK_EQ(build(2, &rsdp), 0);
	dsdt = r64(r64(r64(rsdp + 24) + 36) + 140);
	len = r32(dsdt + 4);
	CHECK_EQ(mem[dsdt + 36 + 15], 0x10);
	CHECK_EQ(mem[dsdt + 36 + 16] >> 6, 1);
	CHECK_EQ((mem[dsdt + 36 + 16] & 0xf) | mem[dsdt + 36 + 17] << 4, len - 36 - 15 - 1);
	for (unsigned n = 0; n < GUEST_VIRTIO_MAX; n++) {
		u8 pat[8] = { 0x86, 0x09, 0x00, 0x01 };
		u32 base = (u32)(GUEST_VIRTIO_BASE + n * GUEST_VIRTIO_STRIDE);
		bool found = false;

		memcpy(pat + 4, &base, 4);
		for (u32 i = 36; i + 21 < len && !found; i++)
			found = !memcmp(mem + dsdt + i, pat, 8) && mem[dsdt + i + 12] == 0x89 &&
				mem[dsdt + i + 15] == 0x01 && r32(dsdt + i + 17) == GUEST_GSI_VIRTIO0 + n;
		CHECK(found);
	}
	CHECK(acpi_checksum_ok(mem + dsdt, len));
	nvirtio = GUEST_VIRTIO_MAX + 1;
	CHECK_EQ(build(1, &rsdp), -EINVAL);
	CHECK(strstr(why, "virtio") != NULL);
	nvirtio = GUEST_VIRTIO_MAX;
	iasl_disassembles_dsdt();
	nvirtio = 0;
}

TEST_MAIN({ "virtio_devices", virtio_devices },
	  { "one_cpu", one_cpu },
	  { "two_cpus", two_cpus },
	  { "max_cpus", max_cpus },
	  { "rsdt_fallback", rsdt_fallback },
	  { "rejections", rejections },
	  { "iasl_disassembles_dsdt", iasl_disassembles_dsdt })
