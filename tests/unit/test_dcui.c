// SPDX-License-Identifier: MIT
/* test_dcui.c: the direct console's screens and keys (kernel/dcui.c) against a fake host. */
#include "test.h"

#include <tv/dcui.h>
#include <tv/keys.h>
#include <tv/string.h>

static char screen[16384];
static size_t screen_len;
static struct hostcfg applied;
static unsigned applies, powered, restarted_host, attached = 99, detaches;
static struct dcui_vm vms[2];
static enum dcui_vm_op last_op;
static int last_op_vm = -1;

static void f_out(void *ctx, const char *s)
{
	size_t n = strlen(s);

	(void)ctx;
	if (screen_len + n < sizeof(screen)) {
		memcpy(screen + screen_len, s, n + 1);
		screen_len += n;
	}
}

static void f_host(void *ctx, struct dcui_host *h)
{
	(void)ctx;
	h->version = "test";
	h->cpus = 4;
	h->vm_cpus = 4;
	h->mem_mib = 1024;
	h->free_mib = 700;
	h->net.present = true;
	h->net.bound = true;
	tv_strlcpy(h->net.state, "DHCP: bound", sizeof(h->net.state));
	h->net.ip = 0x0a00020f;
	h->net.mask = 0xffffff00;
	h->net.gw = 0x0a000202;
}

static unsigned f_vm_count(void *ctx)
{
	(void)ctx;
	return 2;
}

static void f_vm_info(void *ctx, unsigned i, struct dcui_vm *v)
{
	(void)ctx;
	*v = vms[i];
}

static int f_vm_op(void *ctx, unsigned i, enum dcui_vm_op op, char *msg, size_t len)
{
	(void)ctx;
	last_op = op;
	last_op_vm = (int)i;
	snprintf(msg, len, "op %d on %u", op, i);
	return 0;
}

static int f_attach(void *ctx, unsigned i, char *msg, size_t len)
{
	(void)ctx;
	if (!vms[i].running) {
		snprintf(msg, len, "VM %s is not running", vms[i].name);
		return -1;
	}
	attached = i;
	return 0;
}

static void f_detach(void *ctx)
{
	(void)ctx;
	detaches++;
	attached = 99;
}

static void f_apply(void *ctx, const struct hostcfg *c, char *msg, size_t len)
{
	(void)ctx;
	applied = *c;
	applies++;
	snprintf(msg, len, "saved");
}

static size_t f_log_tail(void *ctx, char *buf, size_t size)
{
	static const char text[] = "partial line\nl1\nl2\nl3\n";

	(void)ctx;
	(void)size;
	memcpy(buf, text, sizeof(text) - 1);
	return sizeof(text) - 1;
}

static void f_power(void *ctx, bool restart)
{
	(void)ctx;
	if (restart)
		restarted_host++;
	else
		powered++;
}

static const struct dcui_ops ops = {
	.out = f_out, .host = f_host, .vm_count = f_vm_count, .vm_info = f_vm_info,
	.vm_op = f_vm_op, .attach = f_attach, .detach = f_detach, .apply = f_apply,
	.log_tail = f_log_tail, .power = f_power,
};

static void type(struct dcui *d, const char *s)
{
	while (*s)
		dcui_key(d, *s++);
}

static bool shows(const char *s)
{
	return strstr(screen, s) != NULL;
}

static void setup(struct dcui *d)
{
	struct hostcfg c;

	hostcfg_default(&c);
	tv_strlcpy(c.hostname, "esx01", sizeof(c.hostname));
	memset(vms, 0, sizeof(vms));
	tv_strlcpy(vms[0].name, "web", sizeof(vms[0].name));
	vms[0].state = "running";
	vms[0].running = true;
	vms[0].cpu_permille = 123;
	vms[0].mem_mib = 256;
	vms[0].granted_mib = 90;
	vms[0].shared_mib = 12;
	vms[0].zero_mib = 30;
	vms[0].balloon_mib = 8;
	vms[0].overhead_kib = 612;
	vms[0].vcpus = 1;
	tv_strlcpy(vms[1].name, "db", sizeof(vms[1].name));
	vms[1].state = "off";
	applies = 0;
	dcui_init(d, &ops, NULL, &c);
	screen_len = 0;
	screen[0] = '\0';
}

static void clear(void)
{
	screen_len = 0;
	screen[0] = '\0';
}

TEST(status_screen)
{
	struct dcui d;

	setup(&d);
	dcui_key(&d, KEY_ENTER);
	CHECK(shows("esx01"));
	CHECK(shows("vmk0 10.0.2.15 netmask 255.255.255.0 gateway 10.0.2.2 (DHCP: bound)"));
	CHECK(shows("CPUs:        4"));
	CHECK(shows("1024 MiB, 700 MiB free"));
	CHECK(shows("web"));
	CHECK(shows("12.3% CPU"));
	CHECK(shows("90 of 256 MiB backed (shared 12, zero 30, balloon 8), overhead 612 KiB"));
	CHECK(shows("db"));
}

TEST(configure_hostname)
{
	struct dcui d;

	setup(&d);
	dcui_key(&d, KEY_F2);
	CHECK(shows("Configure management network"));
	CHECK_EQ(d.screen, DCUI_CONFIG);
	dcui_key(&d, '1');
	CHECK_EQ(d.screen, DCUI_PROMPT);
	/* The old name is offered: erase it, then a bad name. */
	for (int i = 0; i < 5; i++)
		dcui_key(&d, KEY_BACKSPACE);
	clear();
	type(&d, "bad_name");
	dcui_key(&d, KEY_ENTER);
	CHECK(shows("Rejected: a hostname has only letters, digits and '-'"));
	CHECK_EQ(applies, 0);
	CHECK_STR(d.cfg.hostname, "esx01");
	/* Too long. */
	dcui_key(&d, '1');
	for (int i = 0; i < 5; i++)
		dcui_key(&d, KEY_BACKSPACE);
	for (int i = 0; i < 64; i++)
		dcui_key(&d, 'a');
	dcui_key(&d, KEY_ENTER);
	CHECK(shows("longer than 63"));
	CHECK_EQ(applies, 0);
	/* Esc cancels. */
	dcui_key(&d, '1');
	dcui_key(&d, 'x');
	dcui_key(&d, KEY_ESC);
	CHECK_EQ(d.screen, DCUI_CONFIG);
	CHECK_EQ(applies, 0);
	/* A good one. */
	dcui_key(&d, '1');
	for (int i = 0; i < 5; i++)
		dcui_key(&d, KEY_BACKSPACE);
	type(&d, "esx42");
	clear();
	dcui_key(&d, KEY_ENTER);
	CHECK(shows("Applied: saved"));
	CHECK_EQ(applies, 1);
	CHECK_STR(applied.hostname, "esx42");
	CHECK(shows("<1> Hostname      esx42"));
}

TEST(configure_static)
{
	struct dcui d;

	setup(&d);
	type(&d, "c2");
	for (int i = 0; i < 4; i++)
		dcui_key(&d, KEY_BACKSPACE);        /* "dhcp" */
	type(&d, "192.168.7.2");                    /* no prefix */
	dcui_key(&d, KEY_ENTER);
	CHECK(shows("Rejected: give the prefix length"));
	type(&d, "2");
	for (int i = 0; i < 4; i++)
		dcui_key(&d, KEY_BACKSPACE);
	type(&d, "192.168.7.300/24");
	dcui_key(&d, KEY_ENTER);
	CHECK(shows("Rejected: an address part is over 255"));
	CHECK_EQ(applies, 0);
	type(&d, "2");
	for (int i = 0; i < 4; i++)
		dcui_key(&d, KEY_BACKSPACE);
	type(&d, "192.168.7.2/24");
	dcui_key(&d, KEY_ENTER);
	CHECK_EQ(d.screen, DCUI_PROMPT);            /* the gateway next */
	clear();
	type(&d, "10.1.1.1");
	dcui_key(&d, KEY_ENTER);
	CHECK(shows("Rejected: the gateway is not in the address's subnet"));
	CHECK_EQ(applies, 0);
	CHECK(d.cfg.dhcp);
	type(&d, "2");
	dcui_key(&d, KEY_ENTER);                    /* the offered DHCP... */
	CHECK_EQ(applies, 1);                       /* ...applies as it stands */
	type(&d, "2");
	for (int i = 0; i < 4; i++)
		dcui_key(&d, KEY_BACKSPACE);
	type(&d, "192.168.7.2/24");
	dcui_key(&d, KEY_ENTER);
	type(&d, "192.168.7.1");
	clear();
	dcui_key(&d, KEY_ENTER);
	CHECK_EQ(applies, 2);
	CHECK(!applied.dhcp);
	CHECK_EQ(applied.ip, 0xc0a80702);
	CHECK_EQ(applied.mask, 0xffffff00);
	CHECK_EQ(applied.gw, 0xc0a80701);
	CHECK(shows("static 192.168.7.2/24, gateway 192.168.7.1"));
	/* DNS */
	type(&d, "3");
	type(&d, "1.1.1.1,bad");
	dcui_key(&d, KEY_ENTER);
	CHECK(shows("Rejected"));
	CHECK_EQ(applies, 2);
	type(&d, "3");
	type(&d, "1.1.1.1");
	dcui_key(&d, KEY_ENTER);
	CHECK_EQ(applies, 3);
	CHECK_EQ(applied.dns[0], 0x01010101);
	CHECK_EQ(applied.ip, 0xc0a80702);           /* kept */
	dcui_key(&d, KEY_ESC);
	CHECK_EQ(d.screen, DCUI_STATUS);
}

TEST(vm_screen)
{
	struct dcui d;

	setup(&d);
	dcui_key(&d, 'v');
	CHECK(shows("> 1 web"));
	dcui_key(&d, KEY_DOWN);
	CHECK(shows("> 2 db"));
	clear();
	dcui_key(&d, 'a');                          /* db is off */
	CHECK(shows("VM db is not running"));
	CHECK_EQ(d.screen, DCUI_VMS);
	dcui_key(&d, 's');
	CHECK_EQ(last_op, DCUI_VM_START);
	CHECK_EQ(last_op_vm, 1);
	dcui_key(&d, '1');
	last_op_vm = -1;
	dcui_key(&d, 't');
	CHECK_EQ(d.screen, DCUI_CONFIRM);
	dcui_key(&d, 'n');
	CHECK_EQ(last_op_vm, -1);
	dcui_key(&d, 't');
	dcui_key(&d, 'y');
	CHECK_EQ(last_op, DCUI_VM_STOP);
	CHECK_EQ(last_op_vm, 0);
	dcui_key(&d, 'r');
	dcui_key(&d, 'y');
	CHECK_EQ(last_op, DCUI_VM_RESTART);
	dcui_key(&d, 'a');
	CHECK_EQ(d.screen, DCUI_ATTACHED);
	CHECK_EQ(attached, 0);
	dcui_key(&d, 'q');                          /* goes to the VM, not here */
	CHECK_EQ(d.screen, DCUI_ATTACHED);
	dcui_key(&d, KEY_CTRL_RBRACKET);
	CHECK_EQ(detaches, 1);
	CHECK_EQ(d.screen, DCUI_VMS);
	dcui_key(&d, 'q');
	CHECK_EQ(d.screen, DCUI_STATUS);
}

TEST(log_and_power)
{
	struct dcui d;

	setup(&d);
	dcui_key(&d, 'l');
	CHECK(shows("l1\nl2\nl3\n"));
	dcui_key(&d, KEY_ESC);
	dcui_key(&d, KEY_F12);
	CHECK_EQ(d.screen, DCUI_POWER);
	dcui_key(&d, 's');
	dcui_key(&d, 'n');
	CHECK_EQ(powered, 0);
	CHECK_EQ(d.screen, DCUI_POWER);
	dcui_key(&d, 'r');
	dcui_key(&d, 'y');
	CHECK_EQ(restarted_host, 1);
	dcui_key(&d, 'x');
	dcui_key(&d, KEY_F2);
	dcui_key(&d, 'y');
	CHECK_EQ(powered, 1);
}

TEST_MAIN({ "status_screen", status_screen }, { "configure_hostname", configure_hostname },
	  { "configure_static", configure_static }, { "vm_screen", vm_screen },
	  { "log_and_power", log_and_power })
