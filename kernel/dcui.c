// SPDX-License-Identifier: MIT
/*
 * dcui.c: the direct console's screens and keys (tv/dcui.h). Pure: the
 * host side supplies facts and actions through ops. A rejected input says
 * why and leaves the settings as they were.
 */
#include <tv/dcui.h>
#include <tv/keys.h>
#include <tv/printf.h>
#include <tv/string.h>

#define LOG_LINES 20

static void out(struct dcui *d, const char *fmt, ...) __printf(2, 3);
static void out(struct dcui *d, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->ops->out(d->ctx, buf);
}

static void rule(struct dcui *d, const char *title)
{
	out(d, "\n==== %s ====\n", title);
}

/* "static 192.168.7.2/24, gateway 192.168.7.1" or "DHCP" for the configured side. */
static void fmt_cfg_addr(const struct hostcfg *c, char *buf, size_t size)
{
	char ip[16], gw[16];

	if (c->dhcp) {
		tv_strlcpy(buf, "DHCP", size);
		return;
	}
	snprintf(buf, size, "static %s/%u, gateway %s", hostcfg_fmt_ip(c->ip, ip),
		 hostcfg_prefix_len(c->mask), c->gw ? hostcfg_fmt_ip(c->gw, gw) : "none");
}

static void fmt_dns(const u32 dns[2], char *buf, size_t size)
{
	char a[16], b[16];

	if (!dns[0])
		tv_strlcpy(buf, "none", size);
	else if (!dns[1])
		tv_strlcpy(buf, hostcfg_fmt_ip(dns[0], a), size);
	else
		snprintf(buf, size, "%s, %s", hostcfg_fmt_ip(dns[0], a), hostcfg_fmt_ip(dns[1], b));
}

static void show_status(struct dcui *d)
{
	struct dcui_host h;
	char ip[16], mask[16], gw[16], dns[40];
	unsigned n = d->ops->vm_count(d->ctx);

	memset(&h, 0, sizeof(h));
	d->ops->host(d->ctx, &h);
	rule(d, "thinvisor direct console");
	out(d, "  Host:        %s (thinvisor %s)\n", d->cfg.hostname, h.version);
	if (!h.net.present)
		out(d, "  Management:  %s\n", h.net.state);
	else if (h.net.bound)
		out(d, "  Management:  vmk0 %s netmask %s gateway %s (%s)\n",
		    hostcfg_fmt_ip(h.net.ip, ip), hostcfg_fmt_ip(h.net.mask, mask),
		    h.net.gw ? hostcfg_fmt_ip(h.net.gw, gw) : "none", h.net.state);
	else
		out(d, "  Management:  vmk0 no address (%s)\n", h.net.state);
	if (h.net.present) {
		fmt_dns(h.net.dns, dns, sizeof(dns));
		out(d, "  DNS:         %s   MAC %02x:%02x:%02x:%02x:%02x:%02x\n", dns, h.net.mac[0],
		    h.net.mac[1], h.net.mac[2], h.net.mac[3], h.net.mac[4], h.net.mac[5]);
	}
	out(d, "  CPUs:        %u (%u run VMs)   Memory: %llu MiB, %llu MiB free\n", h.cpus,
	    h.vm_cpus, (unsigned long long)h.mem_mib, (unsigned long long)h.free_mib);
	out(d, "  VMs:         %u\n", n);
	for (unsigned i = 0; i < n; i++) {
		struct dcui_vm v;

		memset(&v, 0, sizeof(v));
		d->ops->vm_info(d->ctx, i, &v);
		if (v.running)
			out(d, "    %2u %-20s %-12s %3u.%u%% CPU  %u vCPU  %u of %u MiB backed (shared %u, "
			    "zero %u, balloon %u), overhead %u KiB\n", i + 1, v.name, v.state,
			    v.cpu_permille / 10, v.cpu_permille % 10, v.vcpus, v.granted_mib, v.mem_mib,
			    v.shared_mib, v.zero_mib, v.balloon_mib, v.overhead_kib);
		else
			out(d, "    %2u %-20s %s\n", i + 1, v.name, v.state);
	}
	out(d, "  <F2/c> Configure  <v> VMs  <l> Log  <F12/x> Shut down/restart  <Enter> Refresh\n");
}

static void show_config(struct dcui *d)
{
	struct dcui_host h;
	char addr[64], dns[40];

	memset(&h, 0, sizeof(h));
	d->ops->host(d->ctx, &h);
	fmt_cfg_addr(&d->cfg, addr, sizeof(addr));
	fmt_dns(d->cfg.dns, dns, sizeof(dns));
	rule(d, "Configure management network");
	out(d, "  <1> Hostname      %s\n", d->cfg.hostname);
	out(d, "  <2> IPv4          %s\n", addr);
	out(d, "  <3> DNS servers   %s\n", dns);
	if (h.save_why)
		out(d, "  Changes apply at once but are NOT saved: %s\n", h.save_why);
	else
		out(d, "  Changes apply at once and are saved.\n");
	out(d, "  <Esc/q> Back\n");
}

static void show_vms(struct dcui *d)
{
	unsigned n = d->ops->vm_count(d->ctx);

	rule(d, "Virtual machines");
	if (!n)
		out(d, "  (no VM configs on the stick)\n");
	for (unsigned i = 0; i < n; i++) {
		struct dcui_vm v;

		memset(&v, 0, sizeof(v));
		d->ops->vm_info(d->ctx, i, &v);
		out(d, "  %c%2u %-20s %s\n", i == d->sel ? '>' : ' ', i + 1, v.name, v.state);
	}
	out(d, "  <1-9/Up/Down> Select  <s> Start  <t> Stop  <r> Restart  "
	       "<a> Attach console (Ctrl-] detaches)  <Esc/q> Back\n");
}

static void show_log(struct dcui *d)
{
	static char buf[4096];
	size_t n = d->ops->log_tail(d->ctx, buf, sizeof(buf) - 1);
	unsigned lines = 0;
	size_t start = n;

	/* Back up over the newest LOG_LINES complete lines. */
	while (start > 0 && lines <= LOG_LINES)
		if (buf[--start] == '\n')
			lines++;
	if (lines > LOG_LINES)
		start++;
	buf[n] = '\0';
	rule(d, "Log (newest lines)");
	d->ops->out(d->ctx, buf + start);
	out(d, "  <Enter> Refresh  <Esc/q> Back\n");
}

static void show_power(struct dcui *d)
{
	rule(d, "Shut down or restart the host");
	out(d, "  Running VMs are powered off without warning.\n");
	out(d, "  <s/F2> Shut down  <r/F11> Restart  <Esc/q> Cancel\n");
}

void dcui_redraw(struct dcui *d)
{
	switch (d->screen) {
	case DCUI_STATUS: show_status(d); break;
	case DCUI_CONFIG: show_config(d); break;
	case DCUI_VMS: show_vms(d); break;
	case DCUI_LOG: show_log(d); break;
	case DCUI_POWER: show_power(d); break;
	default: break;
	}
}

static void go(struct dcui *d, enum dcui_screen s)
{
	d->screen = s;
	dcui_redraw(d);
}

void dcui_init(struct dcui *d, const struct dcui_ops *ops, void *ctx, const struct hostcfg *cfg)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->ctx = ctx;
	d->cfg = *cfg;
	d->screen = DCUI_STATUS;
}

static void prompt(struct dcui *d, enum dcui_field f, const char *text, const char *initial)
{
	d->back = d->screen;
	d->screen = DCUI_PROMPT;
	d->field = f;
	d->len = (unsigned)tv_strlcpy(d->line, initial, sizeof(d->line));
	if (d->len > DCUI_LINE_MAX)
		d->len = DCUI_LINE_MAX;
	out(d, "%s: %s", text, d->line);
}

static void confirm(struct dcui *d, enum dcui_action a, const char *question)
{
	d->back = d->screen;
	d->screen = DCUI_CONFIRM;
	d->action = a;
	out(d, "%s <y/n> ", question);
}

/* A checked configuration goes into use; a bad one is refused with its reason. */
static void commit(struct dcui *d, const struct hostcfg *c)
{
	const char *why = hostcfg_check(c);
	char msg[128];

	if (why) {
		out(d, "Rejected: %s. The settings are unchanged.\n", why);
		return;
	}
	d->cfg = *c;
	msg[0] = '\0';
	d->ops->apply(d->ctx, c, msg, sizeof(msg));
	out(d, "Applied: %s\n", msg);
}

/* A line the operator finished with Enter. */
static void submit(struct dcui *d)
{
	const char *why = NULL;
	char *slash;

	d->line[d->len] = '\0';
	out(d, "\n");
	d->screen = DCUI_CONFIG;
	switch (d->field) {
	case DCUI_F_HOSTNAME:
		d->edit = d->cfg;
		if (hostcfg_apply_key(&d->edit, "hostname", d->line, &why) < 0)
			break;
		commit(d, &d->edit);
		break;
	case DCUI_F_ADDRESS:
		d->edit = d->cfg;
		if (tv_strcasecmp(d->line, "dhcp") == 0) {
			d->edit.dhcp = true;
			commit(d, &d->edit);
			break;
		}
		slash = strchr(d->line, '/');
		if (!slash) {
			why = "give the prefix length too, as in 192.168.1.10/24";
			break;
		}
		if (hostcfg_apply_key(&d->edit, "net.ip", d->line, &why) < 0)
			break;
		prompt(d, DCUI_F_GATEWAY, "Default gateway (empty for none)", "");
		d->back = DCUI_CONFIG;
		return;
	case DCUI_F_GATEWAY:
		if (hostcfg_apply_key(&d->edit, "net.gateway", d->line, &why) < 0)
			break;
		commit(d, &d->edit);
		break;
	case DCUI_F_DNS:
		d->edit = d->cfg;
		if (hostcfg_apply_key(&d->edit, "net.dns", d->line, &why) < 0)
			break;
		commit(d, &d->edit);
		break;
	}
	if (why)
		out(d, "Rejected: %s. The settings are unchanged.\n", why);
	show_config(d);
}

static void prompt_key(struct dcui *d, int key)
{
	if (key == KEY_ENTER) {
		submit(d);
	} else if (key == KEY_ESC) {
		out(d, "\nCancelled.\n");
		go(d, d->back);
	} else if (key == KEY_BACKSPACE) {
		if (d->len) {
			d->len--;
			out(d, "\b \b");
		}
	} else if (key >= 0x20 && key < 0x7f) {
		if (d->len < DCUI_LINE_MAX) {
			d->line[d->len++] = (char)key;
			out(d, "%c", key);
		}
	}
}

static void confirm_key(struct dcui *d, int key)
{
	char msg[128];

	if (key != 'y' && key != 'Y') {
		out(d, "no\n");
		go(d, d->back);
		return;
	}
	out(d, "yes\n");
	msg[0] = '\0';
	switch (d->action) {
	case DCUI_A_STOP:
	case DCUI_A_RESTART:
		d->ops->vm_op(d->ctx, d->sel,
			      d->action == DCUI_A_STOP ? DCUI_VM_STOP : DCUI_VM_RESTART, msg, sizeof(msg));
		out(d, "%s\n", msg);
		go(d, DCUI_VMS);
		return;
	case DCUI_A_HALT:
	case DCUI_A_REBOOT:
		out(d, "%s the host.\n", d->action == DCUI_A_HALT ? "Shutting down" : "Restarting");
		d->ops->power(d->ctx, d->action == DCUI_A_REBOOT);
		go(d, DCUI_STATUS);   /* only if the power op returned (host tests) */
		return;
	}
}

static void vms_key(struct dcui *d, int key)
{
	unsigned n = d->ops->vm_count(d->ctx);
	struct dcui_vm v;
	char msg[128];

	if (key >= '1' && key <= '9' && (unsigned)(key - '1') < n) {
		d->sel = (unsigned)(key - '1');
		show_vms(d);
		return;
	}
	if (key == KEY_UP || key == KEY_DOWN) {
		if (n)
			d->sel = (d->sel + (key == KEY_UP ? n - 1 : 1)) % n;
		show_vms(d);
		return;
	}
	if (key == KEY_ESC || key == 'q') {
		go(d, DCUI_STATUS);
		return;
	}
	if (d->sel >= n || (key != 's' && key != 't' && key != 'r' && key != 'a'))
		return;
	memset(&v, 0, sizeof(v));
	d->ops->vm_info(d->ctx, d->sel, &v);
	msg[0] = '\0';
	if (key == 's') {
		d->ops->vm_op(d->ctx, d->sel, DCUI_VM_START, msg, sizeof(msg));
		out(d, "%s\n", msg);
		show_vms(d);
	} else if (key == 't' || key == 'r') {
		char q[96];

		snprintf(q, sizeof(q), "%s VM %s?", key == 't' ? "Power off" : "Restart", v.name);
		confirm(d, key == 't' ? DCUI_A_STOP : DCUI_A_RESTART, q);
	} else if (d->ops->attach(d->ctx, d->sel, msg, sizeof(msg)) == 0) {
		out(d, "Attached to %s's serial console; Ctrl-] detaches.\n", v.name);
		d->screen = DCUI_ATTACHED;
	} else {
		out(d, "%s\n", msg);
	}
}

static void config_key(struct dcui *d, int key)
{
	char addr[48], ip[16], dns[40];

	switch (key) {
	case '1':
		prompt(d, DCUI_F_HOSTNAME, "Hostname", d->cfg.hostname);
		break;
	case '2':
		if (d->cfg.dhcp)
			tv_strlcpy(addr, "dhcp", sizeof(addr));
		else
			snprintf(addr, sizeof(addr), "%s/%u", hostcfg_fmt_ip(d->cfg.ip, ip),
				 hostcfg_prefix_len(d->cfg.mask));
		prompt(d, DCUI_F_ADDRESS, "IPv4 address/prefix, or dhcp", addr);
		break;
	case '3':
		fmt_dns(d->cfg.dns, dns, sizeof(dns));
		prompt(d, DCUI_F_DNS, "DNS servers (up to two, comma-separated; empty for none)",
		       d->cfg.dns[0] ? dns : "");
		break;
	case KEY_ESC:
	case 'q':
		go(d, DCUI_STATUS);
		break;
	}
}

void dcui_key(struct dcui *d, int key)
{
	switch (d->screen) {
	case DCUI_PROMPT:
		prompt_key(d, key);
		return;
	case DCUI_CONFIRM:
		confirm_key(d, key);
		return;
	case DCUI_ATTACHED:
		if (key == KEY_CTRL_RBRACKET) {
			d->ops->detach(d->ctx);
			out(d, "\nDetached.\n");
			go(d, DCUI_VMS);
		}
		return;
	case DCUI_CONFIG:
		config_key(d, key);
		return;
	case DCUI_VMS:
		vms_key(d, key);
		return;
	case DCUI_POWER:
		if (key == 's' || key == KEY_F2)
			confirm(d, DCUI_A_HALT, "Shut down the host?");
		else if (key == 'r' || key == KEY_F11)
			confirm(d, DCUI_A_REBOOT, "Restart the host?");
		else if (key == KEY_ESC || key == 'q')
			go(d, DCUI_STATUS);
		return;
	case DCUI_LOG:
		if (key == KEY_ESC || key == 'q')
			go(d, DCUI_STATUS);
		else if (key == KEY_ENTER)
			show_log(d);
		return;
	case DCUI_STATUS:
		break;
	}
	if (key == KEY_F2 || key == 'c')
		go(d, DCUI_CONFIG);
	else if (key == 'v')
		go(d, DCUI_VMS);
	else if (key == 'l')
		go(d, DCUI_LOG);
	else if (key == KEY_F12 || key == 'x')
		go(d, DCUI_POWER);
	else if (key == KEY_ENTER || key == 's' || key == KEY_ESC)
		show_status(d);
}
