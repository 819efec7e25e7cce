// SPDX-License-Identifier: MIT
/* test_vlapic.c: the emulated local APIC (vmm/dev/vlapic.c). */
#include "vdev_testlib.h"

#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/vdev/vlapic.h>

#define SEC 1000000000ull
#define MS 1000000ull
#define US 1000ull
#define TSC_HZ 2500000000ull

#define APIC_ID 0x020
#define APIC_VER 0x030
#define APIC_TPR 0x080
#define APIC_APR 0x090
#define APIC_PPR 0x0a0
#define APIC_EOI 0x0b0
#define APIC_LDR 0x0d0
#define APIC_DFR 0x0e0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR 0x300
#define APIC_ICR2 0x310
#define APIC_LVTT 0x320
#define APIC_LVTTHMR 0x330
#define APIC_LVTPC 0x340
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_LVTERR 0x370
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390
#define APIC_TDCR 0x3e0

#define MASKED 0x10000u
#define PERIODIC 0x20000u
#define TSCDL 0x40000u

static struct vlapic l;
static int vcpu_ctx;
static long kicks, neoi, nipi;
static u8 eoi_vec[64];
static struct vlapic_ipi ipis[64];
static u64 tsc_offset = 123456789;

static void cb_eoi(void *ctx, u8 v)
{
	CHECK(ctx == &vcpu_ctx);
	if (neoi < 64)
		eoi_vec[neoi] = v;
	neoi++;
}

static void cb_ipi(void *ctx, const struct vlapic_ipi *ipi)
{
	CHECK(ctx == &vcpu_ctx);
	if (nipi < 64)
		ipis[nipi] = *ipi;
	nipi++;
}

static void cb_kick(void *ctx)
{
	CHECK(ctx == &vcpu_ctx);
	kicks++;
}

static u64 cb_tsc(void *ctx)
{
	return (u64)((unsigned __int128)fh.now * TSC_HZ / SEC) + tsc_offset;
}

static const struct vlapic_ops ops = {
	.ctx = &vcpu_ctx,
	.eoi = cb_eoi,
	.ipi = cb_ipi,
	.kick = cb_kick,
	.guest_tsc = cb_tsc,
};

static void setup_tsc(u64 tsc_hz)
{
	fh_reset(10 * SEC);
	kicks = neoi = nipi = 0;
	vlapic_init(&l, &fh_host, &ops, 3, tsc_hz);
}

static void setup(void)
{
	setup_tsc(TSC_HZ);
}

static u32 rd(u32 reg)
{
	u64 v = 0xdead;

	CHECK_EQ(vlapic_read(&l, reg, 4, &v), 0);
	CHECK(v <= 0xffffffffull);
	return (u32)v;
}

static void wr(u32 reg, u32 val)
{
	CHECK_EQ(vlapic_write(&l, reg, 4, val), 0);
}

static void enable(void)
{
	wr(APIC_SVR, 0x1ff);
}

/* What the VMM does to take an interrupt: returns the vector or -1. */
static int take(void)
{
	int v = vlapic_pending_vector(&l);

	if (v >= 0)
		vlapic_accept(&l, (u8)v);
	return v;
}

/* Take and EOI everything pending; returns how many. */
static long drain(void)
{
	long n = 0;

	while (take() >= 0) {
		wr(APIC_EOI, 0);
		n++;
	}
	return n;
}

TEST(reset_state)
{
	setup();
	CHECK_EQ(rd(APIC_ID), 3u << 24);
	CHECK_EQ(rd(APIC_VER), 0x00050014);
	CHECK_EQ(rd(APIC_SVR), 0xff);
	CHECK_EQ(rd(APIC_DFR), 0xffffffff);
	CHECK_EQ(rd(APIC_TPR), 0);
	CHECK_EQ(rd(APIC_PPR), 0);
	for (u32 r = APIC_LVTT; r <= APIC_LVTERR; r += 0x10)
		CHECK_EQ(rd(r), MASKED);
	CHECK_EQ(rd(APIC_TMICT), 0);
	CHECK_EQ(rd(APIC_TMCCT), 0);
	wr(APIC_ID, 0x07123456);
	CHECK_EQ(rd(APIC_ID), 0x07000000);
	wr(APIC_LDR, 0xffffffff);
	CHECK_EQ(rd(APIC_LDR), 0xff000000);
	wr(APIC_DFR, 0x0);
	CHECK_EQ(rd(APIC_DFR), 0x0fffffff);
	wr(APIC_VER, 0);
	CHECK_EQ(rd(APIC_VER), 0x00050014);
	vlapic_reset(&l);
	CHECK_EQ(rd(APIC_ID), 3u << 24);
	CHECK_EQ(rd(APIC_DFR), 0xffffffff);
}

TEST(software_disable)
{
	setup();
	CHECK(!vlapic_set_irq(&l, 0x40, false));        /* disabled: refused */
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	wr(APIC_LVT0, 0x700);                   /* ExtINT, unmask attempt */
	CHECK_EQ(rd(APIC_LVT0), 0x700 | MASKED);
	enable();
	CHECK_EQ(rd(APIC_LVT0), 0x700 | MASKED);        /* still masked until rewritten */
	wr(APIC_LVT0, 0x700);
	CHECK_EQ(rd(APIC_LVT0), 0x700);
	wr(APIC_LVT1, 0x400);                   /* NMI */
	wr(APIC_LVTERR, 0xfe);
	CHECK(vlapic_set_irq(&l, 0x40, false));
	CHECK_EQ(vlapic_pending_vector(&l), 0x40);
	wr(APIC_SVR, 0x0ff);                    /* disable: every LVT masked again */
	for (u32 r = APIC_LVTT; r <= APIC_LVTERR; r += 0x10)
		CHECK(rd(r) & MASKED);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(rd(APIC_IRR + 0x20) & 1, 1);   /* IRR kept */
	/* NMI still accepted */
	vlapic_deliver(&l, VLAPIC_DM_NMI, 0, false);
	CHECK(vlapic_take_nmi(&l));
	enable();
	CHECK_EQ(vlapic_pending_vector(&l), 0x40);
	/* writable LVT bits */
	wr(APIC_LVTT, 0xffffffff);
	CHECK_EQ(rd(APIC_LVTT), 0x700ff);
	wr(APIC_LVT0, 0xffffffff);
	CHECK_EQ(rd(APIC_LVT0), 0x1a7ff);
	wr(APIC_LVTERR, 0xffffffff);
	CHECK_EQ(rd(APIC_LVTERR), 0x100ff);
	wr(APIC_LVTPC, 0xffffffff);
	CHECK_EQ(rd(APIC_LVTPC), 0x107ff);
	wr(APIC_SVR, 0xffffffff);
	CHECK_EQ(rd(APIC_SVR), 0x3ff);
}

TEST(priorities_and_nesting)
{
	setup();
	enable();
	kicks = 0;
	CHECK(vlapic_set_irq(&l, 0x31, false));
	CHECK(vlapic_set_irq(&l, 0x45, false));
	CHECK(vlapic_set_irq(&l, 0x52, false));
	CHECK_EQ(kicks, 3);
	CHECK_EQ(rd(APIC_IRR + 0x20), 1u << 0x12 | 1u << 5);    /* 0x52, 0x45: word 2 */
	CHECK_EQ(rd(APIC_IRR + 0x10), 1u << 0x11);              /* 0x31: word 1, bit 17 */
	CHECK_EQ(vlapic_pending_vector(&l), 0x52);
	CHECK_EQ(take(), 0x52);
	CHECK_EQ(rd(APIC_ISR + 0x20), 1u << 0x12);
	CHECK_EQ(rd(APIC_IRR + 0x20), 1u << 5);
	CHECK_EQ(rd(APIC_PPR), 0x50);
	CHECK_EQ(vlapic_pending_vector(&l), -1);        /* 0x45 is below the in-service class */
	CHECK(vlapic_set_irq(&l, 0x5f, false));
	CHECK_EQ(vlapic_pending_vector(&l), -1);        /* same class: not above */
	CHECK(vlapic_set_irq(&l, 0x61, false));
	CHECK_EQ(take(), 0x61);                 /* nests */
	CHECK_EQ(rd(APIC_PPR), 0x60);
	CHECK_EQ(rd(APIC_APR), 0x60);
	wr(APIC_EOI, 0);                        /* ends 0x61, the highest in service */
	CHECK_EQ(rd(APIC_PPR), 0x50);
	CHECK_EQ(rd(APIC_ISR + 0x30), 0);
	wr(APIC_EOI, 0);
	CHECK_EQ(rd(APIC_PPR), 0x00);
	CHECK_EQ(vlapic_pending_vector(&l), 0x5f);
	wr(APIC_TPR, 0x5f);                     /* TPR class 5 blocks 0x5f and below */
	CHECK_EQ(rd(APIC_PPR), 0x5f);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	wr(APIC_TPR, 0x4f);
	CHECK_EQ(vlapic_pending_vector(&l), 0x5f);
	CHECK_EQ(take(), 0x5f);
	CHECK_EQ(rd(APIC_PPR), 0x50);           /* ISR class 5 above TPR class 4 */
	wr(APIC_TPR, 0x7a);
	CHECK_EQ(rd(APIC_PPR), 0x7a);
	CHECK_EQ(rd(APIC_TPR), 0x7a);
	wr(APIC_TPR, 0);
	wr(APIC_EOI, 0);
	CHECK_EQ(drain(), 2);                   /* 0x45 then 0x31 */
	CHECK_EQ(rd(APIC_PPR), 0);
	wr(APIC_EOI, 0);                        /* nothing in service: harmless */
	CHECK_EQ(neoi, 0);
	vlapic_accept(&l, 0x99);                /* not in IRR: ignored */
	CHECK_EQ(rd(APIC_ISR + 0x40), 0);
	CHECK(vlapic_set_irq(&l, 0xff, false));
	CHECK_EQ(take(), 0xff);
	CHECK_EQ(rd(APIC_ISR + 0x70), 0x80000000);
}

TEST(eoi_level_notification)
{
	setup();
	enable();
	CHECK(vlapic_set_irq(&l, 0x39, true));  /* level: TMR set */
	CHECK_EQ(rd(APIC_TMR + 0x10), 1u << 0x19);
	CHECK(vlapic_set_irq(&l, 0x24, false));
	CHECK_EQ(take(), 0x39);
	CHECK_EQ(take(), -1);
	wr(APIC_EOI, 0);
	CHECK_EQ(neoi, 1);
	CHECK_EQ(eoi_vec[0], 0x39);
	CHECK_EQ(take(), 0x24);
	wr(APIC_EOI, 0);
	CHECK_EQ(neoi, 1);                      /* edge: no notification */
	/* an edge interrupt on a vector clears its TMR bit */
	CHECK(vlapic_set_irq(&l, 0x39, false));
	CHECK_EQ(rd(APIC_TMR + 0x10), 0);
	CHECK_EQ(drain(), 1);
	CHECK_EQ(neoi, 1);
}

TEST(errors_and_illegal_vectors)
{
	setup();
	enable();
	CHECK(!vlapic_set_irq(&l, 5, false));
	CHECK(!vlapic_set_irq(&l, 15, true));
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(rd(APIC_ESR), 0);              /* nothing latched yet */
	wr(APIC_ESR, 0);
	CHECK_EQ(rd(APIC_ESR), 0x40);
	wr(APIC_ESR, 0);
	CHECK_EQ(rd(APIC_ESR), 0);
	/* with the error LVT unmasked an error interrupts, once per new error */
	wr(APIC_LVTERR, 0xfe);
	CHECK(!vlapic_set_irq(&l, 1, false));
	CHECK_EQ(vlapic_pending_vector(&l), 0xfe);
	CHECK(!vlapic_set_irq(&l, 2, false));
	CHECK_EQ(drain(), 1);
	/* sending an illegal vector */
	wr(APIC_ICR2, 0);
	wr(APIC_ICR, 0x4003);
	CHECK_EQ(nipi, 0);
	CHECK_EQ(drain(), 1);                   /* a new error: one error interrupt */
	wr(APIC_ESR, 0);
	CHECK_EQ(rd(APIC_ESR), 0x60);
	/* an illegal register */
	CHECK_EQ(rd(0x3a0), 0);
	wr(0x2f0, 1);
	CHECK_EQ(drain(), 1);
	wr(APIC_ESR, 0);
	CHECK_EQ(rd(APIC_ESR), 0x80);
	/* an illegal error vector cannot recurse */
	wr(APIC_LVTERR, 0x05);
	CHECK(!vlapic_set_irq(&l, 3, false));
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	/* odd accesses: read 0, ignored, no error */
	u64 v = 1;
	wr(APIC_ESR, 0);
	CHECK_EQ(vlapic_read(&l, APIC_TPR, 1, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(vlapic_write(&l, APIC_TPR + 4, 4, 0xff), 0);
	CHECK_EQ(vlapic_write(&l, APIC_TPR, 8, 0xff), 0);
	CHECK_EQ(rd(APIC_TPR), 0);
	CHECK_EQ(vlapic_read(&l, 0x800, 4, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(vlapic_read(&l, 0x1000, 4, &v), -EINVAL);
	CHECK_EQ(vlapic_write(&l, 0x1000, 4, 0), -EINVAL);
	wr(APIC_ESR, 0);
	CHECK_EQ(rd(APIC_ESR), 0);
}

TEST(ipi_fields)
{
	setup();
	enable();
	wr(APIC_ICR2, 0x05ffffff);
	CHECK_EQ(rd(APIC_ICR2), 0x05000000);
	wr(APIC_ICR, 0x4040);                   /* fixed, physical, assert, vector 0x40 */
	CHECK_EQ(nipi, 1);
	CHECK(ipis[0].dest == 5 && ipis[0].vector == 0x40 && ipis[0].delivery_mode == 0 &&
	      ipis[0].shorthand == 0 && !ipis[0].logical && ipis[0].level_assert &&
	      !ipis[0].trigger_level);
	CHECK_EQ(rd(APIC_ICR) & 0x1000, 0);     /* delivery status: idle */
	CHECK_EQ(rd(APIC_ICR), 0x4040);
	wr(APIC_ICR, 0xc500);                   /* INIT, level, assert */
	CHECK(ipis[1].delivery_mode == VLAPIC_DM_INIT && ipis[1].level_assert &&
	      ipis[1].trigger_level);
	wr(APIC_ICR, 0x8500);                   /* INIT de-assert: dropped */
	CHECK_EQ(nipi, 2);
	wr(APIC_ICR, 0x4500);                   /* INIT, edge, assert (what Linux sends) */
	CHECK(ipis[2].delivery_mode == VLAPIC_DM_INIT && ipis[2].level_assert);
	wr(APIC_ICR, 0x4608);                   /* SIPI, page 8 */
	CHECK(ipis[3].delivery_mode == VLAPIC_DM_SIPI && ipis[3].vector == 8);
	wr(APIC_ICR, 0x0c0400);                 /* NMI to all but self */
	CHECK(ipis[4].delivery_mode == VLAPIC_DM_NMI && ipis[4].shorthand == VLAPIC_SH_OTHERS);
	wr(APIC_ICR2, 0x0f000000);
	wr(APIC_ICR, 0x080941);                 /* lowest priority, logical, to all incl self */
	CHECK(ipis[5].delivery_mode == VLAPIC_DM_LOWEST && ipis[5].logical &&
	      ipis[5].shorthand == VLAPIC_SH_ALL && ipis[5].dest == 0x0f && ipis[5].vector == 0x41);
	CHECK_EQ(nipi, 6);
	/* self IPI: handled locally */
	kicks = 0;
	wr(APIC_ICR, 0x044055);
	CHECK_EQ(nipi, 6);
	CHECK_EQ(kicks, 1);
	CHECK_EQ(take(), 0x55);
	wr(APIC_EOI, 0);
	wr(APIC_ICR, 0x04c056);                 /* level-triggered self IPI: TMR */
	CHECK_EQ(rd(APIC_TMR + 0x20), 1u << 0x16);
	CHECK_EQ(take(), 0x56);
	wr(APIC_EOI, 0);
	CHECK_EQ(neoi, 1);
	CHECK_EQ(eoi_vec[0], 0x56);
	wr(APIC_ICR, 0x044400);                 /* NMI to self: not defined, dropped */
	CHECK_EQ(nipi, 6);
	CHECK(!vlapic_take_nmi(&l));
}

/* INIT resets the local APIC (ID kept) and orders itself against SIPIs. */
TEST(init_sipi)
{
	setup();
	enable();
	wr(APIC_ID, 0x07000000);
	wr(APIC_TPR, 0x20);
	wr(APIC_LDR, 0x04000000);
	wr(APIC_LVTT, 0x40);
	wr(APIC_TMICT, 1000000);
	CHECK(vlapic_set_irq(&l, 0x50, false));
	vlapic_deliver(&l, VLAPIC_DM_NMI, 0, false);
	vlapic_deliver(&l, VLAPIC_DM_SIPI, 0x11, false);       /* before INIT: voided by it */
	kicks = 0;
	vlapic_deliver(&l, VLAPIC_DM_INIT, 0, true);
	CHECK_EQ(kicks, 1);
	CHECK_EQ(rd(APIC_ID), 0x07000000u);                     /* the ID survives INIT */
	CHECK_EQ(rd(APIC_TPR), 0);
	CHECK_EQ(rd(APIC_LDR), 0);
	CHECK_EQ(rd(APIC_SVR), 0xffu);                          /* software-disabled */
	CHECK_EQ(rd(APIC_LVTT), MASKED);
	CHECK_EQ(rd(APIC_TMICT), 0);
	CHECK_EQ(rd(APIC_IRR + 0x20), 0);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK(!vlapic_take_nmi(&l));                            /* pending NMI dropped */
	CHECK_EQ(vlapic_take_sipi(&l), -1);                     /* earlier SIPI dropped */
	/* Two SIPIs before the VMM looks: the first one counts. */
	vlapic_deliver(&l, VLAPIC_DM_SIPI, 0x10, false);
	vlapic_deliver(&l, VLAPIC_DM_SIPI, 0x20, false);
	CHECK(vlapic_take_init(&l));
	CHECK_EQ(vlapic_take_sipi(&l), 0x10);
	CHECK_EQ(vlapic_take_sipi(&l), -1);
	/* A fixed interrupt to a waiting (software-disabled) APIC is refused. */
	CHECK(!vlapic_set_irq(&l, 0x50, false));
	/* The ICR reads idle right after an IPI: delivery happens during the write. */
	enable();
	wr(APIC_ICR2, 0x01000000);
	wr(APIC_ICR, 0x4608);
	CHECK_EQ(rd(APIC_ICR) & (1u << 12), 0);
	wr(APIC_ESR, 0);
	CHECK_EQ(rd(APIC_ESR), 0);                              /* a good SIPI logs no error */
}

TEST(delivery_modes_and_destinations)
{
	setup();
	enable();
	kicks = 0;
	vlapic_deliver(&l, VLAPIC_DM_NMI, 0, false);
	vlapic_deliver(&l, VLAPIC_DM_SMI, 0, false);
	vlapic_deliver(&l, VLAPIC_DM_EXTINT, 0x30, false);
	CHECK_EQ(kicks, 1);
	CHECK(vlapic_take_nmi(&l));
	CHECK(!vlapic_take_nmi(&l));
	vlapic_deliver(&l, VLAPIC_DM_INIT, 0, true);
	vlapic_deliver(&l, VLAPIC_DM_SIPI, 0x9a, false);
	CHECK_EQ(kicks, 3);
	CHECK(vlapic_take_init(&l));
	CHECK(!vlapic_take_init(&l));
	CHECK_EQ(vlapic_take_sipi(&l), 0x9a);
	CHECK_EQ(vlapic_take_sipi(&l), -1);
	enable();                               /* INIT left it software-disabled */
	vlapic_deliver(&l, VLAPIC_DM_LOWEST, 0x66, true);
	CHECK_EQ(take(), 0x66);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	/* destinations */
	CHECK(vlapic_match_dest(&l, 3, false));
	CHECK(vlapic_match_dest(&l, 0xff, false));
	CHECK(!vlapic_match_dest(&l, 4, false));
	CHECK(!vlapic_match_dest(&l, 0x01, true));      /* LDR 0 */
	wr(APIC_LDR, 0x08000000);               /* flat: bit 3 */
	CHECK(vlapic_match_dest(&l, 0x08, true));
	CHECK(vlapic_match_dest(&l, 0xff, true));
	CHECK(!vlapic_match_dest(&l, 0x07, true));
	wr(APIC_DFR, 0x0fffffff);               /* cluster: cluster 2, member bit 1 */
	wr(APIC_LDR, 0x22000000);
	CHECK(vlapic_match_dest(&l, 0x22, true));
	CHECK(vlapic_match_dest(&l, 0x2f, true));
	CHECK(!vlapic_match_dest(&l, 0x12, true));
	CHECK(!vlapic_match_dest(&l, 0x21, true));
	CHECK(vlapic_match_dest(&l, 0xff, true));
}

static long timer_irqs(u64 ns, u8 vec)
{
	long n = 0;
	u64 end = fh.now + ns;

	while (fh.now < end) {
		fh_run_until(MIN(end, fh.now + 10 * US));
		while (vlapic_pending_vector(&l) >= 0) {
			CHECK_EQ(take(), vec);
			wr(APIC_EOI, 0);
			n++;
		}
	}
	return n;
}

TEST(timer_oneshot_and_divide)
{
	setup();
	enable();
	wr(APIC_TDCR, 0x3);                     /* divide by 16 */
	wr(APIC_LVTT, 0xef);
	wr(APIC_TMICT, 1000000);                /* 16 ms at 1 GHz / 16 */
	CHECK_EQ(rd(APIC_TMCCT), 1000000);
	CHECK_EQ(l.timer.deadline_ns, fh.now + 16 * MS);
	fh_advance(8 * MS);
	CHECK_EQ(rd(APIC_TMCCT), 500000);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	fh_advance(8 * MS - 1);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(rd(APIC_TMCCT), 1);
	kicks = 0;
	fh_advance(1);
	CHECK_EQ(kicks, 1);
	CHECK_EQ(take(), 0xef);
	CHECK_EQ(rd(APIC_TMCCT), 0);
	CHECK_EQ(timer_irqs(SEC, 0xef), 0);     /* one-shot: once */
	CHECK_EQ(rd(APIC_TMICT), 1000000);
	/* every divide value */
	static const u32 dcr[8] = { 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa, 0xb };
	static const u32 div[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };
	for (int i = 0; i < 8; i++) {
		wr(APIC_TDCR, dcr[i]);
		CHECK_EQ(rd(APIC_TDCR), dcr[i]);
		wr(APIC_TMICT, 1000);
		CHECK_EQ(l.timer.deadline_ns, fh.now + 1000ull * div[i]);
		fh_advance(500ull * div[i]);
		CHECK_EQ(rd(APIC_TMCCT), 500);
	}
	/* changing the divider keeps the count, which runs on at the new rate */
	wr(APIC_TDCR, 0xb);
	wr(APIC_TMICT, 10000);
	fh_advance(4000);
	CHECK_EQ(rd(APIC_TMCCT), 6000);
	wr(APIC_TDCR, 0x0);                     /* divide by 2 */
	CHECK_EQ(rd(APIC_TMCCT), 6000);
	fh_advance(4000);
	CHECK_EQ(rd(APIC_TMCCT), 4000);
	CHECK_EQ(l.timer.deadline_ns, fh.now + 8000);
	/* writing 0 stops it */
	wr(APIC_TMICT, 0);
	CHECK_EQ(rd(APIC_TMCCT), 0);
	CHECK(!fh_is_armed(&l.timer));
	drain();
	CHECK_EQ(timer_irqs(SEC, 0xef), 0);
	/* masked: counts, never interrupts, no host timer */
	wr(APIC_LVTT, 0xef | MASKED);
	wr(APIC_TMICT, 1000);
	CHECK(!fh_is_armed(&l.timer));
	fh_advance(500);
	CHECK_EQ(rd(APIC_TMCCT), 750);
	fh_advance(SEC);
	wr(APIC_LVTT, 0xef);                    /* unmasking after expiry: nothing */
	CHECK_EQ(timer_irqs(SEC, 0xef), 0);
	CHECK_EQ(fh.bad_calls, 0);
}

TEST(timer_periodic_and_clamp)
{
	long n;

	setup();
	enable();
	wr(APIC_TDCR, 0xb);                     /* divide by 1 */
	wr(APIC_LVTT, PERIODIC | 0xec);
	wr(APIC_TMICT, 1000000);                /* 1 ms */
	n = timer_irqs(SEC, 0xec);
	CHECK(n >= 999 && n <= 1000);
	fh_advance(250 * US);
	CHECK(rd(APIC_TMCCT) <= 750000 && rd(APIC_TMCCT) >= 740000);
	/* the VMM was away: one interrupt, then the rhythm goes on */
	n = kicks;
	fh_jump(SEC);
	CHECK_EQ(kicks - n, 1);
	drain();
	n = timer_irqs(100 * MS, 0xec);
	CHECK(n >= 99 && n <= 101);
	/* tiny periods are stretched to VLAPIC_MIN_PERIOD_NS */
	wr(APIC_TMICT, 1);
	n = timer_irqs(SEC, 0xec);
	CHECK(n <= (long)(SEC / VLAPIC_MIN_PERIOD_NS));
	CHECK(n >= (long)(SEC / VLAPIC_MIN_PERIOD_NS) - 2);
	CHECK(rd(APIC_TMCCT) <= VLAPIC_MIN_PERIOD_NS);
	CHECK_EQ(rd(APIC_TMICT), 1);
	/* a mode change disarms */
	wr(APIC_LVTT, 0xec);
	CHECK_EQ(rd(APIC_TMCCT), 0);
	CHECK_EQ(timer_irqs(10 * MS, 0xec), 0);
	/* SVR disable masks the timer */
	wr(APIC_LVTT, PERIODIC | 0xec);
	wr(APIC_TMICT, 100000);
	CHECK(timer_irqs(MS, 0xec) >= 9);
	wr(APIC_SVR, 0xff);
	CHECK(!fh_is_armed(&l.timer));
	fh_advance(SEC);
	enable();
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(fh.bad_calls, 0);
}

TEST(tsc_deadline)
{
	u64 tsc;

	setup();
	enable();
	wr(APIC_LVTT, TSCDL | 0xeb);
	CHECK_EQ(rd(APIC_LVTT), TSCDL | 0xeb);
	wr(APIC_TMICT, 1000);                   /* ignored in TSC-deadline mode */
	CHECK_EQ(rd(APIC_TMICT), 0);
	CHECK_EQ(rd(APIC_TMCCT), 0);
	CHECK(!fh_is_armed(&l.timer));
	/* 1 ms ahead */
	tsc = cb_tsc(NULL) + TSC_HZ / 1000;
	vlapic_write_tsc_deadline(&l, tsc);
	CHECK_EQ(vlapic_read_tsc_deadline(&l), tsc);
	fh_advance(999 * US);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	fh_advance(2 * US);
	CHECK_EQ(take(), 0xeb);
	wr(APIC_EOI, 0);
	CHECK(cb_tsc(NULL) >= tsc);
	CHECK_EQ(vlapic_read_tsc_deadline(&l), 0);      /* fired: disarmed and cleared */
	CHECK_EQ(timer_irqs(10 * MS, 0xeb), 0);
	/* the deadline timer never fires before the guest TSC reaches it */
	for (int i = 0; i < 100; i++) {
		tsc = cb_tsc(NULL) + 1 + fh_rand() % 100000;
		vlapic_write_tsc_deadline(&l, tsc);
		fh_run_until(l.timer.deadline_ns);
		CHECK(cb_tsc(NULL) >= tsc);
		CHECK_EQ(take(), 0xeb);
		wr(APIC_EOI, 0);
	}
	/* in the past: at once */
	kicks = 0;
	vlapic_write_tsc_deadline(&l, cb_tsc(NULL) - 5);
	CHECK_EQ(kicks, 1);
	CHECK_EQ(take(), 0xeb);
	wr(APIC_EOI, 0);
	vlapic_write_tsc_deadline(&l, 1);
	CHECK_EQ(take(), 0xeb);
	wr(APIC_EOI, 0);
	CHECK_EQ(vlapic_read_tsc_deadline(&l), 0);
	/* zero disarms */
	vlapic_write_tsc_deadline(&l, cb_tsc(NULL) + TSC_HZ);
	CHECK(fh_is_armed(&l.timer));
	vlapic_write_tsc_deadline(&l, 0);
	CHECK(!fh_is_armed(&l.timer));
	CHECK_EQ(timer_irqs(2 * SEC, 0xeb), 0);
	/* far future: armed, no overflow */
	vlapic_write_tsc_deadline(&l, ~0ull);
	CHECK(fh_is_armed(&l.timer));
	CHECK(l.timer.deadline_ns > fh.now + 365ull * 86400 * SEC);
	CHECK_EQ(timer_irqs(SEC, 0xeb), 0);
	/* leaving the mode disarms and clears the MSR; other modes ignore it */
	wr(APIC_LVTT, 0xeb);
	CHECK(!fh_is_armed(&l.timer));
	CHECK_EQ(vlapic_read_tsc_deadline(&l), 0);
	vlapic_write_tsc_deadline(&l, cb_tsc(NULL) + 100);
	CHECK_EQ(vlapic_read_tsc_deadline(&l), 0);
	CHECK_EQ(timer_irqs(SEC, 0xeb), 0);
	/* masked TSC-deadline: the MSR clears at the deadline, nothing delivered */
	wr(APIC_LVTT, TSCDL | MASKED | 0xeb);
	vlapic_write_tsc_deadline(&l, cb_tsc(NULL) + 1000);
	fh_advance(MS);
	wr(APIC_LVTT, TSCDL | 0xeb);
	CHECK_EQ(vlapic_read_tsc_deadline(&l), 0);
	CHECK_EQ(vlapic_pending_vector(&l), -1);

	/* without a TSC rate the mode does not exist */
	setup_tsc(0);
	enable();
	wr(APIC_LVTT, TSCDL | 0xeb);
	CHECK_EQ(rd(APIC_LVTT), 0xeb);
	vlapic_write_tsc_deadline(&l, 1);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
}

TEST(hostile_guest)
{
	u64 v;

	setup();
	enable();
	for (int s = 0; s < 10; s++) {
		u64 end = fh.now + 100 * MS;
		long start = kicks;

		while (fh.now < end) {
			u64 x = fh_rand();
			u32 off = (u32)((x >> 8) & 0x3f0);

			switch (x % 8) {
			case 0:
			case 1:
			case 2:
				if (off != APIC_ICR)
					vlapic_write(&l, off, 4, x >> 32);
				break;
			case 3:
				vlapic_read(&l, off, 4, &v);
				break;
			case 4:
				vlapic_set_irq(&l, (u8)(x >> 16), (x >> 24) & 1);
				break;
			case 5:
				vlapic_write_tsc_deadline(&l, cb_tsc(NULL) + ((x >> 16) % 100000));
				break;
			case 6:
				vlapic_write(&l, (x >> 12) & 0xfff, (unsigned)(x >> 40) % 9, x);
				break;
			default:
				take();
				break;
			}
			fh_advance((x >> 48) % 2000);
		}
		/* host timer fires stay bounded whatever was programmed */
		CHECK(kicks - start < 100000);
		wr(APIC_SVR, 0x1ff);
	}
	CHECK(fh.fires < 20 * (long)(SEC / VLAPIC_MIN_PERIOD_NS));
	CHECK_EQ(fh.bad_calls, 0);
	vlapic_reset(&l);
	CHECK(!fh_is_armed(&l.timer));
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(rd(APIC_SVR), 0xff);
}

TEST_MAIN({ "reset_state", reset_state },
	  { "software_disable", software_disable },
	  { "priorities_and_nesting", priorities_and_nesting },
	  { "eoi_level_notification", eoi_level_notification },
	  { "errors_and_illegal_vectors", errors_and_illegal_vectors },
	  { "ipi_fields", ipi_fields }, { "init_sipi", init_sipi },
	  { "delivery_modes_and_destinations", delivery_modes_and_destinations },
	  { "timer_oneshot_and_divide", timer_oneshot_and_divide },
	  { "timer_periodic_and_clamp", timer_periodic_and_clamp },
	  { "tsc_deadline", tsc_deadline },
	  { "hostile_guest", hostile_guest })
