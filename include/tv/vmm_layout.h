/* SPDX-License-Identifier: MIT */
/*
 * vmm_layout.h: the virtual machine every guest sees (docs/vmm.md): where
 * the VMM puts boot structures in guest-physical memory, and the I/O ports
 * and MMIO windows of the emulated platform. The guest ACPI tables
 * (vmm/boot/acpi_tables.c) and the device models must agree on these.
 */
#ifndef TV_VMM_LAYOUT_H
#define TV_VMM_LAYOUT_H

/* ---- guest-physical layout ---- */
#define GUEST_GDT 0x500ull            /* boot GDT: null, null, CS 0x10, DS 0x18 */
#define GUEST_BOOT_PARAMS 0x7000ull   /* Linux zero page (struct boot_params) */
#define GUEST_PT_BASE 0x9000ull       /* PML4, PDPT, 4 PDs: identity map of 4 GiB */
#define GUEST_PT_END 0xf000ull
#define GUEST_CMDLINE 0x20000ull
#define GUEST_CMDLINE_MAX 0x10000ull
#define GUEST_EBDA 0x9fc00ull         /* end of low RAM in the e820 map */
#define GUEST_ACPI_BASE 0xe0000ull    /* RSDP first (BIOS-area scan finds it), then tables */
#define GUEST_ACPI_END 0x100000ull
#define GUEST_KERNEL_BASE 0x100000ull /* bzImage protected-mode code / default ELF load */
#define GUEST_LOW_RAM_END 0xc0000000ull   /* RAM above 3 GiB continues at 4 GiB */
#define GUEST_HIGH_RAM_BASE 0x100000000ull

#define GUEST_BOOT_CS 0x10
#define GUEST_BOOT_DS 0x18

/* ---- MMIO ---- */
/*
 * virtio-mmio devices (docs/vmm.md, "virtio"): slot n at BASE + n * STRIDE
 * (0x200 bytes used), interrupt on GSI GUEST_GSI_VIRTIO0 + n, level,
 * active high; the DSDT describes each present one as LNRO0005.
 */
#define GUEST_VIRTIO_BASE 0xfeb00000ull
#define GUEST_VIRTIO_STRIDE 0x1000ull
#define GUEST_VIRTIO_MAX 8
#define GUEST_IOAPIC_BASE 0xfec00000ull
#define GUEST_LAPIC_BASE 0xfee00000ull

/* ---- I/O ports ---- */
#define GUEST_PORT_PIC_MASTER 0x20     /* 8259s: registers only, see pic8259.h */
#define GUEST_PORT_PIC_SLAVE 0xa0
#define GUEST_PORT_ELCR 0x4d0
#define GUEST_PORT_COM1 0x3f8
#define GUEST_PORT_PIT 0x40           /* 0x40-0x43 */
#define GUEST_PORT_SYS_CTRL_B 0x61    /* PIT channel 2 gate and output */
#define GUEST_PORT_I8042_DATA 0x60
#define GUEST_PORT_I8042_CMD 0x64     /* only the 0xfe reset command */
#define GUEST_PORT_RTC 0x70           /* 0x70 index, 0x71 data */
#define GUEST_PORT_POST 0x80
#define GUEST_PORT_PM1A_EVT 0x600     /* 4 bytes: status, enable */
#define GUEST_PORT_PM1A_CNT 0x604     /* 2 bytes */
#define GUEST_PORT_PM_TMR 0x608       /* 4 bytes, 32-bit counter at 3.579545 MHz */
#define GUEST_PORT_RESET 0xcf9        /* ACPI reset register */
#define GUEST_RESET_VALUE 0x06

/* ---- interrupts (GSI = I/O APIC pin) ---- */
#define GUEST_IOAPIC_PINS 24
#define GUEST_GSI_PIT 2               /* ISA IRQ 0, via an interrupt source override */
#define GUEST_GSI_COM1 4
#define GUEST_GSI_RTC 8
#define GUEST_GSI_SCI 9               /* level, active high */
#define GUEST_GSI_VIRTIO0 16           /* 16..23: virtio-mmio slots, level, active high */
#define GUEST_S5_SLP_TYP 5            /* \_S5 sleep type the DSDT declares */

#endif
