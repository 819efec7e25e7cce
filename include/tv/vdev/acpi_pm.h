/* SPDX-License-Identifier: MIT */
/*
 * acpi_pm.h: the ACPI fixed hardware of a VM and the legacy system ports
 * around it, as one device with several I/O ranges (vacpi_pm_ranges):
 *
 *  - PM1a event block (GUEST_PORT_PM1A_EVT, 4 bytes): PM1_STS (write 1 to
 *    clear) and PM1_EN. TMR_STS is set whenever bit 31 of the PM timer
 *    flips (FADT TMR_VAL_EXT); PWRBTN_STS by vacpi_pm_power_button. The
 *    SCI (`gsi`, level) is high while any enabled status bit is set.
 *  - PM1a control (GUEST_PORT_PM1A_CNT, 2 bytes): SCI_EN always reads 1
 *    (no SMI_CMD: the VM is always in ACPI mode). Writing SLP_EN with
 *    SLP_TYP = GUEST_S5_SLP_TYP calls ops->poweroff; other sleep types are
 *    only reported through ops->sleep (if set) and otherwise ignored: the
 *    VM keeps running, as if it had woken at once.
 *  - PM timer (GUEST_PORT_PM_TMR, 4 bytes, read-only): a 32-bit counter at
 *    VACPI_PM_TMR_HZ derived from host time.
 *  - Reset register (GUEST_PORT_RESET, 0xcf9, byte only): 0xcf9 semantics,
 *    a write with RST_CPU (bit 2) set resets: 0x04 soft, 0x06 hard, 0x0e
 *    full; all call ops->reset. SYS_RST/FULL_RST (bits 1, 3) are stored
 *    and read back.
 *  - i8042 (ports 0x60 and 0x64): no controller, both read 0xff (a probe
 *    finds nothing); command 0xfe (pulse reset line) on 0x64 calls
 *    ops->reset, other writes are ignored.
 *  - POST code port 0x80: writes ignored, reads 0xff.
 *
 * Accesses are 1, 2 or 4 bytes within a range (any byte offset for the
 * PM1 and timer blocks); anything else returns -EOPNOTSUPP.
 */
#ifndef TV_VDEV_ACPI_PM_H
#define TV_VDEV_ACPI_PM_H

#include <tv/types.h>
#include <tv/vdev.h>

#define VACPI_PM_TMR_HZ 3579545u

/* PM1 status / enable bits */
#define VACPI_PM1_TMR 0x0001
#define VACPI_PM1_GBL 0x0020
#define VACPI_PM1_PWRBTN 0x0100
#define VACPI_PM1_SLPBTN 0x0200
#define VACPI_PM1_RTC 0x0400
#define VACPI_PM1_WAK 0x8000

enum vacpi_pm_region {
	VACPI_PM_EVT,           /* GUEST_PORT_PM1A_EVT */
	VACPI_PM_CNT,           /* GUEST_PORT_PM1A_CNT */
	VACPI_PM_TMR,           /* GUEST_PORT_PM_TMR */
	VACPI_PM_RESET,         /* GUEST_PORT_RESET */
	VACPI_PM_KBD_DATA,      /* GUEST_PORT_I8042_DATA */
	VACPI_PM_KBD_CMD,       /* GUEST_PORT_I8042_CMD */
	VACPI_PM_POST,          /* GUEST_PORT_POST */
	VACPI_PM_NR_REGIONS
};

/* Where each region lives, for the VMM to register: vacpi_pm_ranges[region]. */
struct vacpi_pm_range {
	u16 port;
	u16 len;
};
extern const struct vacpi_pm_range vacpi_pm_ranges[VACPI_PM_NR_REGIONS];

struct vacpi_pm_ops {
	void (*poweroff)(void *ctx);                    /* S5 entered */
	void (*reset)(void *ctx);                       /* 0xcf9 or i8042 reset */
	void (*sleep)(void *ctx, unsigned slp_typ);     /* optional: other SLP_TYP */
};

struct vacpi_pm {
	struct vdev_host host;
	struct vacpi_pm_ops ops;
	unsigned gsi;
	struct vtimer timer;            /* TMR_STS while TMR_EN is set */
	u16 sts, en, cnt;
	u8 reset_reg;
	u64 tmr_base_ns;                /* the PM timer counted 0 here */
	u64 tmr_epoch;                  /* PM timer ticks >> 31 when last evaluated */
	bool irq_level;
};

/* ops is copied; ops->poweroff and ops->reset may be NULL (then ignored). */
void vacpi_pm_init(struct vacpi_pm *pm, const struct vdev_host *h, unsigned gsi,
		   const struct vacpi_pm_ops *ops);
/* VM reboot: status, enables, control and the reset register cleared, SCI low. */
void vacpi_pm_reset(struct vacpi_pm *pm);
int vacpi_pm_read(struct vacpi_pm *pm, enum vacpi_pm_region region, u64 offset, unsigned size,
		  u64 *val);
int vacpi_pm_write(struct vacpi_pm *pm, enum vacpi_pm_region region, u64 offset,
		   unsigned size, u64 val);
/* The host pressed the power button: PWRBTN_STS, an SCI if the guest enabled it. */
void vacpi_pm_power_button(struct vacpi_pm *pm);

#endif
