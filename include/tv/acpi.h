/* SPDX-License-Identifier: MIT */
/*
 * acpi.h: what the host learns from the firmware's ACPI tables. The parser
 * (kernel/acpi.c) is pure code: tables are reached only through a map
 * callback, so unit tests feed it recorded tables (tests/data/acpi-*.dump).
 */
#ifndef TV_ACPI_H
#define TV_ACPI_H

#include <tv/types.h>

#define ACPI_MAX_TABLES 64
#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_ISOS 32

/* Generic Address Structure */
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
struct acpi_gas {
	u8 space;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;     /* 0 = not present */
};

struct acpi_table_ref {
	char sig[5];
	u8 revision;
	bool checksum_ok;    /* tables with a bad checksum are listed but not used */
	u32 length;
	u64 pa;
};

struct acpi_cpu {
	u32 apic_id;
	u32 uid;
	bool enabled;        /* usable now */
	bool online_capable; /* disabled but may be hot-added */
	bool x2apic;         /* from an x2APIC entry */
};

struct acpi_ioapic {
	u32 id;
	u32 addr;
	u32 gsi_base;
};

/* Interrupt source override: ISA IRQ bus_irq arrives on gsi. */
struct acpi_iso {
	u8 bus_irq;
	u32 gsi;
	u16 flags;           /* MPS INTI flags: bits 0-1 polarity, 2-3 trigger */
};

struct acpi_info {
	u8 revision;         /* of the RSDP: 0 = ACPI 1.0 (RSDT), 2+ = XSDT */
	char oem_id[7];
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	unsigned ntables;

	/* MADT */
	bool has_madt;
	u64 lapic_addr;
	bool pcat_compat;    /* dual 8259 PICs present */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned ncpus;      /* entries, enabled or not */
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned nioapics;
	struct acpi_iso isos[ACPI_MAX_ISOS];
	unsigned nisos;

	/* FADT */
	bool has_fadt;
	u32 fadt_flags;
	bool hw_reduced;
	u16 iapc_boot_arch;
	u16 sci_irq;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 century;
	struct acpi_gas pm1a_cnt, pm1b_cnt;
	struct acpi_gas pm_tmr;
	bool pm_tmr_32bit;
	struct acpi_gas reset_reg;
	u8 reset_value;
	bool reset_supported;
	u64 dsdt;

	/* \_S5 from the DSDT or an SSDT: SLP_TYP values for soft-off */
	bool has_s5;
	u8 s5_typ_a, s5_typ_b;

	/* HPET */
	bool has_hpet;
	u64 hpet_addr;

	/* MCFG: first PCI segment's ECAM window */
	bool has_mcfg;
	u64 mcfg_base;
	u16 mcfg_segment;
	u8 mcfg_bus_start, mcfg_bus_end;
};

/* Return a readable pointer to [pa, pa+len), or NULL if that cannot be mapped. */
typedef const void *(*acpi_map_fn)(void *ctx, u64 pa, u32 len);

/*
 * Parse the tables reachable from the RSDP at rsdp_pa. Returns 0, or
 * -EINVAL with *why set when the RSDP or the root table is unusable.
 * A bad individual table is skipped (listed with checksum_ok = false or
 * simply not parsed), never fatal.
 */
int acpi_parse(u64 rsdp_pa, acpi_map_fn map, void *ctx, struct acpi_info *info,
	       const char **why);

/* Bytes sum to zero mod 256. */
bool acpi_checksum_ok(const void *p, size_t len);

/*
 * Find the \_S5 package in AML (DSDT/SSDT body) and read its first two
 * elements. Returns 0, or -ENOENT when there is none or it is malformed.
 */
int acpi_find_s5(const u8 *aml, size_t len, u8 *typ_a, u8 *typ_b);

/* The kernel's parsed tables (kernel/acpi_host.c), NULL before acpi_init. */
const struct acpi_info *acpi_host(void);
int acpi_init(u64 rsdp_pa);
/* Print every table as ACPIDUMP lines (the recorded-tables format of the tests). */
void acpi_dump(void);

#endif
