/* SPDX-License-Identifier: MIT */
/*
 * guestboot.h: preparing a guest's memory and initial vCPU state: kernel
 * (Linux bzImage or ELF64), initrd, command line, zero page, e820, ACPI,
 * GDT and page tables (vmm/boot/linux.c, vmm/boot/acpi_tables.c).
 *
 * Every input comes from files on the stick and is untrusted: each header
 * field is checked, nothing is written outside guest RAM, and every failure
 * returns a negative errno with a one-line reason in why.
 */
#ifndef TV_GUESTBOOT_H
#define TV_GUESTBOOT_H

#include <tv/compiler.h>
#include <tv/types.h>
#include <tv/vmm_layout.h>

/*
 * Guest memory, reached through the VMM because it is not contiguous in host
 * memory. Each call returns 0, or -EFAULT when any byte of [gpa, gpa+len) is
 * not guest RAM (the part before that byte may have been done).
 */
struct gmem_ops {
	void *ctx;
	int (*write)(void *ctx, u64 gpa, const void *src, u64 len);
	int (*read)(void *ctx, u64 gpa, void *dst, u64 len);
	int (*zero)(void *ctx, u64 gpa, u64 len);
};

/*
 * Guest RAM of size bytes: [0, min(size, GUEST_LOW_RAM_END)) and, for the
 * rest, [GUEST_HIGH_RAM_BASE, GUEST_HIGH_RAM_BASE + size - GUEST_LOW_RAM_END).
 * The MMIO hole [GUEST_LOW_RAM_END, 4 GiB) is never RAM.
 */
struct guest_ram {
	u64 size;
};

#define GUEST_RAM_MIN MiB(2)		/* boot structures + 1 MiB of kernel area */
#define GUEST_RAM_MAX GiB(1024)

u64 guest_ram_low_end(const struct guest_ram *ram);	/* end of the part below 4 GiB */
u64 guest_ram_high_end(const struct guest_ram *ram);	/* GUEST_HIGH_RAM_BASE if none above */
/* Whether all of [gpa, gpa+len) is RAM (len 0: false). For gmem_ops backends. */
bool guest_ram_contains(const struct guest_ram *ram, u64 gpa, u64 len);

/* e820 entry exactly as in boot_params.e820_table (20 bytes, packed). */
#define E820_TYPE_RAM 1
#define E820_TYPE_RESERVED 2
struct guest_e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __packed;

#define GUEST_E820_MAX 4

/*
 * The guest's memory map: RAM [0, GUEST_EBDA), reserved [GUEST_EBDA, 1 MiB)
 * (the BIOS area holding the ACPI tables), RAM [1 MiB, low end), RAM above
 * 4 GiB; each clipped to the RAM that exists, empty ones left out, the MMIO
 * hole simply absent. Fills at most GUEST_E820_MAX entries, returns how many.
 */
unsigned guest_e820_build(const struct guest_ram *ram,
			  struct guest_e820_entry map[GUEST_E820_MAX]);

/* ---- Linux bzImage header ------------------------------------------------- */

#define BZ_MIN_PROTOCOL 0x020c		/* 2.12: xloadflags, the 64-bit entry */
#define BZ_XLF_KERNEL_64 (1u << 0)
#define BZ_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)

/* What guest_bzimage_parse learned from the setup header (all checked). */
struct bzimage_info {
	u16 version;			/* boot protocol, 0x020f = 2.15 */
	u8 setup_sects;			/* after "0 means 4" */
	u8 loadflags;
	u16 xloadflags;
	bool relocatable;
	u32 kernel_alignment;
	u32 init_size;
	u32 cmdline_size;		/* longest command line, without the NUL */
	u32 initrd_addr_max;		/* highest byte address the initrd may use */
	u64 pref_address;		/* 0 when the kernel gives none */
	u32 hdr_end;			/* setup header is [0x1f1, hdr_end) in the file */
	u64 payload_off;		/* protected-mode code: (setup_sects + 1) * 512 */
	u64 payload_len;		/* syssize * 16 */
};

/*
 * Check a bzImage's setup header: "HdrS" and the 0xAA55 boot flag, protocol
 * >= 2.12 with XLF_KERNEL_64, LOADED_HIGH, sane setup_sects, a file as long
 * as setup_sects and syssize declare, power-of-two kernel_alignment (when
 * relocatable) and a non-zero init_size. Returns 0, or -ENOEXEC and why.
 */
int guest_bzimage_parse(const void *img, u64 len, struct bzimage_info *info,
			char *why, size_t whylen);

/* ---- boot ------------------------------------------------------------------ */

/* Up to this many vCPUs (xAPIC IDs 0..254; 255 is the broadcast ID). */
#define GUEST_MAX_VCPUS 255

/* Initial RSP: [GUEST_GDT + 32, GUEST_BOOT_PARAMS) is free RAM for a stack. */
#define GUEST_BOOT_STACK_TOP GUEST_BOOT_PARAMS

/* Zero-page offsets the VMM or tests may want to look at. */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_HDR 0x1f1
#define BP_TYPE_OF_LOADER 0x210
#define BP_LOADFLAGS 0x211
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_CMD_LINE_PTR 0x228
#define BP_E820_TABLE 0x2d0
#define BP_SIZE 0x1000

struct guest_boot_args {
	const void *kernel;		/* bzImage or ELF64 file */
	u64 kernel_len;
	const void *initrd;		/* may be NULL with initrd_len 0 */
	u64 initrd_len;
	const char *cmdline;		/* NUL-terminated; NULL means empty */
	u64 ram_size;			/* struct guest_ram's size */
	unsigned ncpus;			/* 1..GUEST_MAX_VCPUS, for the MADT */
	unsigned nvirtio;		/* virtio-mmio slots in use, 0..GUEST_VIRTIO_MAX, for the DSDT */
};

enum guest_kernel_kind {
	GUEST_KERNEL_NONE,
	GUEST_KERNEL_BZIMAGE,
	GUEST_KERNEL_ELF64,
};

/*
 * A segment register in the unpacked (AMD VMCB) form. attrib holds the
 * descriptor's access byte and flags nibble as 12 bits:
 *   bits 0-3 type, 4 S, 5-6 DPL, 7 P, 8 AVL, 9 L, 10 D/B, 11 G.
 * VMX access rights are attrib with bits 8-11 moved to 12-15; P clear means
 * the register is unusable (set VMX's bit 16).
 */
struct guest_seg {
	u16 selector;
	u16 attrib;
	u32 limit;			/* in bytes, i.e. already scaled by G */
	u64 base;
};

#define GUEST_SEG_CODE64 0xa9b		/* type 0xb, S, P, L, G */
#define GUEST_SEG_DATA 0xc93		/* type 3, S, P, D/B, G */
#define GUEST_SEG_TSS 0x08b		/* 32/64-bit busy TSS, P */

#define GUEST_CR0_PE (1ull << 0)
#define GUEST_CR0_MP (1ull << 1)
#define GUEST_CR0_ET (1ull << 4)
#define GUEST_CR0_NE (1ull << 5)
#define GUEST_CR0_WP (1ull << 16)
#define GUEST_CR0_PG (1ull << 31)
#define GUEST_CR4_PSE (1ull << 4)
#define GUEST_CR4_PAE (1ull << 5)
#define GUEST_EFER_LME (1ull << 8)
#define GUEST_EFER_LMA (1ull << 10)

/* The state vCPU 0 starts in (the others wait for INIT-SIPI), and what went where. */
struct guest_boot_state {
	enum guest_kernel_kind kind;
	u64 rip, rsp, rsi, rflags;
	u64 cr0, cr3, cr4, efer;	/* the VMM adds what its vendor needs (SVME, VMXE) */
	u64 gdt_base, idt_base;
	u16 gdt_limit, idt_limit;
	struct guest_seg cs, ds, es, ss, fs, gs, tr, ldtr;

	u64 kernel_start, kernel_end;	/* RAM the kernel loads into and runs from */
	u64 initrd_addr, initrd_size;	/* 0, 0 without an initrd */
	u64 cmdline_len;		/* without the NUL */
	u64 rsdp;			/* guest ACPI RSDP */
	struct bzimage_info bz;		/* bzImage only */
};

/*
 * Load a->kernel (kind told by its first bytes: "\177ELF" or a bzImage),
 * the initrd and the command line into guest RAM through m; write the zero
 * page at GUEST_BOOT_PARAMS, the ACPI tables, the GDT and the identity page
 * tables; fill *out. Guest RAM below 1 MiB is cleared first; RAM above it is
 * assumed to be zero already (the VMM hands out cleared memory).
 *
 * Everything is checked before the first write. Returns 0, or a negative
 * errno with a reason in why: -EINVAL (arguments, RAM size), -ENOEXEC (not
 * a usable kernel), -ENOSPC (something does not fit in guest RAM), -E2BIG
 * (command line too long), -EFAULT (a gmem_ops call failed).
 */
int guest_boot_prepare(const struct guest_boot_args *a, const struct gmem_ops *m,
		       struct guest_boot_state *out, char *why, size_t whylen);

/* ---- guest ACPI tables (vmm/boot/acpi_tables.c) ---------------------------- */

/*
 * Write RSDP, XSDT, RSDT, FADT, FACS, DSDT (with \_S5 and one LNRO0005
 * virtio-mmio device per slot below nvirtio) and MADT for ncpus vCPUs into
 * [GUEST_ACPI_BASE, GUEST_ACPI_END), clearing the rest of that window.
 * Returns 0 and the RSDP's address (GUEST_ACPI_BASE) in *rsdp, or a
 * negative errno and why.
 */
int guest_acpi_build(const struct gmem_ops *m, unsigned ncpus, unsigned nvirtio, u64 *rsdp,
		     char *why, size_t whylen);

#endif
