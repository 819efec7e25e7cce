/* SPDX-License-Identifier: MIT */
/*
 * acpi_testlib.h: for the ACPI parser tests: fake physical memory, table
 * builders, and the loader for recorded dumps (the ACPIDUMP lines that the
 * kernel option acpi.dump prints).
 */
#ifndef TESTS_UNIT_ACPI_TESTLIB_H
#define TESTS_UNIT_ACPI_TESTLIB_H

#include "test.h"

#include <ctype.h>
#include <dirent.h>
#include <unistd.h>

#include <tv/acpi.h>
#include <tv/compiler.h>
#include <tv/errno.h>

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

/* ---- fake physical memory -------------------------------------------------- */

struct region {
	u64 pa;
	u32 len;
	u8 *buf;
};

struct fakemem {
	struct region *r;
	unsigned n;
	void **maps;		/* copies handed out by fm_map */
	unsigned nmaps;
	u64 max_map_len;	/* largest length ever asked for */
};

/*
 * Every mapping is a fresh heap copy of exactly the asked length, so a read
 * past what the parser mapped trips ASan/valgrind even inside a table.
 */
static __attribute__((unused)) const void *fm_map(void *ctx, u64 pa, u32 len)
{
	struct fakemem *fm = ctx;

	if (len > fm->max_map_len)
		fm->max_map_len = len;
	for (unsigned i = 0; i < fm->n; i++) {
		struct region *r = &fm->r[i];
		u8 *copy;

		if (pa < r->pa || pa - r->pa > r->len || len > r->len - (pa - r->pa))
			continue;
		copy = malloc(len ? len : 1);
		memcpy(copy, r->buf + (pa - r->pa), len);
		fm->maps = realloc(fm->maps, (fm->nmaps + 1) * sizeof(*fm->maps));
		fm->maps[fm->nmaps++] = copy;
		return copy;
	}
	return NULL;
}

static __attribute__((unused)) void fm_unmap(struct fakemem *fm)
{
	for (unsigned i = 0; i < fm->nmaps; i++)
		free(fm->maps[i]);
	free(fm->maps);
	fm->maps = NULL;
	fm->nmaps = 0;
}

static __attribute__((unused)) void fm_free(struct fakemem *fm)
{
	fm_unmap(fm);
	for (unsigned i = 0; i < fm->n; i++)
		free(fm->r[i].buf);
	free(fm->r);
	memset(fm, 0, sizeof(*fm));
}

/* Place buf (taking ownership) at pa, replacing what started there. */
static __attribute__((unused)) void fm_set(struct fakemem *fm, u64 pa, u8 *buf, u32 len)
{
	for (unsigned i = 0; i < fm->n; i++) {
		if (fm->r[i].pa == pa) {
			free(fm->r[i].buf);
			fm->r[i].buf = buf;
			fm->r[i].len = len;
			return;
		}
	}
	fm->r = realloc(fm->r, (fm->n + 1) * sizeof(*fm->r));
	fm->r[fm->n++] = (struct region){ .pa = pa, .len = len, .buf = buf };
}

static __attribute__((unused)) struct region *fm_at(struct fakemem *fm, u64 pa)
{
	for (unsigned i = 0; i < fm->n; i++)
		if (fm->r[i].pa == pa)
			return &fm->r[i];
	fprintf(stderr, "no region at %#" PRIx64 "\n", pa);
	exit(2);
}

static __attribute__((unused)) int parse(struct fakemem *fm, u64 rsdp, struct acpi_info *info, const char **why)
{
	int err;

	fm->max_map_len = 0;
	err = acpi_parse(rsdp, fm_map, fm, info, why);
	fm_unmap(fm);
	return err;
}

/* Invariants that must hold whatever the tables say */
static __attribute__((unused)) void check_sane(int err, const char *why, const struct acpi_info *info)
{
	CHECK(err == 0 || err == -EINVAL);
	CHECK(err ? why != NULL : why == NULL);
	CHECK(info->ntables <= ACPI_MAX_TABLES && info->ncpus <= ACPI_MAX_CPUS);
	CHECK(info->nioapics <= ACPI_MAX_IOAPICS && info->nisos <= ACPI_MAX_ISOS);
	CHECK(info->oem_id[6] == '\0');
	for (unsigned i = 0; i < info->ntables; i++) {
		CHECK(info->tables[i].sig[4] == '\0');
		CHECK(info->tables[i].length >= 36 && info->tables[i].length <= 16u << 20);
	}
}

/* ---- recorded dumps -------------------------------------------------------- */

/*
 * Load an ACPIDUMP text file into fake memory: "ACPIDUMP <pa> <hex bytes>"
 * lines (adjacent ones join into one chunk) and one "ACPIDUMP RSDP <pa>".
 * Text before "ACPIDUMP" (log prefixes) and other lines are ignored.
 */
static __attribute__((unused)) bool load_dump(const char *path, struct fakemem *fm, u64 *rsdp, bool quiet)
{
	size_t size;
	char *text = test_read_file(path, &size), *line = text, *next;
	u8 *chunk = NULL;
	u64 chunk_pa = 0;
	u32 chunk_len = 0;
	bool have_rsdp = false, ok = true;
	unsigned lineno = 0;

	for (; line && *line; line = next) {
		char *s, *end;
		size_t digits;
		u64 pa;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		s = strstr(line, "ACPIDUMP ");
		if (!s)
			continue;
		s += strlen("ACPIDUMP ");
		if (!strncmp(s, "RSDP ", 5)) {
			*rsdp = strtoull(s + 5, &end, 16);
			have_rsdp = end != s + 5;
			continue;
		}
		if (!isxdigit((unsigned char)*s))
			goto bad;
		pa = strtoull(s, &end, 16);
		if (*end != ' ')
			goto bad;
		s = end + 1;
		for (digits = 0; isxdigit((unsigned char)s[digits]); digits++)
			;
		for (end = s + digits; *end; end++)
			if (!isspace((unsigned char)*end))
				goto bad;
		if (!digits || digits % 2 || digits > 64)
			goto bad;
		if (!chunk || chunk_pa + chunk_len != pa) {
			if (chunk)
				fm_set(fm, chunk_pa, chunk, chunk_len);
			chunk = NULL;
			chunk_pa = pa;
			chunk_len = 0;
		}
		chunk = realloc(chunk, chunk_len + digits / 2);
		for (size_t i = 0; i < digits / 2; i++) {
			char hex[3] = { s[2 * i], s[2 * i + 1], '\0' };

			chunk[chunk_len++] = (u8)strtoul(hex, NULL, 16);
		}
		continue;
bad:
		if (!quiet)
			fprintf(stderr, "%s:%u: bad ACPIDUMP line\n", path, lineno);
		ok = false;
		break;
	}
	if (chunk)
		fm_set(fm, chunk_pa, chunk, chunk_len);
	free(text);
	if (ok && !have_rsdp && !quiet)
		fprintf(stderr, "%s: no ACPIDUMP RSDP line\n", path);
	return ok && have_rsdp;
}

static __attribute__((unused)) void write_dump(FILE *f, const struct fakemem *fm, u64 rsdp)
{
	fprintf(f, "[    0.100] acpi: tables follow\n");
	for (unsigned i = 0; i < fm->n; i++) {
		const struct region *r = &fm->r[i];

		for (u32 off = 0; off < r->len; off += 32) {
			/* one line with a log prefix, as a captured serial log has */
			fprintf(f, "%sACPIDUMP %" PRIx64 " ", off == 32 ? "[    0.101] " : "",
				r->pa + off);
			for (u32 k = off; k < r->len && k < off + 32; k++)
				fprintf(f, "%02x", r->buf[k]);
			fprintf(f, "\n");
		}
	}
	fprintf(f, "ACPIDUMP RSDP %" PRIx64 "\n", rsdp);
}

/* ---- table builders ---------------------------------------------------------- */

static __attribute__((unused)) void w16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static __attribute__((unused)) void w32(u8 *p, u32 v)
{
	w16(p, (u16)v);
	w16(p + 2, (u16)(v >> 16));
}

static __attribute__((unused)) void w64(u8 *p, u64 v)
{
	w32(p, (u32)v);
	w32(p + 4, (u32)(v >> 32));
}

static __attribute__((unused)) void sum_fix(u8 *p, size_t len, size_t at)
{
	u8 sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	p[at] = (u8)-sum;
}

static __attribute__((unused)) void tbl_fix(u8 *t, u32 len)
{
	sum_fix(t, len, 9);
}

static __attribute__((unused)) void gas(u8 *p, u8 space, u8 width, u8 access, u64 addr)
{
	p[0] = space;
	p[1] = width;
	p[2] = 0;
	p[3] = access;
	w64(p + 4, addr);
}

struct tbuf {
	u8 *p;
	u32 len;
};

static __attribute__((unused)) void tb_put(struct tbuf *b, const void *d, u32 n)
{
	b->p = realloc(b->p, b->len + n);
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static __attribute__((unused)) struct tbuf tb_start(const char *sig, u8 rev)
{
	struct tbuf b = { 0 };
	u8 h[36] = { 0 };

	memcpy(h, sig, 4);
	h[8] = rev;
	memcpy(h + 10, "TVTEST", 6);
	memcpy(h + 16, "TVTABLE ", 8);
	w32(h + 24, 1);
	memcpy(h + 28, "TVC ", 4);
	w32(h + 32, 1);
	tb_put(&b, h, sizeof(h));
	return b;
}

/* Fix length and checksum, and place the table at pa. */
static __attribute__((unused)) void tb_place(struct fakemem *fm, u64 pa, struct tbuf *b)
{
	w32(b->p + 4, b->len);
	tbl_fix(b->p, b->len);
	fm_set(fm, pa, b->p, b->len);
	b->p = NULL;
	b->len = 0;
}

static __attribute__((unused)) void build_rsdp(struct fakemem *fm, u64 pa, u8 rev, u32 rsdt, u64 xsdt)
{
	u32 len = rev >= 2 ? 36 : 20;
	u8 *r = calloc(1, len);

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "TVOEM1", 6);
	r[15] = rev;
	w32(r + 16, rsdt);
	sum_fix(r, 20, 8);
	if (rev >= 2) {
		w32(r + 20, 36);
		w64(r + 24, xsdt);
		sum_fix(r, 36, 32);
	}
	fm_set(fm, pa, r, len);
}

static __attribute__((unused)) void build_root(struct fakemem *fm, u64 pa, bool xsdt, const u64 *e, unsigned n)
{
	struct tbuf b = tb_start(xsdt ? "XSDT" : "RSDT", 1);
	u8 v[8];

	for (unsigned i = 0; i < n; i++) {
		w64(v, e[i]);
		tb_put(&b, v, xsdt ? 8 : 4);
	}
	tb_place(fm, pa, &b);
}

static __attribute__((unused)) struct tbuf madt_start(u32 lapic, u32 flags)
{
	struct tbuf b = tb_start("APIC", 5);
	u8 f[8];

	w32(f, lapic);
	w32(f + 4, flags);
	tb_put(&b, f, 8);
	return b;
}

static __attribute__((unused)) void madt_lapic(struct tbuf *b, u8 uid, u8 id, u32 flags)
{
	u8 e[8] = { 0, 8, uid, id };

	w32(e + 4, flags);
	tb_put(b, e, sizeof(e));
}

static __attribute__((unused)) void madt_ioapic(struct tbuf *b, u8 id, u32 addr, u32 gsi)
{
	u8 e[12] = { 1, 12, id, 0 };

	w32(e + 4, addr);
	w32(e + 8, gsi);
	tb_put(b, e, sizeof(e));
}

static __attribute__((unused)) void madt_iso(struct tbuf *b, u8 irq, u32 gsi, u16 flags)
{
	u8 e[10] = { 2, 10, 0, irq };

	w32(e + 4, gsi);
	w16(e + 8, flags);
	tb_put(b, e, sizeof(e));
}

static __attribute__((unused)) void madt_x2apic(struct tbuf *b, u32 id, u32 uid, u32 flags)
{
	u8 e[16] = { 9, 16 };

	w32(e + 4, id);
	w32(e + 8, flags);
	w32(e + 12, uid);
	tb_put(b, e, sizeof(e));
}

#define PA_RSDP 0xf0010ull
#define PA_XSDT 0x17fe00000ull		/* above 4 GiB: 64-bit pointer */
#define PA_RSDT 0x7fe1000ull
#define PA_MADT 0x7fe2000ull
#define PA_FADT 0x7fe3000ull
#define PA_DSDT 0x7fe4000ull		/* FADT.X_DSDT */
#define PA_DSDT_OLD 0x7fe5000ull	/* FADT.DSDT (32-bit) */
#define PA_HPET 0x7fe6000ull
#define PA_SSDT 0x7fe7000ull
#define PA_MCFG 0x123456000ull		/* above 4 GiB: only the XSDT can reach it */

/* 2 CPUs (one disabled, online capable), IOAPIC, 2 ISOs, NMI, x2APIC, LAPIC override */
static __attribute__((unused)) void build_std_madt(struct fakemem *fm)
{
	struct tbuf b = madt_start(0xfee00000, 1);
	static const u8 nmi[6] = { 4, 6, 0xff, 5, 0, 1 };
	u8 ovr[12] = { 5, 12 };

	madt_lapic(&b, 0, 0, 1);
	madt_lapic(&b, 1, 2, 2);
	madt_ioapic(&b, 1, 0xfec00000, 0);
	madt_iso(&b, 0, 2, 0);
	madt_iso(&b, 9, 9, 0xd);
	tb_put(&b, nmi, sizeof(nmi));
	madt_x2apic(&b, 0x100, 0x20, 1);
	w64(ovr + 4, 0xfee10000);
	tb_put(&b, ovr, sizeof(ovr));
	tb_place(fm, PA_MADT, &b);
}

enum fadt_kind {
	FADT_FULL,	/* ACPI 6, X_ fields filled in */
	FADT_LEGACY,	/* ACPI 1.0: 116 bytes, I/O ports only */
	FADT_NOX,	/* ACPI 6 layout but X_ fields zero, hardware-reduced flag */
};

static __attribute__((unused)) void build_fadt(struct fakemem *fm, enum fadt_kind kind)
{
	u32 len = kind == FADT_LEGACY ? 116 : 276;
	struct tbuf b = tb_start("FACP", kind == FADT_LEGACY ? 1 : 6);
	u32 flags = 1u << 10;
	u8 *t;

	b.p = realloc(b.p, len);
	memset(b.p + 36, 0, len - 36);
	b.len = len;
	t = b.p;
	w32(t + 40, PA_DSDT_OLD);
	w16(t + 46, 9);
	w32(t + 48, 0xb2);
	t[52] = 0xf1;
	t[53] = 0xf0;
	w32(t + 56, 0x600);
	w32(t + 64, 0x604);
	w32(t + 68, kind == FADT_LEGACY ? 0x704 : 0);
	w32(t + 76, 0x608);
	t[88] = 4;
	t[89] = 2;
	t[90] = 1;	/* PM2_CNT_LEN, next to the fields that matter */
	t[91] = 4;
	t[108] = 0x32;
	w16(t + 109, 0x0003);
	if (kind == FADT_FULL)
		flags |= 1u << 8;
	if (kind == FADT_NOX)
		flags |= 1u << 20;
	w32(t + 112, flags);
	if (kind != FADT_LEGACY) {
		gas(t + 116, ACPI_GAS_IO, 8, 1, kind == FADT_FULL ? 0xcf9 : 0);
		t[128] = 6;
	}
	if (kind == FADT_FULL) {
		w64(t + 140, PA_DSDT);
		gas(t + 172, ACPI_GAS_IO, 16, 2, 0x1604);
		gas(t + 184, ACPI_GAS_IO, 16, 2, 0x1704);
		gas(t + 208, ACPI_GAS_IO, 32, 3, 0x1608);
	} else if (kind == FADT_NOX) {
		/* Described but without an address: must fall back to the ports. */
		gas(t + 172, ACPI_GAS_IO, 16, 2, 0);
		gas(t + 208, ACPI_GAS_IO, 32, 3, 0);
	}
	tb_place(fm, PA_FADT, &b);
}

/* Name([\]_S5, Package(nelem){elems}) with a PkgLength encoded in lenbytes bytes. */
static __attribute__((unused)) size_t aml_s5(u8 *out, bool root, u8 nelem, const u8 *elems, size_t elen, unsigned lenbytes)
{
	size_t i = 0, pkglen = lenbytes + 1 + elen;

	out[i++] = 0x08;
	if (root)
		out[i++] = '\\';
	memcpy(out + i, "_S5_", 4);
	i += 4;
	out[i++] = 0x12;
	if (lenbytes == 1) {
		out[i++] = (u8)pkglen;
	} else {
		out[i++] = (u8)((lenbytes - 1) << 6 | (pkglen & 0xf));
		for (unsigned k = 1; k < lenbytes; k++)
			out[i++] = (u8)(pkglen >> (4 + 8 * (k - 1)));
	}
	out[i++] = nelem;
	memcpy(out + i, elems, elen);
	return i + elen;
}

/* Store(\_S5_, Local0) and the string "_S5_": mentions that are not the definition */
static const u8 aml_decoys[] = { 0x70, '\\', '_', 'S', '5', '_', 0x60,
				 0x0d, '_', 'S', '5', '_', 0x00 };
static const u8 aml_trailer[] = { 0x14, 0x06, 'F', 'O', 'O', '_', 0x00 };

static __attribute__((unused)) void build_aml_table(struct fakemem *fm, u64 pa, const char *sig, const u8 *s5, size_t n)
{
	struct tbuf b = tb_start(sig, 2);

	tb_put(&b, aml_decoys, sizeof(aml_decoys));
	if (s5)
		tb_put(&b, s5, (u32)n);
	tb_put(&b, aml_trailer, sizeof(aml_trailer));
	tb_place(fm, pa, &b);
}

static __attribute__((unused)) void build_hpet(struct fakemem *fm, u8 space, u32 len)
{
	struct tbuf b = tb_start("HPET", 1);
	u8 body[20] = { 0 };

	w32(body, 0x8086a201);
	gas(body + 4, space, 64, 0, 0xfed00000);
	tb_put(&b, body, len - 36);
	tb_place(fm, PA_HPET, &b);
}

static __attribute__((unused)) void build_mcfg(struct fakemem *fm, u64 base, u8 start, u8 end)
{
	struct tbuf b = tb_start("MCFG", 1);
	u8 body[24] = { 0 };

	w64(body + 8, base);
	w16(body + 16, 1);
	body[18] = start;
	body[19] = end;
	tb_put(&b, body, sizeof(body));
	tb_place(fm, PA_MCFG, &b);
}

/* The reference platform: RSDP v2, XSDT and RSDT, MADT, FADT, 2 DSDTs, HPET, MCFG, SSDT. */
static __attribute__((unused)) void build_std(struct fakemem *fm)
{
	static const u64 xe[] = { PA_FADT, PA_MADT, PA_HPET, PA_MCFG, PA_SSDT };
	static const u64 re[] = { PA_FADT, PA_MADT, PA_HPET, PA_SSDT };
	static const u8 new_elems[] = { 0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00 };
	static const u8 old_elems[] = { 0x01, 0x00 };
	u8 aml[64];
	size_t n;

	build_rsdp(fm, PA_RSDP, 2, PA_RSDT, PA_XSDT);
	build_root(fm, PA_XSDT, true, xe, ARRAY_SIZE(xe));
	build_root(fm, PA_RSDT, false, re, ARRAY_SIZE(re));
	build_std_madt(fm);
	build_fadt(fm, FADT_FULL);
	n = aml_s5(aml, false, 4, new_elems, sizeof(new_elems), 1);
	build_aml_table(fm, PA_DSDT, "DSDT", aml, n);
	n = aml_s5(aml, true, 2, old_elems, sizeof(old_elems), 1);
	build_aml_table(fm, PA_DSDT_OLD, "DSDT", aml, n);
	build_hpet(fm, ACPI_GAS_MEMORY, 56);
	build_mcfg(fm, 0x3f0000000ull, 0, 0x3f);
	build_aml_table(fm, PA_SSDT, "SSDT", NULL, 0);
}

static __attribute__((unused)) const struct acpi_table_ref *find_table(const struct acpi_info *info, const char *sig)
{
	for (unsigned i = 0; i < info->ntables; i++)
		if (!strcmp(info->tables[i].sig, sig))
			return &info->tables[i];
	return NULL;
}

/* ---- tests ------------------------------------------------------------------- */

#endif
