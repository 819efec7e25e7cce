// SPDX-License-Identifier: MIT
/* acpi_pm.c: ACPI PM1 registers, PM timer, reset register and legacy ports (tv/vdev/acpi_pm.h). */
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/vdev/acpi_pm.h>
#include <tv/vmm_layout.h>

#define EN_MASK (VACPI_PM1_TMR | VACPI_PM1_GBL | VACPI_PM1_PWRBTN | VACPI_PM1_SLPBTN | \
		 VACPI_PM1_RTC | 0x4000)       /* PCIEXP_WAKE_DIS */
#define SCI_SOURCES (VACPI_PM1_TMR | VACPI_PM1_GBL | VACPI_PM1_PWRBTN | VACPI_PM1_SLPBTN | \
		     VACPI_PM1_RTC)

#define CNT_SCI_EN 0x0001
#define CNT_BM_RLD 0x0002
#define CNT_SLP_TYP_SHIFT 10
#define CNT_SLP_TYP 0x1c00
#define CNT_SLP_EN 0x2000

#define CF9_SYS_RST 0x02
#define CF9_RST_CPU 0x04
#define CF9_FULL_RST 0x08

#define I8042_CMD_RESET 0xfe
#define TMR_EPOCH_SHIFT 31      /* TMR_STS when bit 31 flips (TMR_VAL_EXT) */

const struct vacpi_pm_range vacpi_pm_ranges[VACPI_PM_NR_REGIONS] = {
	[VACPI_PM_EVT] = { GUEST_PORT_PM1A_EVT, 4 },
	[VACPI_PM_CNT] = { GUEST_PORT_PM1A_CNT, 2 },
	[VACPI_PM_TMR] = { GUEST_PORT_PM_TMR, 4 },
	[VACPI_PM_RESET] = { GUEST_PORT_RESET, 1 },
	[VACPI_PM_KBD_DATA] = { GUEST_PORT_I8042_DATA, 1 },
	[VACPI_PM_KBD_CMD] = { GUEST_PORT_I8042_CMD, 1 },
	[VACPI_PM_POST] = { GUEST_PORT_POST, 1 },
};

static u64 pm_now(const struct vacpi_pm *pm)
{
	return pm->host.now_ns(pm->host.ctx);
}

static u64 pm_ticks(const struct vacpi_pm *pm, u64 now)
{
	return now > pm->tmr_base_ns ?
		vdev_muldiv(now - pm->tmr_base_ns, VACPI_PM_TMR_HZ, VDEV_NS_PER_SEC) : 0;
}

static void pm_update_sci(struct vacpi_pm *pm)
{
	/* SCI_EN is hardwired to 1, so the SCI is simply "enabled status pending". */
	bool level = pm->sts & pm->en & SCI_SOURCES;

	if (level != pm->irq_level) {
		pm->irq_level = level;
		pm->host.set_irq(pm->host.ctx, pm->gsi, level);
	}
}

/* Set TMR_STS if bit 31 of the timer flipped since we last looked. */
static void pm_tmr_catch_up(struct vacpi_pm *pm, u64 now)
{
	u64 epoch = pm_ticks(pm, now) >> TMR_EPOCH_SHIFT;

	if (epoch != pm->tmr_epoch) {
		pm->tmr_epoch = epoch;
		pm->sts |= VACPI_PM1_TMR;
	}
}

/* Only an enabled timer interrupt needs a host timer; TMR_STS is otherwise computed on read. */
static void pm_tmr_rearm(struct vacpi_pm *pm)
{
	u64 ticks;

	if ((pm->en & VACPI_PM1_TMR) && !(pm->sts & VACPI_PM1_TMR)) {
		ticks = (pm->tmr_epoch + 1) << TMR_EPOCH_SHIFT;
		pm->host.timer_arm(pm->host.ctx, &pm->timer, pm->tmr_base_ns +
				   vdev_muldiv_up(ticks, VDEV_NS_PER_SEC, VACPI_PM_TMR_HZ));
	} else {
		pm->host.timer_cancel(pm->host.ctx, &pm->timer);
	}
}

static void pm_tmr_fire(struct vtimer *t, u64 now)
{
	struct vacpi_pm *pm = t->owner;

	pm_tmr_catch_up(pm, now);
	pm_update_sci(pm);
	pm_tmr_rearm(pm);
}

static void pm_write_cnt(struct vacpi_pm *pm, u16 wval, u16 wmask)
{
	u16 v = (u16)((pm->cnt & ~wmask) | (wval & wmask));
	unsigned typ = (v & CNT_SLP_TYP) >> CNT_SLP_TYP_SHIFT;

	/* SLP_EN and GBL_RLS are write-only strobes; SLP_TYP and BM_RLD stick. */
	pm->cnt = v & (CNT_SLP_TYP | CNT_BM_RLD);
	if (!(wval & wmask & CNT_SLP_EN))
		return;
	if (typ == GUEST_S5_SLP_TYP) {
		if (pm->ops.poweroff)
			pm->ops.poweroff(pm->host.ctx);
	} else if (pm->ops.sleep) {
		pm->ops.sleep(pm->host.ctx, typ);
	}
}

static void pm_write_reset(struct vacpi_pm *pm, u8 v)
{
	pm->reset_reg = v & (CF9_SYS_RST | CF9_FULL_RST);
	if ((v & CF9_RST_CPU) && pm->ops.reset)
		pm->ops.reset(pm->host.ctx);
}

/* Valid sizes and offsets: 1, 2 or 4 bytes inside the region. */
static int pm_check(enum vacpi_pm_region region, u64 offset, unsigned size)
{
	if ((unsigned)region >= VACPI_PM_NR_REGIONS || offset >= vacpi_pm_ranges[region].len)
		return -EINVAL;
	if ((size != 1 && size != 2 && size != 4) || offset + size > vacpi_pm_ranges[region].len)
		return -EOPNOTSUPP;
	return 0;
}

void vacpi_pm_reset(struct vacpi_pm *pm)
{
	pm->sts = 0;
	pm->en = 0;
	pm->cnt = 0;
	pm->reset_reg = 0;
	pm->tmr_epoch = pm_ticks(pm, pm_now(pm)) >> TMR_EPOCH_SHIFT;
	pm_update_sci(pm);
	pm_tmr_rearm(pm);
}

void vacpi_pm_init(struct vacpi_pm *pm, const struct vdev_host *h, unsigned gsi,
		   const struct vacpi_pm_ops *ops)
{
	memset(pm, 0, sizeof(*pm));
	pm->host = *h;
	if (ops)
		pm->ops = *ops;
	pm->gsi = gsi;
	pm->timer.fire = pm_tmr_fire;
	pm->timer.owner = pm;
	pm->tmr_base_ns = pm_now(pm);
	vacpi_pm_reset(pm);
}

int vacpi_pm_read(struct vacpi_pm *pm, enum vacpi_pm_region region, u64 offset, unsigned size,
		  u64 *val)
{
	int err = pm_check(region, offset, size);
	u64 v = ~0ull, now;

	*val = ~0ull;
	if (err)
		return err;
	switch (region) {
	case VACPI_PM_EVT:
		now = pm_now(pm);
		pm_tmr_catch_up(pm, now);
		pm_update_sci(pm);
		pm_tmr_rearm(pm);
		v = pm->sts | (u64)pm->en << 16;
		break;
	case VACPI_PM_CNT:
		v = pm->cnt | CNT_SCI_EN;
		break;
	case VACPI_PM_TMR:
		v = (u32)pm_ticks(pm, pm_now(pm));
		break;
	case VACPI_PM_RESET:
		v = pm->reset_reg;
		break;
	default:
		v = ~0ull;      /* no i8042, no POST card */
		break;
	}
	v >>= 8 * offset;
	*val = v & ((1ull << (8 * size)) - 1);
	return 0;
}

int vacpi_pm_write(struct vacpi_pm *pm, enum vacpi_pm_region region, u64 offset,
		   unsigned size, u64 val)
{
	int err = pm_check(region, offset, size);
	u64 wmask, wval;

	if (err)
		return err;
	wmask = ((1ull << (8 * size)) - 1) << (8 * offset);
	wval = (val << (8 * offset)) & wmask;
	switch (region) {
	case VACPI_PM_EVT:
		pm_tmr_catch_up(pm, pm_now(pm));
		pm->sts &= (u16)~wval;          /* write 1 to clear */
		if (wmask >> 16)
			pm->en = (u16)(((pm->en & ~(wmask >> 16)) | (wval >> 16)) & EN_MASK);
		pm_update_sci(pm);
		pm_tmr_rearm(pm);
		break;
	case VACPI_PM_CNT:
		pm_write_cnt(pm, (u16)wval, (u16)wmask);
		break;
	case VACPI_PM_RESET:
		pm_write_reset(pm, (u8)wval);
		break;
	case VACPI_PM_KBD_CMD:
		if ((u8)wval == I8042_CMD_RESET && pm->ops.reset)
			pm->ops.reset(pm->host.ctx);
		break;
	default:
		break;          /* PM timer read-only; i8042 data and POST ignored */
	}
	return 0;
}

void vacpi_pm_power_button(struct vacpi_pm *pm)
{
	pm_tmr_catch_up(pm, pm_now(pm));
	pm->sts |= VACPI_PM1_PWRBTN;
	pm_update_sci(pm);
	pm_tmr_rearm(pm);
}
