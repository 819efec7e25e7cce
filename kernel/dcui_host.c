// SPDX-License-Identifier: MIT
/*
 * dcui_host.c: the direct console on this host: input from the serial line
 * and the PS/2 keyboard, facts and actions for kernel/dcui.c, and the host
 * settings: settings.cfg, overridden by what the console saved in a UEFI
 * variable.
 */
#include <tv/arch.h>
#include <tv/bootinfo.h>
#include <tv/cmdline.h>
#include <tv/dcui.h>
#include <tv/dcui_host.h>
#include <tv/drivers.h>
#include <tv/efivar.h>
#include <tv/errno.h>
#include <tv/keys.h>
#include <tv/log.h>
#include <tv/pmm.h>
#include <tv/power.h>
#include <tv/printf.h>
#include <tv/sched.h>
#include <tv/sched_policy.h>
#include <tv/string.h>
#include <tv/vms.h>

static struct hostcfg cfg;
static struct dcui ui;
static struct keydec kd;
static unsigned n_cpus, n_vm_cpus;
static u64 mem_bytes;
static bool started;
static int held = -1;           /* a typed byte the attached VM had no room for */
static u32 shown_ip;            /* the address the status screen last showed */
static bool shown_bound;
static u64 next_check_ns;
#define CHECK_NS 200000000ull   /* how often the status screen looks for a new address */

static const char *const our_keys[] = { "hostname", "net.ip", "net.mask", "net.gateway", "net.dns" };

static void stick_settings(const struct bootinfo *bi)
{
	const char *why;

	hostcfg_default(&cfg);
	for (size_t i = 0; i < ARRAY_SIZE(our_keys); i++) {
		const char *v = bootinfo_setting(bi, our_keys[i]);

		if (v && hostcfg_apply_key(&cfg, our_keys[i], v, &why) < 0)
			pr_warn("%s: %s = \"%s\": %s; ignored\n", BI_SETTINGS_NAME, our_keys[i], v,
				why);
	}
	why = hostcfg_check(&cfg);
	if (why) {
		pr_warn("%s: management network: %s; using DHCP\n", BI_SETTINGS_NAME, why);
		cfg.dhcp = true;
	}
}

/* test.settings.damage: flip a byte of the saved copy, as a failing flash cell would. */
static void damage_saved(u8 *buf, size_t len)
{
	buf[len - 1] ^= 0x01;
	if (efivar_set(TV_EFI_SETTINGS_VAR, buf, len) == 0)
		pr_warn("test.settings.damage: damaged the saved settings\n");
}

void host_settings_init(const struct bootinfo *bi)
{
	u8 buf[HOSTCFG_SAVE_MAX];
	size_t len = sizeof(buf);
	char why[96];
	int r;

	stick_settings(bi);
	if (!efivar_usable()) {
		pr_info("host: %s (settings.cfg; console changes cannot be saved)\n", cfg.hostname);
		return;
	}
	r = efivar_get(TV_EFI_SETTINGS_VAR, buf, &len);
	if (r == 0 && len && cmdline_flag("test.settings.damage")) {
		damage_saved(buf, len);
		len = sizeof(buf);
		r = efivar_get(TV_EFI_SETTINGS_VAR, buf, &len);
	}
	if (r == -ENOENT) {
		pr_info("host: %s (settings.cfg)\n", cfg.hostname);
		return;
	}
	if (r == -ENOSPC)
		snprintf(why, sizeof(why), "larger than any thinvisor writes");
	else if (r)
		snprintf(why, sizeof(why), "cannot be read (%d)", r);
	if (r == 0 && hostcfg_load(&cfg, buf, len, why, sizeof(why)) == 0) {
		pr_info("host: %s (settings saved at the console, UEFI variable %s)\n", cfg.hostname,
			TV_EFI_SETTINGS_VAR);
		return;
	}
	pr_warn("settings: the saved settings (UEFI variable %s) are damaged: %s; using %s\n",
		TV_EFI_SETTINGS_VAR, why, BI_SETTINGS_NAME);
	pr_info("host: %s (settings.cfg)\n", cfg.hostname);
}

const struct hostcfg *host_settings(void)
{
	return &cfg;
}

/* ---- what the console shows and does ---- */

static void o_out(void *ctx, const char *s)
{
	(void)ctx;
	console_out(s, strlen(s));
}

static void o_host(void *ctx, struct dcui_host *h)
{
	(void)ctx;
	h->version = TV_VERSION;
	h->cpus = n_cpus;
	h->vm_cpus = n_vm_cpus;
	h->mem_mib = mem_bytes >> 20;
	h->free_mib = pmm_free_bytes() >> 20;
	mgmt_get_status(&h->net);
	h->save_why = efivar_usable() ? NULL : "no UEFI runtime services (not booted by UEFI)";
}

static unsigned o_vm_count(void *ctx)
{
	(void)ctx;
	return vms_count();
}

static void o_vm_info(void *ctx, unsigned i, struct dcui_vm *v)
{
	struct vm_slot *s = vms_slot(i);
	enum vm_state st;

	(void)ctx;
	if (!s)
		return;
	tv_strlcpy(v->name, s->cfg.name, sizeof(v->name));
	st = vms_state(s);
	v->running = st == VM_STATE_RUNNING;
	v->state = !s->vm && st == VM_STATE_REFUSED ? "not started" : vm_state_name(st);
	if (!v->running)
		return;
	v->mem_mib = (unsigned)(s->vm->ram_size >> 20);
	v->granted_mib = (unsigned)(READ_ONCE(s->vm->mem.own) >> (20 - PAGE_SHIFT));
	v->shared_mib = (unsigned)(READ_ONCE(s->vm->mem.shared) >> (20 - PAGE_SHIFT));
	v->zero_mib = (unsigned)(READ_ONCE(s->vm->mem.zero) >> (20 - PAGE_SHIFT));
	v->balloon_mib = (unsigned)(READ_ONCE(s->vm->mem.ballooned) >> (20 - PAGE_SHIFT));
	v->overhead_kib = (unsigned)(vm_overhead(s->vm) >> 10);
	v->vcpus = s->vm->nvcpus;
	for (unsigned k = 0; k < s->vm->nvcpus; k++) {
		struct sp_pct p;

		if (s->vm->vcpus[k] && sched_vcpu_pct(s->vm->vcpus[k], &p))
			v->cpu_permille += p.run;
	}
}

static int o_vm_op(void *ctx, unsigned i, enum dcui_vm_op op, char *msg, size_t len)
{
	(void)ctx;
	if (op == DCUI_VM_START)
		return vms_start(i, msg, len);
	return vms_stop(i, op == DCUI_VM_RESTART, msg, len);
}

static int o_attach(void *ctx, unsigned i, char *msg, size_t len)
{
	(void)ctx;
	return vms_attach(i, msg, len);
}

static void o_detach(void *ctx)
{
	(void)ctx;
	vms_detach();
	held = -1;
}

static void o_apply(void *ctx, const struct hostcfg *c, char *msg, size_t len)
{
	u8 buf[HOSTCFG_SAVE_MAX];
	size_t n = hostcfg_save(c, buf, sizeof(buf));
	char ip[16];
	int r;

	(void)ctx;
	cfg = *c;
	mgmt_apply(c);
	if (c->dhcp)
		pr_info("host: %s, management network by DHCP (set at the console)\n", c->hostname);
	else
		pr_info("host: %s, management address %s (set at the console)\n", c->hostname,
			hostcfg_fmt_ip(c->ip, ip));
	if (!efivar_usable()) {
		snprintf(msg, len, "in use, not saved: no UEFI runtime services");
		return;
	}
	r = n ? efivar_set(TV_EFI_SETTINGS_VAR, buf, n) : -EINVAL;
	if (r) {
		pr_err("settings: saving to UEFI variable %s failed (%d)\n", TV_EFI_SETTINGS_VAR, r);
		snprintf(msg, len, "in use, but saving failed (%d): lost at the next boot", r);
		return;
	}
	pr_info("settings: saved to UEFI variable %s\n", TV_EFI_SETTINGS_VAR);
	snprintf(msg, len, "in use and saved");
}

static size_t o_log_tail(void *ctx, char *buf, size_t size)
{
	(void)ctx;
	return log_ring_read(buf, size);
}

static void o_power(void *ctx, bool restart)
{
	(void)ctx;
	pr_info("console: %s the host\n", restart ? "restarting" : "shutting down");
	if (restart)
		power_reset();
	power_off();
}

static const struct dcui_ops ops = {
	.out = o_out, .host = o_host, .vm_count = o_vm_count, .vm_info = o_vm_info,
	.vm_op = o_vm_op, .attach = o_attach, .detach = o_detach, .apply = o_apply,
	.log_tail = o_log_tail, .power = o_power,
};

void dcui_start(unsigned cpus, unsigned vm_cpus, const char *attach)
{
	struct mgmt_status st;
	char msg[96];
	int i = vms_find(attach);

	n_cpus = cpus;
	n_vm_cpus = vm_cpus;
	mem_bytes = pmm_usable_bytes();
	keydec_init(&kd);
	dcui_init(&ui, &ops, NULL, &cfg);
	mgmt_get_status(&st);
	shown_ip = st.ip;
	shown_bound = st.bound;
	dcui_redraw(&ui);
	started = true;
	if (attach && (i < 0 || vms_attach((unsigned)i, msg, sizeof(msg)) != 0))
		pr_warn("console: console.attach=%s: no such running VM\n", attach);
	else if (attach)
		ui.screen = DCUI_ATTACHED;
}

/* A key from the PS/2 keyboard as the bytes a terminal would send the VM. */
static void key_to_vm(int key)
{
	static const char arrows[] = "ABCD";
	char seq[3] = { 0x1b, '[', 0 };

	if (key == KEY_BACKSPACE)
		key = 0x7f;
	if (key > 0 && key < 0x80) {
		vms_console_put((char)key);
	} else if (key >= KEY_UP && key <= KEY_RIGHT) {
		seq[2] = arrows[key - KEY_UP];
		for (int k = 0; k < 3; k++)
			vms_console_put(seq[k]);
	}
}

static void serial_input(u64 now)
{
	int c, key;

	while ((c = held >= 0 ? held : uart_getc()) >= 0) {
		held = -1;
		if (dcui_attached(&ui) && c != KEY_CTRL_RBRACKET) {
			if (!vms_console_put((char)c)) {
				held = c;       /* the VM's queue is full: try again later */
				return;
			}
			continue;
		}
		key = keydec_feed(&kd, (u8)c, now);
		if (key)
			dcui_key(&ui, key);
	}
	key = keydec_idle(&kd, now);
	if (key)
		dcui_key(&ui, key);
}

void dcui_pump(void)
{
	struct mgmt_status st;
	u64 now = arch_uptime_ns();
	int key;

	if (!started)
		return;
	if (dcui_attached(&ui) && !vms_attached()) {
		console_out("\nThe VM stopped.\n", 17);
		dcui_key(&ui, KEY_CTRL_RBRACKET);
	}
	serial_input(now);
	while ((key = kbd_getkey()) >= 0) {
		if (dcui_attached(&ui) && key != KEY_CTRL_RBRACKET)
			key_to_vm(key);
		else
			dcui_key(&ui, key);
	}
	/* A lease won or lost: show the status screen again if it is up. */
	if (now < next_check_ns)
		return;
	next_check_ns = now + CHECK_NS;
	mgmt_get_status(&st);
	if (st.ip != shown_ip || st.bound != shown_bound) {
		shown_ip = st.ip;
		shown_bound = st.bound;
		if (ui.screen == DCUI_STATUS)
			dcui_redraw(&ui);
	}
}
