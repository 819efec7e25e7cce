// SPDX-License-Identifier: MIT
/* acpi.c: bounds-checked parser for the firmware's ACPI tables (interface in tv/acpi.h). */
#include <tv/acpi.h>
#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/string.h>

/*
 * Firmware tables are input, not trusted structures: every byte is read
 * through a pointer from map() and checked against the length it was mapped
 * with. Pointers from map() are assumed to stay valid until acpi_parse
 * returns (the root table is walked while its entries are mapped).
 */

#define HDR_LEN 36			/* common System Description Table header */
#define TABLE_MAX_LEN MiB(16)		/* far above any real table */
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define RSDP_MAX_LEN 4096		/* the extended RSDP is 36 bytes today */
#define ROOT_MAX_ENTRIES 512		/* real systems list well under 100 tables */

/* MADT entry types */
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC 9

#define MADT_CPU_ENABLED (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)
#define MADT_PCAT_COMPAT (1u << 0)

/* FADT field offsets (ACPI spec 5.2.9, FADT Format) */
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_PM_TMR_BLK 76
#define FADT_PM1_CNT_LEN 89
#define FADT_PM_TMR_LEN 91
#define FADT_CENTURY 108
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM1B_CNT_BLK 184
#define FADT_X_PM_TMR_BLK 208

#define FADT_TMR_VAL_EXT (1u << 8)
#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_HW_REDUCED_ACPI (1u << 20)

#define GAS_LEN 12

/* AML opcodes needed to read \_S5 */
#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE 0x0a
#define AML_WORD 0x0b
#define AML_DWORD 0x0c
#define AML_QWORD 0x0e
#define AML_PACKAGE 0x12
#define AML_ROOT '\\'

struct parser {
	acpi_map_fn map;
	void *ctx;
	struct acpi_info *info;
	/* \_S5 from an SSDT, used only if the DSDT has none */
	bool ssdt_s5;
	u8 ssdt_typ_a, ssdt_typ_b;
};

/* Little-endian loads that work at any alignment. */
static inline u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 rd64(const u8 *p)
{
	return rd32(p) | (u64)rd32(p + 4) << 32;
}

static inline bool in_table(u32 len, u32 off, u32 size)
{
	return off <= len && size <= len - off;
}

/* A field of a table that may be too short to have it: absent reads as 0. */
static u64 field(const u8 *t, u32 len, u32 off, u32 size)
{
	if (!in_table(len, off, size))
		return 0;
	switch (size) {
	case 1:
		return t[off];
	case 2:
		return rd16(t + off);
	case 4:
		return rd32(t + off);
	default:
		return rd64(t + off);
	}
}

bool acpi_checksum_ok(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

/*
 * Map a whole table. The header is mapped alone first so that a bogus length
 * is rejected before anything that long is ever mapped.
 */
static const u8 *map_table(struct parser *ps, u64 pa, u32 *lenp)
{
	const u8 *h;
	u32 len;

	if (!pa)
		return NULL;
	h = ps->map(ps->ctx, pa, HDR_LEN);
	if (!h)
		return NULL;
	len = rd32(h + 4);
	if (len < HDR_LEN || len > TABLE_MAX_LEN)
		return NULL;
	*lenp = len;
	return ps->map(ps->ctx, pa, len);
}

/* List a mapped table once; returns whether its checksum holds. */
static bool record_table(struct acpi_info *info, const u8 *t, u32 len, u64 pa)
{
	bool ok = acpi_checksum_ok(t, len);
	struct acpi_table_ref *ref;

	for (unsigned i = 0; i < info->ntables; i++)
		if (info->tables[i].pa == pa)
			return ok;
	if (info->ntables >= ACPI_MAX_TABLES)
		return ok;
	ref = &info->tables[info->ntables++];
	memcpy(ref->sig, t, 4);
	ref->sig[4] = '\0';
	ref->revision = t[8];
	ref->checksum_ok = ok;
	ref->length = len;
	ref->pa = pa;
	return ok;
}

/* ---- MADT ---------------------------------------------------------------- */

static void add_cpu(struct acpi_info *info, u32 apic_id, u32 uid, u32 flags, bool x2apic)
{
	struct acpi_cpu *c;

	/* Some firmware lists a CPU both as local APIC and as x2APIC: keep one. */
	for (unsigned i = 0; i < info->ncpus; i++)
		if (info->cpus[i].apic_id == apic_id)
			return;
	if (info->ncpus >= ACPI_MAX_CPUS)
		return;
	c = &info->cpus[info->ncpus++];
	c->apic_id = apic_id;
	c->uid = uid;
	c->enabled = flags & MADT_CPU_ENABLED;
	c->online_capable = flags & MADT_CPU_ONLINE_CAPABLE;
	c->x2apic = x2apic;
}

static void madt_entry(struct acpi_info *info, const u8 *e, u32 elen)
{
	switch (e[0]) {
	case MADT_LAPIC:
		if (elen >= 8)
			add_cpu(info, e[3], e[2], rd32(e + 4), false);
		break;
	case MADT_IOAPIC:
		if (elen >= 12 && info->nioapics < ACPI_MAX_IOAPICS) {
			struct acpi_ioapic *io = &info->ioapics[info->nioapics++];

			io->id = e[2];
			io->addr = rd32(e + 4);
			io->gsi_base = rd32(e + 8);
		}
		break;
	case MADT_ISO:
		if (elen >= 10 && info->nisos < ACPI_MAX_ISOS) {
			struct acpi_iso *iso = &info->isos[info->nisos++];

			iso->bus_irq = e[3];
			iso->gsi = rd32(e + 4);
			iso->flags = rd16(e + 8);
		}
		break;
	case MADT_LAPIC_OVERRIDE:
		if (elen >= 12)
			info->lapic_addr = rd64(e + 4);
		break;
	case MADT_X2APIC:
		if (elen >= 16)
			add_cpu(info, rd32(e + 4), rd32(e + 12), rd32(e + 8), true);
		break;
	default:
		/* NMI sources, GIC entries etc. are of no use here. */
		break;
	}
}

static void parse_madt(struct acpi_info *info, const u8 *t, u32 len)
{
	u32 off = 44;

	if (len < 44)
		return;
	info->has_madt = true;
	info->lapic_addr = rd32(t + 36);
	info->pcat_compat = rd32(t + 40) & MADT_PCAT_COMPAT;
	/* A malformed entry ends the walk: everything after it is suspect. */
	while (in_table(len, off, 2)) {
		u32 elen = t[off + 1];

		if (elen < 2 || !in_table(len, off, elen))
			break;
		madt_entry(info, t + off, elen);
		off += elen;
	}
}

/* ---- FADT ---------------------------------------------------------------- */

static u8 access_size_for(u8 bits)
{
	switch (bits) {
	case 8:
		return 1;
	case 16:
		return 2;
	case 32:
		return 3;
	case 64:
		return 4;
	default:
		return 0;
	}
}

/*
 * A register block: the 64-bit GAS at xoff when the table has it and it is
 * filled in (the spec says it then takes precedence), otherwise the legacy
 * I/O port with its byte length (def_bits when the length field is unusable).
 */
static void fadt_reg(struct acpi_gas *g, const u8 *t, u32 len, u32 xoff,
		     u32 port_off, u32 len_off, u8 def_bits)
{
	u32 port = (u32)field(t, len, port_off, 4);
	u8 bytes = (u8)field(t, len, len_off, 1);

	memset(g, 0, sizeof(*g));
	if (in_table(len, xoff, GAS_LEN) && rd64(t + xoff + 4)) {
		g->space = t[xoff];
		g->bit_width = t[xoff + 1];
		g->bit_offset = t[xoff + 2];
		g->access_size = t[xoff + 3];
		g->address = rd64(t + xoff + 4);
		return;
	}
	if (!port)
		return;
	g->space = ACPI_GAS_IO;
	g->bit_width = bytes && bytes < 32 ? (u8)(bytes * 8) : def_bits;
	g->access_size = access_size_for(g->bit_width);
	g->address = port;
}

static void parse_fadt(struct acpi_info *info, const u8 *t, u32 len)
{
	u32 flags = (u32)field(t, len, FADT_FLAGS, 4);
	u64 x_dsdt = field(t, len, FADT_X_DSDT, 8);

	info->has_fadt = true;
	info->fadt_flags = flags;
	info->hw_reduced = flags & FADT_HW_REDUCED_ACPI;
	info->pm_tmr_32bit = flags & FADT_TMR_VAL_EXT;
	info->dsdt = x_dsdt ? x_dsdt : field(t, len, FADT_DSDT, 4);
	info->sci_irq = (u16)field(t, len, FADT_SCI_INT, 2);
	info->smi_cmd = (u32)field(t, len, FADT_SMI_CMD, 4);
	info->acpi_enable = (u8)field(t, len, FADT_ACPI_ENABLE, 1);
	info->century = (u8)field(t, len, FADT_CENTURY, 1);
	info->iapc_boot_arch = (u16)field(t, len, FADT_IAPC_BOOT_ARCH, 2);

	fadt_reg(&info->pm1a_cnt, t, len, FADT_X_PM1A_CNT_BLK, FADT_PM1A_CNT_BLK,
		 FADT_PM1_CNT_LEN, 16);
	fadt_reg(&info->pm1b_cnt, t, len, FADT_X_PM1B_CNT_BLK, FADT_PM1B_CNT_BLK,
		 FADT_PM1_CNT_LEN, 16);
	fadt_reg(&info->pm_tmr, t, len, FADT_X_PM_TMR_BLK, FADT_PM_TMR_BLK,
		 FADT_PM_TMR_LEN, 32);

	/* RESET_REG exists since ACPI 2.0; ACPI 1.0 FADTs end before it. */
	if (in_table(len, FADT_RESET_VALUE, 1)) {
		const u8 *r = t + FADT_RESET_REG;

		info->reset_reg.space = r[0];
		info->reset_reg.bit_width = r[1];
		info->reset_reg.bit_offset = r[2];
		info->reset_reg.access_size = r[3];
		info->reset_reg.address = rd64(r + 4);
		info->reset_value = t[FADT_RESET_VALUE];
		info->reset_supported = (flags & FADT_RESET_REG_SUP) && info->reset_reg.address;
	}
}

/* ---- HPET, MCFG ------------------------------------------------------------ */

static void parse_hpet(struct acpi_info *info, const u8 *t, u32 len)
{
	/* Base address GAS at 40; the HPET is only ever memory-mapped. */
	if (!in_table(len, 40, GAS_LEN) || t[40] != ACPI_GAS_MEMORY || !rd64(t + 44))
		return;
	info->has_hpet = true;
	info->hpet_addr = rd64(t + 44);
}

static void parse_mcfg(struct acpi_info *info, const u8 *t, u32 len)
{
	/* 8 reserved bytes after the header, then 16-byte allocation entries. */
	const u8 *e = t + 44;

	if (!in_table(len, 44, 16) || !rd64(e) || e[10] > e[11])
		return;
	info->has_mcfg = true;
	info->mcfg_base = rd64(e);
	info->mcfg_segment = rd16(e + 8);
	info->mcfg_bus_start = e[10];
	info->mcfg_bus_end = e[11];
}

/* ---- \_S5 ------------------------------------------------------------------ */

/* One integer element of a package: a constant opcode or a prefixed literal. */
static bool aml_int(const u8 *aml, size_t end, size_t *pos, u8 *val)
{
	size_t i = *pos, n;

	if (i >= end)
		return false;
	switch (aml[i]) {
	case AML_ZERO:
	case AML_ONE:
		n = 1;
		break;
	case AML_BYTE:
		n = 2;
		break;
	case AML_WORD:
		n = 3;
		break;
	case AML_DWORD:
		n = 5;
		break;
	case AML_QWORD:
		n = 9;
		break;
	default:
		return false;
	}
	if (n > end - i)
		return false;
	/* SLP_TYP is 3 bits wide: the low byte holds it whatever the encoding. */
	*val = n == 1 ? aml[i] : aml[i + 1];
	*pos = i + n;
	return true;
}

/* The Package after "_S5_" at pos: PackageOp PkgLength NumElements elements... */
static bool s5_package(const u8 *aml, size_t len, size_t pos, u8 *a, u8 *b)
{
	size_t pkglen, end;
	unsigned follow;

	if (pos >= len || aml[pos] != AML_PACKAGE)
		return false;
	pos++;
	if (pos >= len)
		return false;
	/* PkgLength: bits 7-6 of the lead byte count the bytes that follow. */
	follow = aml[pos] >> 6;
	if (follow >= len - pos)
		return false;
	if (!follow) {
		pkglen = aml[pos] & 0x3f;
	} else {
		pkglen = aml[pos] & 0x0f;
		for (unsigned k = 1; k <= follow; k++)
			pkglen |= (size_t)aml[pos + k] << (4 + 8 * (k - 1));
	}
	/* The length counts from the PkgLength itself to the package's end. */
	if (pkglen > len - pos)
		return false;
	end = pos + pkglen;
	pos += follow + 1;
	if (pos >= end || aml[pos] < 2)
		return false;
	pos++;
	return aml_int(aml, end, &pos, a) && aml_int(aml, end, &pos, b);
}

int acpi_find_s5(const u8 *aml, size_t len, u8 *typ_a, u8 *typ_b)
{
	if (!aml)
		return -ENOENT;
	/* Keep looking past false matches: the bytes may sit inside a buffer. */
	for (size_t i = 1; i < len && len - i >= 4; i++) {
		u8 a, b;

		if (memcmp(aml + i, "_S5_", 4))
			continue;
		if (aml[i - 1] != AML_NAME &&
		    !(aml[i - 1] == AML_ROOT && i >= 2 && aml[i - 2] == AML_NAME))
			continue;
		if (s5_package(aml, len, i + 4, &a, &b)) {
			*typ_a = a;
			*typ_b = b;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- tables ---------------------------------------------------------------- */

static void parse_entry(struct parser *ps, u64 pa)
{
	struct acpi_info *info = ps->info;
	const u8 *t;
	u32 len;

	t = map_table(ps, pa, &len);
	if (!t || !record_table(info, t, len, pa))
		return;
	/* The first of each kind wins; duplicates are listed but not used. */
	if (!memcmp(t, "APIC", 4) && !info->has_madt) {
		parse_madt(info, t, len);
	} else if (!memcmp(t, "FACP", 4) && !info->has_fadt) {
		parse_fadt(info, t, len);
	} else if (!memcmp(t, "HPET", 4) && !info->has_hpet) {
		parse_hpet(info, t, len);
	} else if (!memcmp(t, "MCFG", 4) && !info->has_mcfg) {
		parse_mcfg(info, t, len);
	} else if (!memcmp(t, "SSDT", 4) && !ps->ssdt_s5) {
		ps->ssdt_s5 = !acpi_find_s5(t + HDR_LEN, len - HDR_LEN,
					    &ps->ssdt_typ_a, &ps->ssdt_typ_b);
	}
}

static int parse_root(struct parser *ps, u64 pa, bool xsdt, const char **why)
{
	u32 esize = xsdt ? 8 : 4, len, n;
	const u8 *t;

	t = map_table(ps, pa, &len);
	if (!t) {
		*why = xsdt ? "XSDT unmappable or bad length" : "RSDT unmappable or bad length";
		return -EINVAL;
	}
	if (memcmp(t, xsdt ? "XSDT" : "RSDT", 4)) {
		*why = xsdt ? "XSDT has a wrong signature" : "RSDT has a wrong signature";
		return -EINVAL;
	}
	if (!record_table(ps->info, t, len, pa)) {
		*why = xsdt ? "XSDT checksum is bad" : "RSDT checksum is bad";
		return -EINVAL;
	}
	n = MIN((len - HDR_LEN) / esize, (u32)ROOT_MAX_ENTRIES);
	for (u32 i = 0; i < n; i++) {
		const u8 *e = t + HDR_LEN + i * esize;

		parse_entry(ps, xsdt ? rd64(e) : rd32(e));
	}
	return 0;
}

/* \_S5 lives in the DSDT, which only the FADT points to; SSDTs are the fallback. */
static void parse_dsdt(struct parser *ps)
{
	struct acpi_info *info = ps->info;
	const u8 *t;
	u32 len;

	t = map_table(ps, info->dsdt, &len);
	if (t && !memcmp(t, "DSDT", 4) && record_table(info, t, len, info->dsdt) &&
	    !acpi_find_s5(t + HDR_LEN, len - HDR_LEN, &info->s5_typ_a, &info->s5_typ_b)) {
		info->has_s5 = true;
		return;
	}
	if (ps->ssdt_s5) {
		info->has_s5 = true;
		info->s5_typ_a = ps->ssdt_typ_a;
		info->s5_typ_b = ps->ssdt_typ_b;
	}
}

/* Validate the RSDP and read the root table addresses (xsdt is 0 before ACPI 2.0). */
static int parse_rsdp(struct parser *ps, u64 pa, u64 *xsdt, u64 *rsdt, const char **why)
{
	struct acpi_info *info = ps->info;
	const u8 *r;
	u32 len;

	r = ps->map(ps->ctx, pa, RSDP_V1_LEN);
	if (!r) {
		*why = "RSDP unmappable";
		return -EINVAL;
	}
	if (memcmp(r, "RSD PTR ", 8)) {
		*why = "RSDP signature is wrong";
		return -EINVAL;
	}
	if (!acpi_checksum_ok(r, RSDP_V1_LEN)) {
		*why = "RSDP checksum is bad";
		return -EINVAL;
	}
	info->revision = r[15];
	memcpy(info->oem_id, r + 9, 6);	/* oem_id[6] stays NUL from the memset */
	*rsdt = rd32(r + 16);
	*xsdt = 0;
	if (info->revision < 2)
		return 0;

	r = ps->map(ps->ctx, pa, RSDP_V2_LEN);
	if (!r) {
		*why = "extended RSDP unmappable";
		return -EINVAL;
	}
	len = rd32(r + 20);
	if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN) {
		*why = "RSDP length is bad";
		return -EINVAL;
	}
	r = ps->map(ps->ctx, pa, len);
	if (!r) {
		*why = "extended RSDP unmappable";
		return -EINVAL;
	}
	if (!acpi_checksum_ok(r, len)) {
		*why = "RSDP extended checksum is bad";
		return -EINVAL;
	}
	*xsdt = rd64(r + 24);
	return 0;
}

int acpi_parse(u64 rsdp_pa, acpi_map_fn map, void *ctx, struct acpi_info *info,
	       const char **why)
{
	struct parser ps = { .map = map, .ctx = ctx, .info = info };
	const char *unused;
	u64 xsdt, rsdt;
	int err;

	if (!why)
		why = &unused;
	*why = NULL;
	memset(info, 0, sizeof(*info));
	err = parse_rsdp(&ps, rsdp_pa, &xsdt, &rsdt, why);
	if (err)
		return err;

	err = -EINVAL;
	if (xsdt)
		err = parse_root(&ps, xsdt, true, why);
	/* A broken XSDT with a usable RSDT beside it still boots. */
	if (err && rsdt)
		err = parse_root(&ps, rsdt, false, why);
	if (err) {
		if (!*why)
			*why = "RSDP points to no root table";
		return err;
	}
	*why = NULL;
	if (info->has_fadt)
		parse_dsdt(&ps);
	return 0;
}
