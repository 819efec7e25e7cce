// SPDX-License-Identifier: MIT
/* acpi_tables.c: the ACPI 6.5 tables every guest finds in its BIOS area (tv/guestboot.h). */
#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/guestboot.h>
#include <tv/printf.h>
#include <tv/string.h>

/*
 * Layout of [GUEST_ACPI_BASE, GUEST_ACPI_END), in this order:
 *   RSDP (at the base, where the BIOS-area scan of old kernels finds it),
 *   FACS (64-byte aligned, as the spec requires), DSDT, FADT, MADT, XSDT, RSDT.
 * Tables are streamed into guest memory with a running checksum, so no table
 * (the MADT for 255 vCPUs is 2 KiB) is ever built on the stack.
 */

#define HDR_LEN 36
#define RSDP_LEN 36
#define FACS_LEN 64
#define FADT_LEN 276
#define GAS_LEN 12

#define OEM_ID "THINVR"
#define OEM_TABLE_ID "THINVISR"
#define CREATOR_ID "TVSR"

#define GAS_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2
#define GAS_ACCESS_DWORD 3

/* FADT Flags (ACPI 6.5 table 5.10) */
#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_PWR_BUTTON (1u << 4)	/* set: no fixed-feature power button */
#define FADT_SLP_BUTTON (1u << 5)	/* set: no fixed-feature sleep button */
#define FADT_FIX_RTC (1u << 6)		/* set: no RTC wake status in PM1 */
#define FADT_TMR_VAL_EXT (1u << 8)
#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_HEADLESS (1u << 12)

/* IAPC_BOOT_ARCH (table 5.11) */
#define BOOT_ARCH_LEGACY_DEVICES (1u << 0)
#define BOOT_ARCH_8042 (1u << 1)
#define BOOT_ARCH_VGA_NOT_PRESENT (1u << 2)
#define BOOT_ARCH_MSI_NOT_SUPPORTED (1u << 3)
#define BOOT_ARCH_CMOS_RTC_NOT_PRESENT (1u << 5)

/* MADT structure types */
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_NMI 4

/* MPS INTI flags: polarity bits 0-1, trigger mode bits 2-3 */
#define INTI_CONFORMING 0x0
#define INTI_ACTIVE_HIGH 0x1
#define INTI_LEVEL 0xc

struct acpi_out {
	const struct gmem_ops *m;
	u64 next;		/* first free byte of the window */
	int err;
	const char *what;	/* what was being written when err was set */
};

/* A table being streamed: the header is written last, when length and sum are known. */
struct table {
	struct acpi_out *o;
	u64 pa;
	u32 len;
	u8 sum;
};

static inline void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

static inline void put64(u8 *p, u64 v)
{
	put32(p, (u32)v);
	put32(p + 4, (u32)(v >> 32));
}

static u8 sum_bytes(const u8 *p, size_t len)
{
	u8 s = 0;

	while (len--)
		s += *p++;
	return s;
}

static void out_write(struct acpi_out *o, u64 pa, const void *src, u64 len, const char *what)
{
	if (o->err)
		return;
	if (pa < GUEST_ACPI_BASE || pa > GUEST_ACPI_END || len > GUEST_ACPI_END - pa) {
		o->err = -ENOSPC;
		o->what = what;
		return;
	}
	if (o->m->write(o->m->ctx, pa, src, len)) {
		o->err = -EFAULT;
		o->what = what;
	}
}

/* Reserve len bytes at the next align-aligned address. */
static u64 out_alloc(struct acpi_out *o, u64 len, u64 align)
{
	u64 pa = ALIGN_UP(o->next, align);

	o->next = pa + len;
	return pa;
}

static void table_begin(struct table *t, struct acpi_out *o)
{
	t->o = o;
	t->pa = out_alloc(o, 0, 16);
	t->len = HDR_LEN;
	t->sum = 0;
}

static void table_put(struct table *t, const void *src, u32 len, const char *what)
{
	out_write(t->o, t->pa + t->len, src, len, what);
	t->sum += sum_bytes(src, len);
	t->len += len;
}

/* Write the standard header (ACPI 6.5 5.2.6) and close the table; returns its address. */
static u64 table_end(struct table *t, const char sig[4], u8 revision)
{
	u8 h[HDR_LEN];

	memset(h, 0, sizeof(h));
	memcpy(h, sig, 4);
	put32(h + 4, t->len);
	h[8] = revision;
	memcpy(h + 10, OEM_ID, 6);
	memcpy(h + 16, OEM_TABLE_ID, 8);
	put32(h + 24, 1);			/* OEM revision */
	memcpy(h + 28, CREATOR_ID, 4);
	put32(h + 32, 1);			/* creator revision */
	h[9] = (u8)-(u8)(sum_bytes(h, HDR_LEN) + t->sum);
	out_write(t->o, t->pa, h, HDR_LEN, sig);
	t->o->next = t->pa + t->len;
	return t->pa;
}

static void gas_io(u8 *g, u16 port, u8 bits, u8 access)
{
	g[0] = GAS_IO;
	g[1] = bits;
	g[2] = 0;
	g[3] = access;
	put64(g + 4, port);
}

static u64 build_facs(struct acpi_out *o)
{
	u8 f[FACS_LEN];
	u64 pa = out_alloc(o, FACS_LEN, 64);

	/* No S3/S4 and no global lock users: everything but the header is zero. */
	memset(f, 0, sizeof(f));
	memcpy(f, "FACS", 4);
	put32(f + 4, FACS_LEN);
	f[32] = 2;				/* version (ACPI 6.5) */
	out_write(o, pa, f, FACS_LEN, "FACS");
	return pa;
}

/* Name (\_S5, Package () { typ, typ, 0, 0 }) */
static const u8 aml_s5[] = {
	0x08, '\\', '_', 'S', '5', '_',		/* NameOp, RootChar, NameSeg */
	0x12, 0x08, 0x04,			/* PackageOp, PkgLength, NumElements */
	0x0a, GUEST_S5_SLP_TYP, 0x0a, GUEST_S5_SLP_TYP, 0x00, 0x00,
};
_Static_assert(GUEST_S5_SLP_TYP > 1, "aml_s5 spells SLP_TYP with a BytePrefix");

/*
 * Device (VRnn) { Name (_HID, "LNRO0005") Name (_UID, n) Name (_CRS,
 * ResourceTemplate () { Memory32Fixed (ReadWrite, base, 0x200) Interrupt
 * (ResourceConsumer, Level, ActiveHigh, Exclusive) { gsi } }) }: how Linux's
 * virtio_mmio driver finds a device through ACPI (Firecracker's layout).
 * Fixed length; the name, _UID, base and GSI are patched in per slot.
 */
#define VDEV_NAME 3
#define VDEV_UID 28
#define VDEV_BASE 42
#define VDEV_GSI 55
static const u8 aml_vdev[] = {
	0x5b, 0x82, 59, 'V', 'R', '0', '0',	/* DeviceOp, PkgLength, NameSeg */
	0x08, '_', 'H', 'I', 'D', 0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0x00,
	0x08, '_', 'U', 'I', 'D', 0x0a, 0x00,	/* BytePrefix n */
	0x08, '_', 'C', 'R', 'S', 0x11, 26, 0x0a, 23,	/* BufferOp, PkgLength, BufferSize */
	0x86, 9, 0, 1, 0, 0, 0, 0, 0x00, 0x02, 0, 0,	/* Memory32Fixed, RW, base, 0x200 */
	0x89, 6, 0, 0x01, 1, 0, 0, 0, 0,	/* Extended Interrupt: consumer, level, high, 1 */
	0x79, 0x00,				/* End Tag, checksum 0 */
};
_Static_assert(sizeof(aml_vdev) == 61, "aml_vdev: DeviceOp, PkgLength 59, 58 bytes");

/* DSDT body: \_S5 and, in Scope (\_SB), one device per virtio-mmio slot. */
static u64 build_dsdt(struct acpi_out *o, unsigned nvirtio)
{
	u8 dev[sizeof(aml_vdev)], scope[8] = { 0x10, 0, 0, '\\', '_', 'S', 'B', '_' };
	u32 len = 5 + nvirtio * sizeof(aml_vdev) + 2;	/* PkgLength counts its 2 bytes */
	struct table t;

	table_begin(&t, o);
	table_put(&t, aml_s5, sizeof(aml_s5), "DSDT");
	if (nvirtio) {
		scope[1] = (u8)(0x40 | (len & 0xf));	/* one more PkgLength byte follows */
		scope[2] = (u8)(len >> 4);
		table_put(&t, scope, sizeof(scope), "DSDT");
	}
	for (unsigned n = 0; n < nvirtio; n++) {
		memcpy(dev, aml_vdev, sizeof(dev));
		dev[VDEV_NAME + 2] = (u8)('0' + n / 10);
		dev[VDEV_NAME + 3] = (u8)('0' + n % 10);
		dev[VDEV_UID] = (u8)n;
		put32(dev + VDEV_BASE, (u32)(GUEST_VIRTIO_BASE + n * GUEST_VIRTIO_STRIDE));
		put32(dev + VDEV_GSI, GUEST_GSI_VIRTIO0 + n);
		table_put(&t, dev, sizeof(dev), "DSDT");
	}
	return table_end(&t, "DSDT", 2);	/* revision 2: 64-bit AML integers */
}

static u64 build_fadt(struct acpi_out *o, u64 facs, u64 dsdt)
{
	u8 b[FADT_LEN];				/* indexed by the spec's offsets */
	struct table t;

	/* The header part (0-35) is only a placeholder: table_end writes the real one. */
	memset(b, 0, sizeof(b));
	/* FIRMWARE_CTRL/DSDT and their X_ twins agree, so 32- and 64-bit readers match. */
	put32(b + 36, (u32)facs);
	put32(b + 40, (u32)dsdt);
	b[45] = 0;				/* preferred PM profile: unspecified */
	put16(b + 46, GUEST_GSI_SCI);
	/* SMI_CMD, ACPI_ENABLE, ACPI_DISABLE stay 0: ACPI mode is always on (SCI_EN set). */
	put32(b + 56, GUEST_PORT_PM1A_EVT);
	put32(b + 64, GUEST_PORT_PM1A_CNT);
	put32(b + 76, GUEST_PORT_PM_TMR);
	b[88] = 4;				/* PM1_EVT_LEN: status + enable */
	b[89] = 2;				/* PM1_CNT_LEN */
	b[91] = 4;				/* PM_TMR_LEN */
	/* No GPE blocks: GPE0/1 and their lengths stay 0. */
	put16(b + 96, 101);			/* P_LVL2_LAT > 100: no C2 */
	put16(b + 98, 1001);			/* P_LVL3_LAT > 1000: no C3 */
	/* CENTURY 0: the RTC model keeps no century byte. */
	/*
	 * IAPC_BOOT_ARCH: ISA-style devices exist (COM1, PIT, RTC); no 8042 (only
	 * its reset command is emulated, a probe would find nothing); no VGA (the
	 * console is serial); MSI left allowed (no PCI today, no reason to forbid
	 * it later); CMOS RTC present.
	 */
	put16(b + 109, BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_VGA_NOT_PRESENT);
	put32(b + 112, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
			       FADT_FIX_RTC | FADT_TMR_VAL_EXT | FADT_RESET_REG_SUP |
			       FADT_HEADLESS);
	gas_io(b + 116, GUEST_PORT_RESET, 8, GAS_ACCESS_BYTE);
	b[128] = GUEST_RESET_VALUE;
	b[131] = 5;				/* FADT minor version: 6.5 */
	put64(b + 132, facs);			/* X_FIRMWARE_CTRL */
	put64(b + 140, dsdt);			/* X_DSDT */
	gas_io(b + 148, GUEST_PORT_PM1A_EVT, 32, GAS_ACCESS_WORD);
	gas_io(b + 172, GUEST_PORT_PM1A_CNT, 16, GAS_ACCESS_WORD);
	gas_io(b + 208, GUEST_PORT_PM_TMR, 32, GAS_ACCESS_DWORD);
	/* Hypervisor vendor identity (268) stays 0. */

	table_begin(&t, o);
	table_put(&t, b + HDR_LEN, FADT_LEN - HDR_LEN, "FADT");
	return table_end(&t, "FACP", 6);
}

static void madt_iso(struct table *t, u8 irq, u32 gsi, u16 flags)
{
	u8 e[10];

	e[0] = MADT_ISO;
	e[1] = sizeof(e);
	e[2] = 0;				/* bus: ISA */
	e[3] = irq;
	put32(e + 4, gsi);
	put16(e + 8, flags);
	table_put(t, e, sizeof(e), "MADT");
}

static u64 build_madt(struct acpi_out *o, unsigned ncpus)
{
	u8 e[12];
	struct table t;

	table_begin(&t, o);
	put32(e, (u32)GUEST_LAPIC_BASE);
	put32(e + 4, 1);			/* PCAT_COMPAT: 8259s present (registers only) */
	table_put(&t, e, 8, "MADT");

	/* One local APIC per vCPU: ACPI processor UID = APIC ID = index. */
	for (unsigned i = 0; i < ncpus; i++) {
		e[0] = MADT_LAPIC;
		e[1] = 8;
		e[2] = (u8)i;
		e[3] = (u8)i;
		put32(e + 4, 1);		/* enabled */
		table_put(&t, e, 8, "MADT");
	}

	/* The I/O APIC's ID follows the last CPU's, so all APIC IDs are distinct. */
	e[0] = MADT_IOAPIC;
	e[1] = 12;
	e[2] = (u8)ncpus;
	e[3] = 0;
	put32(e + 4, (u32)GUEST_IOAPIC_BASE);
	put32(e + 8, 0);			/* GSI base */
	table_put(&t, e, 12, "MADT");

	/* The PIT (ISA IRQ 0) is wired to pin 2, as on PCs; edge, active high. */
	madt_iso(&t, 0, GUEST_GSI_PIT, INTI_CONFORMING);
	/* The SCI is level-triggered active-high, unlike an ISA IRQ's default. */
	madt_iso(&t, GUEST_GSI_SCI, GUEST_GSI_SCI, INTI_ACTIVE_HIGH | INTI_LEVEL);

	/* LINT1 of every processor (UID 0xff) is the NMI input. */
	e[0] = MADT_LAPIC_NMI;
	e[1] = 6;
	e[2] = 0xff;
	put16(e + 3, 0);			/* flags: conforming */
	e[5] = 1;				/* LINT1 */
	table_put(&t, e, 6, "MADT");

	return table_end(&t, "APIC", 6);
}

static u64 build_root(struct acpi_out *o, const u64 *pa, unsigned n, bool xsdt)
{
	struct table t;
	u8 e[8];

	table_begin(&t, o);
	for (unsigned i = 0; i < n; i++) {
		if (xsdt) {
			put64(e, pa[i]);
			table_put(&t, e, 8, "XSDT");
		} else {
			put32(e, (u32)pa[i]);
			table_put(&t, e, 4, "RSDT");
		}
	}
	return table_end(&t, xsdt ? "XSDT" : "RSDT", 1);
}

static void build_rsdp(struct acpi_out *o, u64 pa, u64 rsdt, u64 xsdt)
{
	u8 r[RSDP_LEN];

	memset(r, 0, sizeof(r));
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, OEM_ID, 6);
	r[15] = 2;				/* revision: ACPI 2.0+ */
	put32(r + 16, (u32)rsdt);
	put32(r + 20, RSDP_LEN);
	put64(r + 24, xsdt);
	r[8] = (u8)-sum_bytes(r, 20);		/* covers the ACPI 1.0 part */
	r[32] = (u8)-sum_bytes(r, RSDP_LEN);	/* covers all of it */
	out_write(o, pa, r, RSDP_LEN, "RSDP");
}

int guest_acpi_build(const struct gmem_ops *m, unsigned ncpus, unsigned nvirtio, u64 *rsdp,
		     char *why, size_t whylen)
{
	struct acpi_out o = { .m = m, .next = GUEST_ACPI_BASE };
	u64 rsdp_pa, facs, dsdt, fadt, madt, xsdt, rsdt, tables[2];

	if (ncpus == 0 || ncpus > GUEST_MAX_VCPUS) {
		if (why && whylen)
			snprintf(why, whylen, "ACPI: %u vCPUs (1 to %u supported)", ncpus,
				 GUEST_MAX_VCPUS);
		return -EINVAL;
	}
	if (nvirtio > GUEST_VIRTIO_MAX) {
		if (why && whylen)
			snprintf(why, whylen, "ACPI: %u virtio devices (at most %u)", nvirtio,
				 GUEST_VIRTIO_MAX);
		return -EINVAL;
	}
	if (m->zero(m->ctx, GUEST_ACPI_BASE, GUEST_ACPI_END - GUEST_ACPI_BASE)) {
		if (why && whylen)
			snprintf(why, whylen, "ACPI: cannot clear guest memory [%#llx, %#llx)",
				 (unsigned long long)GUEST_ACPI_BASE,
				 (unsigned long long)GUEST_ACPI_END);
		return -EFAULT;
	}

	rsdp_pa = out_alloc(&o, RSDP_LEN, 16);
	facs = build_facs(&o);
	dsdt = build_dsdt(&o, nvirtio);
	fadt = build_fadt(&o, facs, dsdt);
	madt = build_madt(&o, ncpus);
	tables[0] = fadt;
	tables[1] = madt;
	xsdt = build_root(&o, tables, ARRAY_SIZE(tables), true);
	rsdt = build_root(&o, tables, ARRAY_SIZE(tables), false);
	build_rsdp(&o, rsdp_pa, rsdt, xsdt);

	if (o.err) {
		if (why && whylen)
			snprintf(why, whylen, o.err == -ENOSPC ?
				 "ACPI: %s does not fit below %#llx" :
				 "ACPI: writing the %s to guest memory failed (below %#llx)",
				 o.what, (unsigned long long)GUEST_ACPI_END);
		return o.err;
	}
	*rsdp = rsdp_pa;
	return 0;
}
