// SPDX-License-Identifier: MIT
/*
 * i8042.c: the PS/2 keyboard on the host's 8042 controller, or what the
 * firmware's USB legacy emulation (SMM) makes look like one.
 */
#include <tv/acpi.h>
#include <tv/arch.h>
#include <tv/drivers.h>
#include <tv/errno.h>
#include <tv/keys.h>
#include <tv/log.h>
#include <tv/spinlock.h>

#define PORT_DATA 0x60
#define PORT_STATUS 0x64        /* read */
#define PORT_CMD 0x64           /* write */

#define ST_OBF 0x01             /* a byte waits at PORT_DATA */
#define ST_IBF 0x02             /* the controller has not taken our last byte */
#define ST_AUX 0x20             /* the waiting byte is from port 2 */

#define CMD_READ_CONFIG 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_DISABLE_PORT2 0xa7
#define CMD_SELF_TEST 0xaa
#define CMD_DISABLE_PORT1 0xad
#define CMD_ENABLE_PORT1 0xae
#define SELF_TEST_OK 0x55

#define CFG_PORT1_IRQ 0x01
#define CFG_PORT2_IRQ 0x02
#define CFG_PORT1_CLOCK_OFF 0x10
#define CFG_PORT2_CLOCK_OFF 0x20
#define CFG_TRANSLATE 0x40      /* set 2 from the keyboard arrives as set 1 */

#define KBD_RESET 0xff
#define KBD_ENABLE 0xf4
#define KBD_ACK 0xfa
#define KBD_RESEND 0xfe
#define KBD_BAT_OK 0xaa

#define FADT_BOOT_8042 0x0002   /* IAPC_BOOT_ARCH: an 8042 or equivalent */

/* Generous: SMM emulation and old keyboards answer slowly; none of it may hang the host. */
#define CTL_TIMEOUT_NS 200000000ull
#define RESET_TIMEOUT_NS 1000000000ull

#define RING 64

static bool present;
static spinlock_t lock = SPINLOCK_INIT;
static struct kbdscan scan;
static u16 ring[RING];
static u32 head, tail;          /* under lock */

static u8 status(void)
{
	return (u8)arch_io_read(PORT_STATUS, 8);
}

static u8 data_in(void)
{
	return (u8)arch_io_read(PORT_DATA, 8);
}

static int wait_status(u8 mask, u8 want, u64 timeout_ns)
{
	u64 t0 = arch_uptime_ns();

	while ((status() & mask) != want) {
		if (arch_uptime_ns() - t0 > timeout_ns)
			return -ETIMEDOUT;
		arch_pause();
	}
	return 0;
}

static int write_port(u16 port, u8 v)
{
	int r = wait_status(ST_IBF, 0, CTL_TIMEOUT_NS);

	if (!r)
		arch_io_write(port, 8, v);
	return r;
}

/* The next byte from the controller, or -ETIMEDOUT. */
static int read_data(u64 timeout_ns)
{
	int r = wait_status(ST_OBF, ST_OBF, timeout_ns);

	return r ? r : data_in();
}

static int command(u8 cmd)
{
	return write_port(PORT_CMD, cmd);
}

static int command_arg(u8 cmd, u8 arg)
{
	int r = write_port(PORT_CMD, cmd);

	return r ? r : write_port(PORT_DATA, arg);
}

static int command_read(u8 cmd, u64 timeout_ns)
{
	int r = write_port(PORT_CMD, cmd);

	return r ? r : read_data(timeout_ns);
}

/* Drop whatever waits: keys typed during boot, answers nobody read. */
static void flush(void)
{
	for (int i = 0; i < 64 && (status() & ST_OBF); i++) {
		data_in();
		arch_pause();
	}
}

/* A command byte to the keyboard on port 1, answered by ACK; sent again on RESEND. */
static int kbd_command(u8 cmd)
{
	int r = -EIO;

	for (int tries = 0; tries < 3 && r == -EIO; tries++) {
		r = write_port(PORT_DATA, cmd);
		/* Stray key bytes can come before the answer; skip a few. */
		for (int i = 0; !r && i < 8; i++) {
			r = read_data(CTL_TIMEOUT_NS);
			if (r == KBD_ACK)
				return 0;
			r = r == KBD_RESEND ? -EIO : r < 0 ? r : 0;
		}
		if (!r)
			r = -EIO;
	}
	return r;
}

static void ring_put(int key)
{
	if (head - tail < RING) {
		ring[head % RING] = (u16)key;
		head++;
	}
}

/* Decode what waits; called with the lock held. Bounded: a stuck OBF must not wedge the CPU. */
static void drain(void)
{
	for (int i = 0; i < 32; i++) {
		u8 st = status();
		int key;

		if (!(st & ST_OBF))
			return;
		u8 b = data_in();

		if (st & ST_AUX)
			continue;       /* port 2 is off; a mouse byte from before */
		key = kbdscan_feed(&scan, b);
		if (key)
			ring_put(key);
	}
}

static void kbd_interrupt(void *arg)
{
	(void)arg;
	spin_lock(&lock);
	drain();
	spin_unlock(&lock);
}

/* An 8042 there? ACPI says so on PCs that have one; without that word, look at the port. */
static bool controller_present(void)
{
	const struct acpi_info *ai = acpi_host();

	if (ai && ai->has_fadt && !ai->hw_reduced && (ai->iapc_boot_arch & FADT_BOOT_8042))
		return true;
	/* An ISA port nobody decodes reads all ones. */
	return status() != 0xff;
}

static int controller_init(void)
{
	int cfg, r;

	if (command(CMD_DISABLE_PORT1) || command(CMD_DISABLE_PORT2))
		return -ETIMEDOUT;
	flush();
	cfg = command_read(CMD_READ_CONFIG, CTL_TIMEOUT_NS);
	if (cfg < 0)
		return cfg;
	/* No interrupts while we poll for the answers below. */
	cfg &= ~(CFG_PORT1_IRQ | CFG_PORT2_IRQ);
	if (command_arg(CMD_WRITE_CONFIG, (u8)cfg))
		return -ETIMEDOUT;
	r = command_read(CMD_SELF_TEST, CTL_TIMEOUT_NS);
	if (r < 0)
		return r;
	if (r != SELF_TEST_OK) {
		pr_warn("kbd: PS/2 controller self-test failed (%#x)\n", (unsigned)r);
		return -EIO;
	}
	/* The self-test may have reset the controller: write the whole byte again. */
	cfg = (cfg | CFG_TRANSLATE | CFG_PORT2_CLOCK_OFF) & ~CFG_PORT1_CLOCK_OFF;
	if (command_arg(CMD_WRITE_CONFIG, (u8)cfg) || command(CMD_ENABLE_PORT1))
		return -ETIMEDOUT;
	flush();
	return cfg;
}

static int keyboard_init(void)
{
	int r = kbd_command(KBD_RESET);

	if (r)
		return r;
	/* The keyboard's self-test (BAT) follows its ACK. */
	for (int i = 0; i < 8; i++) {
		r = read_data(RESET_TIMEOUT_NS);
		if (r < 0 || r == KBD_BAT_OK)
			break;
	}
	if (r != KBD_BAT_OK)
		pr_warn("kbd: keyboard reset gave no self-test result (%d)\n", r);
	return kbd_command(KBD_ENABLE);
}

int kbd_init(void)
{
	int cfg, r;

	if (!controller_present()) {
		pr_info("kbd: no PS/2 controller\n");
		return -ENODEV;
	}
	cfg = controller_init();
	if (cfg < 0) {
		pr_info("kbd: no PS/2 controller (%d)\n", cfg);
		return -ENODEV;
	}
	r = keyboard_init();
	if (r) {
		pr_info("kbd: no PS/2 keyboard answers (%d)\n", r);
		return -ENODEV;
	}
	kbdscan_init(&scan);
	present = true;
	r = arch_isa_irq_request(1, kbd_interrupt, NULL);
	if (!r)
		r = command_arg(CMD_WRITE_CONFIG, (u8)(cfg | CFG_PORT1_IRQ));
	if (r) {
		pr_warn("kbd: no interrupt for the keyboard (%d); it is polled\n", r);
		return 0;
	}
	pr_info("kbd: PS/2 keyboard on IRQ 1\n");
	return 0;
}

int kbd_getkey(void)
{
	int key = -1;

	if (!present)
		return -1;
	irqflags_t f = spin_lock_irqsave(&lock);

	/*
	 * Look at the port here too, interrupt or not: without one this is the
	 * only reader, and with one it recovers from an edge lost while the
	 * line was set up (OBF already high stays high, no new edge).
	 */
	drain();
	if (tail != head) {
		key = ring[tail % RING];
		tail++;
	}
	spin_unlock_irqrestore(&lock, f);
	return key;
}
