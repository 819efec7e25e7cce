// SPDX-License-Identifier: MIT
/* test_vuart.c: the emulated 16550A (vmm/dev/uart16550.c), driven like Linux's 8250 driver does. */
#include "vdev_testlib.h"

#include <tv/errno.h>
#include <tv/vdev/uart16550.h>

#define GSI 4

#define RX 0
#define TX 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define EFR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI 0x08
#define IIR_NO_INT 0x01
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static struct uart16550 u;
static u8 txbuf[8192];
static size_t ntx;

static void tx_cb(void *ctx, u8 b)
{
	CHECK(ctx == &fh);
	if (ntx < sizeof(txbuf))
		txbuf[ntx++] = b;
}

static void setup(void)
{
	fh_reset(1000);
	ntx = 0;
	uart16550_init(&u, &fh_host, GSI, tx_cb);
}

static u8 in(unsigned off)
{
	u64 v = 0x1234;

	CHECK_EQ(uart16550_read(&u, off, 1, &v), 0);
	CHECK(v <= 0xff);
	return (u8)v;
}

static void out(unsigned off, u8 v)
{
	CHECK_EQ(uart16550_write(&u, off, 1, v), 0);
}

static bool line(void)
{
	return fh.line[GSI];
}

/* ---- Linux 6.1 8250_port.c autoconfig(), as the port accesses it makes ---- */

/* size_fifo(): loopback at the fastest divisor, 256 bytes out, count what comes back. */
static int linux_size_fifo(void)
{
	u8 old_lcr = in(LCR), old_fcr, old_mcr, old_dll, old_dlm;
	int count;

	out(LCR, 0);
	old_fcr = in(FCR);              /* really reads IIR */
	old_mcr = in(MCR);
	out(FCR, 0x07);
	out(MCR, MCR_LOOP);
	out(LCR, 0x80);
	old_dll = in(DLL);
	old_dlm = in(DLM);
	out(DLL, 1);
	out(DLM, 0);
	out(LCR, 0x03);
	for (count = 0; count < 256; count++)
		out(TX, (u8)count);
	for (count = 0; (in(LSR) & LSR_DR) && count < 256; count++)
		CHECK_EQ(in(RX), count);        /* the first 16 bytes, in order */
	out(FCR, old_fcr);
	out(MCR, old_mcr);
	out(LCR, 0x80);
	out(DLL, old_dll);
	out(DLM, old_dlm);
	out(LCR, old_lcr);
	return count;
}

/* autoconfig_16550a() with the variant probes (CONFIG_SERIAL_8250_16550A_VARIANTS / UPF_FULL_PROBE). */
static const char *linux_autoconfig_16550a(void)
{
	u8 status1, status2, iersave;

	out(LCR, 0x80);                 /* UART_LCR_CONF_MODE_A */
	if (in(EFR) == 0) {
		out(EFR, 0xa8);
		return in(EFR) != 0 ? "ST16650" : "16550A_FSL64/Motorola";
	}
	out(LCR, 0xbf);                 /* UART_LCR_CONF_MODE_B */
	if (in(EFR) == 0)
		return "EFRv2";
	/* National Semiconductor SuperIO: EXCR1 at bank 2 mirrors MCR LOOP */
	out(LCR, 0);
	status1 = in(MCR);
	out(LCR, 0xe0);
	status2 = in(2);
	if (!((status2 ^ status1) & MCR_LOOP)) {
		out(LCR, 0);
		out(MCR, status1 ^ MCR_LOOP);
		out(LCR, 0xe0);
		status2 = in(2);
		out(LCR, 0);
		out(MCR, status1);
		if ((status2 ^ status1) & MCR_LOOP)
			return "NS16550A";
	}
	/* TI16750: 64-byte FIFO bit visible in IIR only with DLAB set */
	out(LCR, 0);
	out(FCR, 0x21);
	status1 = in(IIR) & 0xe0;
	out(FCR, 0x01);
	out(LCR, 0x80);
	out(FCR, 0x21);
	status2 = in(IIR) & 0xe0;
	out(FCR, 0x01);
	out(LCR, 0);
	if (status1 == 0xc0 && status2 == 0xe0)
		return "TI16750";
	/* XScale: IER bit 6 (UUE) sticks */
	iersave = in(IER);
	out(IER, iersave & ~0x40);
	if (!(in(IER) & 0x40)) {
		out(IER, iersave | 0x40);
		if (in(IER) & 0x40)
			return "XScale";
	}
	out(IER, iersave);
	if (linux_size_fifo() == 64)
		return "U6_16550A";
	return "16550A";
}

static const char *linux_autoconfig(bool skip_test)
{
	u8 scratch, scratch2, scratch3, save_mcr, save_lcr, status1;
	const char *type;

	scratch = in(IER);
	out(IER, 0);
	scratch2 = in(IER) & 0x0f;
	out(IER, 0x0f);
	scratch3 = in(IER) & 0x0f;
	out(IER, scratch);
	if (scratch2 != 0 || scratch3 != 0x0f)
		return "none: IER test";
	save_mcr = in(MCR);
	save_lcr = in(LCR);
	if (!skip_test) {
		out(MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS);
		status1 = in(MSR) & 0xf0;
		out(MCR, save_mcr);
		if (status1 != 0x90)
			return "none: loop test";
	}
	out(LCR, 0xbf);
	out(EFR, 0);
	out(LCR, 0);
	out(FCR, 0x01);
	switch (in(IIR) & 0xc0) {
	case 0x00:
		type = "8250/16450";
		break;
	case 0x80:
		type = "16550";
		break;
	case 0xc0:
		type = linux_autoconfig_16550a();
		break;
	default:
		type = "unknown";
		break;
	}
	out(LCR, save_lcr);
	/* reset the UART: MCR, serial8250_clear_fifos, read RX, clear IER */
	out(MCR, save_mcr);
	out(FCR, 0x01);
	out(FCR, 0x07);
	out(FCR, 0x00);
	in(RX);
	out(IER, 0);
	return type;
}

/* serial8250_do_startup(): returns a description of the bugs it would set ("" = none). */
static const char *linux_startup(void)
{
	static char bugs[64];
	u8 iir1, iir, lsr;

	bugs[0] = 0;
	out(FCR, 0x01);
	out(FCR, 0x07);
	out(FCR, 0x00);
	in(LSR);
	in(RX);
	in(IIR);
	in(MSR);
	if (in(LSR) == 0xff)
		return "LSR safety check";
	/* THRE re-assertion test (port->irq set) */
	CHECK(in(LSR) & LSR_THRE);
	out(IER, IER_THRI);
	iir1 = in(IIR);
	out(IER, 0);
	out(IER, IER_THRI);
	iir = in(IIR);
	out(IER, 0);
	if (!(iir1 & IIR_NO_INT) && (iir & IIR_NO_INT))
		strcat(bugs, "THRE ");
	out(LCR, 0x03);
	out(MCR, MCR_OUT2 | MCR_DTR | MCR_RTS);
	/* TX enable test */
	out(IER, IER_THRI);
	lsr = in(LSR);
	iir = in(IIR);
	out(IER, 0);
	if ((lsr & LSR_TEMT) && (iir & IIR_NO_INT))
		strcat(bugs, "TXEN ");
	in(LSR);
	in(RX);
	in(IIR);
	in(MSR);
	/* set_termios at 115200 8N1, FIFO with an 8-byte trigger, then RX interrupts */
	out(LCR, 0x83);
	out(DLL, 1);
	out(DLM, 0);
	out(LCR, 0x03);
	out(FCR, 0x01);
	out(FCR, 0x81);
	out(IER, IER_RLSI | IER_RDI);
	return bugs;
}

TEST(autoconfig_finds_16550a)
{
	setup();
	CHECK_STR(linux_autoconfig(false), "16550A");
	CHECK_EQ(ntx, 0);               /* loopback bytes never reach the host */
	CHECK(!line());
	CHECK_STR(linux_autoconfig(true), "16550A");
	CHECK_STR(linux_startup(), "");
	CHECK(!line());
	CHECK_EQ(in(IIR), 0xc1);        /* FIFOs on, nothing pending */
	CHECK_EQ(in(LSR), LSR_THRE | LSR_TEMT);
	CHECK_EQ(ntx, 0);
	/* The console writes one byte at a time, polling THRE. */
	for (const char *s = "Linux version"; *s; s++) {
		CHECK(in(LSR) & LSR_THRE);
		out(TX, (u8)*s);
	}
	CHECK_EQ(ntx, 13);
	CHECK(!memcmp(txbuf, "Linux version", 13));
}

/* A Linux-like interrupt handler: RX into buf, TX from the pending string. */
static char guest_rx[256];
static size_t guest_nrx;
static const char *guest_tx;
static u8 guest_ier;

static int linux_isr(void)
{
	int passes = 0;
	u8 iir, lsr;

	while (!((iir = in(IIR)) & IIR_NO_INT) && passes++ < 512) {
		lsr = in(LSR);
		while ((lsr & LSR_DR) && guest_nrx < sizeof(guest_rx)) {
			guest_rx[guest_nrx++] = (char)in(RX);
			lsr = in(LSR);
		}
		if ((lsr & LSR_THRE) && (guest_ier & IER_THRI)) {
			for (int n = 0; n < 16 && guest_tx && *guest_tx; n++)
				out(TX, (u8)*guest_tx++);
			if (!guest_tx || !*guest_tx) {
				guest_ier &= ~IER_THRI;
				out(IER, guest_ier);
			}
		}
	}
	return passes;
}

TEST(interrupt_driven_io)
{
	long edges;

	setup();
	linux_autoconfig(true);
	linux_startup();
	guest_ier = IER_RLSI | IER_RDI;
	guest_nrx = 0;
	/* Host types: below the trigger level it still interrupts (timeout). */
	for (const char *s = "ls\n"; *s; s++)
		CHECK(uart16550_rx(&u, (u8)*s));
	CHECK(line());
	CHECK_EQ(in(IIR), 0xcc);
	linux_isr();
	CHECK(!line());
	CHECK_EQ(guest_nrx, 3);
	CHECK(!memcmp(guest_rx, "ls\n", 3));
	/* Guest writes 100 bytes: start_tx sets THRI, the ISR refills 16 at a time. */
	guest_tx = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789abcdefghijklmnopqrstuvwxyz..";
	edges = fh.rising[GSI];
	guest_ier |= IER_THRI;
	out(IER, guest_ier);
	CHECK(line());
	CHECK_EQ(fh.rising[GSI], edges + 1);
	for (int i = 0; i < 20 && line(); i++)
		linux_isr();
	CHECK(!line());
	CHECK_EQ(ntx, 100);
	CHECK(!memcmp(txbuf, "0123456789abcdefghij", 20));
	CHECK_EQ(in(IER), IER_RLSI | IER_RDI);
}

TEST(thre_interrupt_rules)
{
	setup();
	out(MCR, MCR_OUT2);
	CHECK_EQ(in(IIR), 0x01);
	out(IER, IER_THRI);             /* enabling while THR empty raises THRE */
	CHECK(line());
	CHECK_EQ(in(LSR), LSR_THRE | LSR_TEMT);
	CHECK(line());                  /* LSR does not acknowledge it */
	CHECK_EQ(in(IIR), 0x02);        /* IIR reporting THRE acknowledges it */
	CHECK(!line());
	CHECK_EQ(in(IIR), 0x01);
	out(IER, IER_THRI | IER_RDI);   /* still enabled: no new THRE */
	CHECK(!line());
	out(TX, 'x');                   /* each THR write: empty again at once */
	CHECK(line());
	CHECK_EQ(ntx, 1);
	CHECK_EQ(txbuf[0], 'x');
	out(IER, 0);                    /* disabling drops it */
	CHECK(!line());
	CHECK_EQ(in(IIR), 0x01);
	out(IER, IER_THRI);
	CHECK(line());
	/* Higher priority sources hide THRE; IIR then does not acknowledge it. */
	out(IER, IER_THRI | IER_RDI);
	out(IER, IER_THRI);
	uart16550_rx(&u, 'a');
	out(IER, IER_THRI | IER_RDI);
	CHECK_EQ(in(IIR), 0x04);
	CHECK_EQ(in(RX), 'a');
	CHECK_EQ(in(IIR), 0x02);
	CHECK_EQ(in(IIR), 0x01);
	/* Without OUT2 the PC's interrupt buffer is off: IIR pends, the line stays low. */
	out(MCR, 0);
	out(TX, 'y');
	CHECK_EQ(in(IIR) & 0x0f, 0x02);
	out(TX, 'z');
	CHECK(!line());
	out(MCR, MCR_OUT2);
	CHECK(line());
	out(MCR, MCR_OUT2 | MCR_LOOP);  /* loopback also cuts it */
	CHECK(!line());
	CHECK_EQ(fh.bad_calls, 0);
}

TEST(rx_fifo_trigger_levels)
{
	static const u8 fcr[4] = { 0x01, 0x41, 0x81, 0xc1 };
	static const unsigned trig[4] = { 1, 4, 8, 14 };

	for (int i = 0; i < 4; i++) {
		setup();
		out(MCR, MCR_OUT2);
		out(FCR, fcr[i]);
		out(IER, IER_RDI);
		CHECK(!line());
		for (unsigned n = 1; n <= 16; n++) {
			CHECK(uart16550_rx(&u, (u8)n));
			CHECK(line());
			CHECK_EQ(in(IIR), n >= trig[i] ? 0xc4 : 0xcc);
		}
		CHECK_EQ(uart16550_rx_space(&u), 0);
		for (unsigned n = 1; n <= 16; n++) {
			CHECK_EQ(in(RX), n);
			CHECK_EQ(line(), n < 16);
		}
		CHECK_EQ(in(IIR), 0xc1);
		CHECK_EQ(in(LSR), LSR_THRE | LSR_TEMT);
		CHECK_EQ(uart16550_rx_space(&u), 16);
	}
}

TEST(rx_overrun)
{
	setup();
	out(MCR, MCR_OUT2);
	out(FCR, 0xc7);
	out(IER, IER_RDI | IER_RLSI);
	for (int n = 0; n < 16; n++)
		CHECK(uart16550_rx(&u, (u8)('a' + n)));
	CHECK(!uart16550_rx(&u, 'X'));  /* the 17th is lost */
	CHECK_EQ(in(IIR), 0xc6);        /* line status beats data */
	CHECK_EQ(in(LSR), LSR_THRE | LSR_TEMT | LSR_DR | LSR_OE);
	CHECK_EQ(in(LSR), LSR_THRE | LSR_TEMT | LSR_DR);    /* OE cleared by reading */
	CHECK_EQ(in(IIR), 0xc4);
	for (int n = 0; n < 16; n++)
		CHECK_EQ(in(RX), 'a' + n);
	CHECK(!line());
	CHECK_EQ(in(RX), 'a' + 15);     /* empty FIFO: RBR keeps the last byte */

	/* Non-FIFO mode: a one-byte holding register, overwritten on overrun. */
	out(FCR, 0);
	CHECK_EQ(in(IIR), 0x01);
	CHECK_EQ(uart16550_rx_space(&u), 1);
	CHECK(uart16550_rx(&u, '1'));
	CHECK_EQ(uart16550_rx_space(&u), 0);
	CHECK_EQ(in(IIR), 0x04);
	CHECK(!uart16550_rx(&u, '2'));
	CHECK_EQ(in(IIR), 0x06);
	CHECK_EQ(in(LSR) & (LSR_OE | LSR_DR), LSR_OE | LSR_DR);
	CHECK_EQ(in(RX), '2');
	CHECK_EQ(in(LSR) & LSR_DR, 0);

	/* FCR clears: explicit RX clear and any FIFO mode switch. */
	out(FCR, 0x01);
	uart16550_rx(&u, 'q');
	out(FCR, 0x03);
	CHECK_EQ(in(LSR) & LSR_DR, 0);
	uart16550_rx(&u, 'q');
	out(FCR, 0x00);
	CHECK_EQ(in(LSR) & LSR_DR, 0);
}

TEST(rx_fifo_order_long_run)
{
	unsigned sent = 0, got = 0;

	setup();
	out(FCR, 0x01);
	for (int round = 0; round < 300; round++) {
		unsigned burst = (unsigned)(fh_rand() % 17), drain = (unsigned)(fh_rand() % 17);

		for (unsigned i = 0; i < burst && uart16550_rx_space(&u); i++)
			CHECK(uart16550_rx(&u, (u8)sent++));
		for (unsigned i = 0; i < drain && (in(LSR) & LSR_DR); i++)
			CHECK_EQ(in(RX), (u8)got++);
	}
	while (in(LSR) & LSR_DR)
		CHECK_EQ(in(RX), (u8)got++);
	CHECK_EQ(sent, got);
	CHECK(sent > 1000);
	CHECK_EQ(in(LSR) & LSR_OE, 0);
}

TEST(loopback)
{
	setup();
	out(FCR, 0x01);
	CHECK_EQ(in(MSR), 0xb0);        /* CTS DSR DCD, no deltas */
	out(MCR, MCR_LOOP);
	CHECK_EQ(in(MSR), 0x0b);        /* all inputs dropped: DCTS DDSR DDCD */
	out(MCR, MCR_LOOP | MCR_DTR);
	CHECK_EQ(in(MSR), 0x22);
	out(MCR, MCR_LOOP | MCR_RTS);
	CHECK_EQ(in(MSR), 0x13);
	out(MCR, MCR_LOOP | MCR_OUT1);
	CHECK_EQ(in(MSR), 0x41);
	out(MCR, MCR_LOOP | MCR_OUT2);
	CHECK_EQ(in(MSR), 0x8c);        /* DCD rose, RI fell: DDCD, TERI */
	CHECK_EQ(in(MSR), 0x80);        /* deltas cleared by reading */
	out(MCR, MCR_LOOP | 0x0f);
	CHECK_EQ(in(MSR) & 0xf0, 0xf0);
	CHECK_EQ(in(MCR), MCR_LOOP | 0x0f);
	/* TX comes back as RX; the host sees nothing and cannot send. */
	out(TX, 'L');
	out(TX, 'B');
	CHECK_EQ(ntx, 0);
	CHECK(!uart16550_rx(&u, 'h'));
	CHECK_EQ(uart16550_rx_space(&u), 0);
	out(IER, IER_RDI);
	CHECK_EQ(in(IIR), 0xc4);
	CHECK(!line());                 /* no interrupt output in loopback */
	CHECK_EQ(in(RX), 'L');
	CHECK_EQ(in(RX), 'B');
	out(MCR, MCR_OUT2);
	CHECK_EQ(in(MSR), 0xb4);        /* RI fell again: TERI */
	out(TX, 'o');                   /* LCR 0 (5-bit words): bytes still pass whole */
	CHECK_EQ(ntx, 1);
	CHECK_EQ(txbuf[0], 'o');
	CHECK(uart16550_rx(&u, 'i'));
}

TEST(modem_status_interrupt)
{
	setup();
	out(IER, IER_MSI);
	CHECK_EQ(in(IIR), 0x01);
	out(MCR, MCR_LOOP);             /* inputs change: deltas */
	CHECK_EQ(in(IIR), 0x00);        /* modem status: the lowest-priority source */
	in(MSR);
	CHECK_EQ(in(IIR), 0x01);
}

TEST(divisor_latch_and_scratch)
{
	setup();
	out(IER, 0x05);
	out(LCR, 0x83);
	CHECK_EQ(in(DLL), 1);
	out(DLL, 0x0c);
	out(DLM, 0x00);
	CHECK_EQ(in(DLL), 0x0c);
	CHECK_EQ(in(DLM), 0x00);
	CHECK_EQ(ntx, 0);               /* DLL writes are not transmitted */
	out(LCR, 0x03);
	CHECK_EQ(in(IER), 0x05);
	CHECK_EQ(in(LCR), 0x03);
	out(SCR, 0xa5);
	CHECK_EQ(in(SCR), 0xa5);
	out(SCR, 0x5a);
	CHECK_EQ(in(SCR), 0x5a);
	out(IER, 0xff);
	CHECK_EQ(in(IER), 0x0f);        /* bits 4-7 read 0 (not an XScale) */
	out(MCR, 0xff);
	CHECK_EQ(in(MCR), 0x1f);
}

TEST(bad_accesses)
{
	u64 v;

	setup();
	CHECK_EQ(uart16550_read(&u, 0, 2, &v), -EOPNOTSUPP);
	CHECK_EQ(v, ~0ull);
	CHECK_EQ(uart16550_read(&u, 0, 4, &v), -EOPNOTSUPP);
	CHECK_EQ(uart16550_write(&u, 0, 4, 0x41414141), -EOPNOTSUPP);
	CHECK_EQ(uart16550_write(&u, 0, 0, 0), -EOPNOTSUPP);
	CHECK_EQ(uart16550_read(&u, 8, 1, &v), -EINVAL);
	CHECK_EQ(uart16550_write(&u, ~0ull, 1, 0), -EINVAL);
	CHECK_EQ(ntx, 0);
}

TEST(hostile_guest)
{
	setup();
	for (int i = 0; i < 200000; i++) {
		u64 r = fh_rand(), v;
		unsigned off = (unsigned)(r & 7);

		if (r & 8)
			uart16550_write(&u, off, 1, r >> 8);
		else
			uart16550_read(&u, off, 1, &v);
		if ((r >> 40) % 7 == 0)
			uart16550_rx(&u, (u8)(r >> 16));
		CHECK(u.rx_count <= UART16550_FIFO);
		CHECK(u.rx_head < UART16550_FIFO);
		CHECK(uart16550_rx_space(&u) <= UART16550_FIFO);
		CHECK_EQ(fh.line[GSI], u.irq_level);
		if (test_failures)
			break;
	}
	CHECK_EQ(fh.bad_calls, 0);
	uart16550_reset(&u);
	CHECK(!line());
	CHECK_EQ(in(IIR), 0x01);
	CHECK_EQ(in(LSR), LSR_THRE | LSR_TEMT);
	CHECK_EQ(in(IER), 0);
	CHECK_EQ(in(MCR), 0);
}

TEST_MAIN({ "autoconfig_finds_16550a", autoconfig_finds_16550a },
	  { "interrupt_driven_io", interrupt_driven_io },
	  { "thre_interrupt_rules", thre_interrupt_rules },
	  { "rx_fifo_trigger_levels", rx_fifo_trigger_levels },
	  { "rx_overrun", rx_overrun },
	  { "rx_fifo_order_long_run", rx_fifo_order_long_run },
	  { "loopback", loopback },
	  { "modem_status_interrupt", modem_status_interrupt },
	  { "divisor_latch_and_scratch", divisor_latch_and_scratch },
	  { "bad_accesses", bad_accesses },
	  { "hostile_guest", hostile_guest })
