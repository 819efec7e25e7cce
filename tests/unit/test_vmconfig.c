// SPDX-License-Identifier: MIT
/* test_vmconfig.c: VM config files, their checks and the start order (vmm/vmconfig.c). */
#include "vmconfig_fixture.h"

/* The CPU scheduling keys at their defaults: normal shares for 1 vCPU, no line. */
static void check_cpu_defaults(void)
{
	CHECK_EQ(cfg.cpu_shares, 1000);
	CHECK_EQ(cfg.cpu_shares_line, 0);
	CHECK_EQ(cfg.cpu_min_mhz, 0);
	CHECK_EQ(cfg.cpu_min_line, 0);
	CHECK_EQ(cfg.cpu_max_mhz, 0);
	CHECK_EQ(cfg.cpu_max_line, 0);
	CHECK_EQ(cfg.cpu_affinity, 0);
	CHECK_EQ(cfg.cpu_affinity_line, 0);
}

/* The memory keys at their defaults for memsize 256: normal shares, no limit, sharing in the VM. */
static void check_mem_defaults(void)
{
	CHECK_EQ(cfg.mem_max_mib, 0);
	CHECK_EQ(cfg.mem_max_line, 0);
	CHECK_EQ(cfg.mem_shares, 10 * 256);
	CHECK_EQ(cfg.mem_shares_line, 0);
	CHECK(cfg.pshare_enable);
	CHECK_STR(cfg.pshare_salt, "");
	CHECK(!cfg.virtio_balloon);
}

TEST(defaults)
{
	/* Garbage in cfg/diag beforehand must not leak through. */
	memset(&cfg, 0xa5, sizeof(cfg));
	memset(&diag, 0xa5, sizeof(diag));
	CHECK_EQ(parse("vms/web.vmx", KERNEL), 0);
	CHECK_EQ(diag.n, 0);
	CHECK_EQ(diag.dropped, 0);
	CHECK_STR(cfg.file, "vms/web.vmx");
	CHECK_STR(cfg.name, "web");
	CHECK_EQ(cfg.name_line, 0);
	CHECK_EQ(cfg.memsize_mib, 256);
	CHECK_EQ(cfg.memsize_line, 0);
	CHECK_EQ(cfg.numvcpus, 1);
	check_cpu_defaults();
	check_mem_defaults();
	CHECK_STR(cfg.kernel, "vms/linux/bzImage");
	CHECK_EQ(cfg.kernel_line, 1);
	CHECK_STR(cfg.initrd, "");
	CHECK_EQ(cfg.initrd_line, 0);
	CHECK_STR(cfg.cmdline, "console=ttyS0");
	CHECK(cfg.autostart);
	CHECK_EQ(cfg.start_order, 0);
	/* The kernel was looked up on the stick, under vms/. */
	CHECK_EQ(stick.nasked, 1);
	CHECK_STR(stick.asked[0], "vms/linux/bzImage");
	CHECK_EQ(stick.ctx_bad, 0);

	/* exists == NULL skips the lookups. */
	const char *t = "guest.kernel = \"nothere\"";

	CHECK_EQ(vmcfg_parse("vms/x.vmx", t, strlen(t), NULL, NULL, &cfg, &diag), 0);
	CHECK_STR(cfg.kernel, "vms/nothere");
	CHECK_EQ(diag.n, 0);
}

TEST(name_from_file)
{
	static const struct {
		const char *file, *name;
	} cases[] = {
		{ "vms/web.vmx", "web" },
		{ "vms/Mail.VMX", "Mail" },
		{ "vms/db.Vmx", "db" },
		{ "web.vmx", "web" },
		{ "vms/a.b.vmx", "a.b" },
		{ "vms/noext", "noext" },
		{ "vms/.vmx", ".vmx" },          /* nothing would be left */
		{ "vms/notes.box", "notes.box" }, /* only .vmx is stripped */
		{ "vms/web.vmx.bak", "web.vmx.bak" },
		{ "vms/a.tgx", "a.tgx" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ(parse(cases[i].file, KERNEL), 0);
		CHECK_STR(cfg.name, cases[i].name);
		CHECK_STR(cfg.file, cases[i].file);
	}

	/* A file name longer than a VM name is cut to VMCFG_NAME_MAX. */
	char file[128], want[VMCFG_NAME_MAX + 1];

	memset(want, 'n', VMCFG_NAME_MAX);
	want[VMCFG_NAME_MAX] = '\0';
	snprintf(file, sizeof(file), "vms/%s%s.vmx", want, "tail");
	CHECK_EQ(parse(file, KERNEL), 0);
	CHECK_EQ(strlen(cfg.name), VMCFG_NAME_MAX);
	CHECK_STR(cfg.name, want);
}

TEST(every_key)
{
	const char *text =
		"# a full config\n"
		"displayName = \"Web Server\"\n"
		"memsize = \"2048\"\n"
		"numvcpus = \"1\"\n"
		"\n"
		"guest.kernel = \"debian/vmlinuz-6.1\"\n"
		"guest.initrd = \"debian/initrd.img\"\n"
		"guest.cmdline = \"console=ttyS0 root=/dev/ram0 quiet\"\n"
		"autostart = \"false\"\n"
		"autostart.order = \"42\"\n"
		"guestOS = \"debian12-64\"\n"
		"annotation = \"made by ESXi; anything|0A goes here\"\n"
		"sched.cpu.shares = \"high\"\n"
		"sched.cpu.min = \"500\"\n"
		"sched.cpu.max = \"1500\"\n"
		"sched.cpu.affinity = \"0,2-3\"\n";

	CHECK_EQ(parse("vms/web.vmx", text), 0);
	CHECK_EQ(cfg.cpu_shares, 2000);
	CHECK_EQ(cfg.cpu_shares_line, 13);
	CHECK_EQ(cfg.cpu_min_mhz, 500);
	CHECK_EQ(cfg.cpu_min_line, 14);
	CHECK_EQ(cfg.cpu_max_mhz, 1500);
	CHECK_EQ(cfg.cpu_max_line, 15);
	CHECK_EQ(cfg.cpu_affinity, 0xd);
	CHECK_EQ(cfg.cpu_affinity_line, 16);
	CHECK_EQ(diag.n, 0);
	CHECK_STR(cfg.name, "Web Server");
	CHECK_EQ(cfg.name_line, 2);
	CHECK_EQ(cfg.memsize_mib, 2048);
	CHECK_EQ(cfg.memsize_line, 3);
	CHECK_EQ(cfg.numvcpus, 1);
	CHECK_STR(cfg.kernel, "vms/debian/vmlinuz-6.1");
	CHECK_EQ(cfg.kernel_line, 6);
	CHECK_STR(cfg.initrd, "vms/debian/initrd.img");
	CHECK_EQ(cfg.initrd_line, 7);
	CHECK_STR(cfg.cmdline, "console=ttyS0 root=/dev/ram0 quiet");
	CHECK(!cfg.autostart);
	CHECK_EQ(cfg.start_order, 42);
	CHECK_EQ(stick.nasked, 2);
	CHECK_STR(stick.asked[0], "vms/debian/vmlinuz-6.1");
	CHECK_STR(stick.asked[1], "vms/debian/initrd.img");

	/* CRLF line ends and trailing comments are fine too. */
	CHECK_EQ(parse("vms/w.vmx", "memsize = \"64\"  # small\r\n" KERNEL), 0);
	CHECK_EQ(cfg.memsize_mib, 64);
	CHECK_EQ(cfg.kernel_line, 2);

	/* An empty command line is allowed: it replaces the default. */
	CHECK_EQ(parse("vms/w.vmx", KERNEL "guest.cmdline = \"\"\n"), 0);
	CHECK_STR(cfg.cmdline, "");

	/* Hex numbers are numbers. */
	CHECK_EQ(parse("vms/w.vmx", KERNEL "memsize = \"0x400\"\n"), 0);
	CHECK_EQ(cfg.memsize_mib, 1024);

	/* Any multiple of 2 MiB is a size. */
	CHECK_EQ(parse("vms/w.vmx", KERNEL "memsize = \"258\"\n"), 0);
	CHECK_EQ(cfg.memsize_mib, 258);
	CHECK_EQ(cfg.memsize_line, 2);
	CHECK_EQ(parse("vms/w.vmx", KERNEL "memsize = \"18\"\n"), 0);
	CHECK_EQ(cfg.memsize_mib, 18);

	/* The range limits themselves are accepted. */
	CHECK_EQ(parse("vms/w.vmx", KERNEL "memsize = \"16\"\nautostart.order = \"9999\"\n"), 0);
	CHECK_EQ(cfg.memsize_mib, VMCFG_MEM_MIN_MIB);
	CHECK_EQ(cfg.start_order, 9999);
	CHECK_EQ(parse("vms/w.vmx", KERNEL "memsize = \"1048576\"\n"), 0);
	CHECK_EQ(cfg.memsize_mib, VMCFG_MEM_MAX_MIB);
	CHECK_EQ(parse("vms/w.vmx", KERNEL "autostart.order = \"0\"\n"), 0);
	CHECK_EQ(cfg.start_order, 0);

	/* displayName of exactly VMCFG_NAME_MAX characters. */
	char text2[256], name[VMCFG_NAME_MAX + 1];

	memset(name, 'N', VMCFG_NAME_MAX);
	name[VMCFG_NAME_MAX] = '\0';
	snprintf(text2, sizeof(text2), KERNEL "displayName = \"%s\"\n", name);
	CHECK_EQ(parse("vms/w.vmx", text2), 0);
	CHECK_STR(cfg.name, name);
	CHECK_EQ(cfg.name_line, 2);
}

TEST(autostart_values)
{
	static const struct {
		const char *v;
		bool on;
	} cases[] = {
		{ "true", true }, { "TRUE", true }, { "True", true }, { "tRuE", true },
		{ "yes", true }, { "YES", true }, { "Yes", true }, { "1", true },
		{ "false", false }, { "FALSE", false }, { "False", false }, { "fAlSe", false },
		{ "no", false }, { "NO", false }, { "No", false }, { "0", false },
	};
	char text[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), KERNEL "autostart = \"%s\"\n", cases[i].v);
		CHECK_EQ(parse("vms/a.vmx", text), 0);
		CHECK_EQ(diag.n, 0);
		CHECK_EQ(cfg.autostart, cases[i].on);
	}

	static const char *const bad[] = {
		"", "maybe", "tru", "truee", "y", "n", "2", "01", "on", "off", " yes", "yes ", "0x1",
		"f", "t", "nope", "falsey",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[128];

		snprintf(text, sizeof(text), KERNEL "autostart = \"%s\"\n", bad[i]);
		snprintf(want, sizeof(want), "autostart must be true or false, not \"%s\"", bad[i]);
		check_one_error(text, 2, want);
		CHECK(cfg.autostart); /* the default stays */
	}
}

TEST(keys_ignore_case)
{
	const char *text =
		"DISPLAYNAME = \"Upper\"\n"
		"MemSize = \"512\"\n"
		"NUMVCPUS = \"1\"\n"
		"Guest.Kernel = \"k\"\n"
		"GUEST.INITRD = \"i\"\n"
		"guest.CMDLINE = \"quiet\"\n"
		"AutoStart = \"No\"\n"
		"AUTOSTART.ORDER = \"7\"\n"
		"guestos = \"other\"\n"
		"ANNOTATION = \"x\"\n"
		"Sched.CPU.Shares = \"LOW\"\n"
		"SCHED.CPU.MIN = \"1\"\n"
		"sched.cpu.MAX = \"2\"\n"
		"sched.CPU.affinity = \"ALL\"\n";

	CHECK_EQ(parse("vms/u.vmx", text), 0);
	CHECK_EQ(cfg.cpu_shares, 500);
	CHECK_EQ(cfg.cpu_min_mhz, 1);
	CHECK_EQ(cfg.cpu_max_mhz, 2);
	CHECK_EQ(cfg.cpu_affinity, 0);
	CHECK_EQ(cfg.cpu_affinity_line, 14);
	CHECK_EQ(diag.n, 0);
	CHECK_STR(cfg.name, "Upper");
	CHECK_EQ(cfg.memsize_mib, 512);
	CHECK_STR(cfg.kernel, "vms/k");
	CHECK_STR(cfg.initrd, "vms/i");
	CHECK_STR(cfg.cmdline, "quiet");
	CHECK(!cfg.autostart);
	CHECK_EQ(cfg.start_order, 7);

	/* Values keep their case. */
	CHECK_EQ(parse("vms/u.vmx", "guest.kernel = \"Linux/BzImage\"\n"), 0);
	CHECK_STR(cfg.kernel, "vms/Linux/BzImage");

	/* A duplicate in another case is still a duplicate. */
	check_one_error(KERNEL "memsize = \"64\"\nMEMSIZE = \"128\"\n", 3,
			"memsize given twice (first on line 2)");
	CHECK_EQ(cfg.memsize_mib, 64);
}

TEST(unknown_and_duplicate)
{
	check_one_error(KERNEL "memory = \"512\"\n", 2, "unknown key \"memory\"");
	check_one_error("sound.present = \"TRUE\"\n" KERNEL, 1,
			"unknown key \"sound.present\"");
	/* Near misses are unknown, not prefixes. */
	check_one_error(KERNEL "guest.kernels = \"x\"\n", 2, "unknown key \"guest.kernels\"");
	check_one_error(KERNEL "autostart.orde = \"1\"\n", 2, "unknown key \"autostart.orde\"");

	check_one_error(KERNEL "\n\n" KERNEL, 4, "guest.kernel given twice (first on line 1)");
	CHECK_STR(cfg.kernel, "vms/linux/bzImage");
	CHECK_EQ(cfg.kernel_line, 1);
	check_one_error("displayName = \"a\"\n" KERNEL "displayName = \"b\"\n", 3,
			"displayName given twice (first on line 1)");
	CHECK_STR(cfg.name, "a");
	check_one_error(KERNEL "guestOS = \"a\"\nguestOS = \"b\"\n", 3,
			"guestOS given twice (first on line 2)");
	check_one_error(KERNEL "autostart = \"no\"\n#\nautostart = \"yes\"\n", 4,
			"autostart given twice (first on line 2)");
	CHECK(!cfg.autostart); /* the first one holds */

	/* A bad first value still counts as given. */
	CHECK_EQ(parse("vms/t.vmx", KERNEL "memsize = \"x\"\nmemsize = \"64\"\n"), -EINVAL);
	CHECK_EQ(diag.n, 2);
	CHECK_EQ(diag.d[1].line, 3);
	CHECK_STR(diag.d[1].msg, "memsize given twice (first on line 2)");
	CHECK_EQ(cfg.memsize_mib, 256);
}

TEST(memsize_errors)
{
	check_one_error(KERNEL "memsize = \"lots\"\n", 2,
			"memsize \"lots\" is not a number of MiB from 16 to 1048576");
	check_one_error(KERNEL "memsize = \"512M\"\n", 2,
			"memsize \"512M\" is not a number of MiB from 16 to 1048576");
	check_one_error(KERNEL "memsize = \"\"\n", 2,
			"memsize \"\" is not a number of MiB from 16 to 1048576");
	check_one_error(KERNEL "memsize = \"-256\"\n", 2,
			"memsize \"-256\" is not a number of MiB from 16 to 1048576");
	check_one_error(KERNEL "memsize = \"14\"\n", 2,
			"memsize \"14\" is not a number of MiB from 16 to 1048576");
	check_one_error(KERNEL "memsize = \"0\"\n", 2,
			"memsize \"0\" is not a number of MiB from 16 to 1048576");
	check_one_error(KERNEL "memsize = \"1048578\"\n", 2,
			"memsize \"1048578\" is not a number of MiB from 16 to 1048576");
	check_one_error(KERNEL "memsize = \"99999999999999999999999\"\n", 2,
			"memsize \"99999999999999999999999\" is not a number of MiB from 16 to 1048576");
	check_one_error(KERNEL "memsize = \"257\"\n", 2, "memsize 257 is not a multiple of 2 MiB");
	CHECK_EQ(cfg.memsize_mib, 256);
	CHECK_EQ(cfg.memsize_line, 0);
	check_one_error(KERNEL "memsize = \"17\"\n", 2, "memsize 17 is not a multiple of 2 MiB");
	check_one_error(KERNEL "memsize = \"0x101\"\n", 2, "memsize 257 is not a multiple of 2 MiB");

	/* A 512-character value: the message is cut to fit, still terminated. */
	char text[700], want[128];

	snprintf(text, sizeof(text), KERNEL "memsize = \"%0512d\"\n", 7);
	CHECK_EQ(parse("vms/t.vmx", text), -EINVAL);
	CHECK_EQ(diag.n, 1);
	CHECK_EQ(strlen(diag.d[0].msg), sizeof(diag.d[0].msg) - 1);
	snprintf(want, sizeof(want), "memsize \"%0110d", 0);
	CHECK_EQ(strncmp(diag.d[0].msg, want, 110), 0);
}

TEST(numvcpus_errors)
{
	check_one_error(KERNEL "numvcpus = \"0\"\n", 2, "numvcpus \"0\" is not a number from 1 to 16");
	check_one_error(KERNEL "numvcpus = \"17\"\n", 2, "numvcpus \"17\" is not a number from 1 to 16");
	check_one_error(KERNEL "numvcpus = \"two\"\n", 2,
			"numvcpus \"two\" is not a number from 1 to 16");
	CHECK_EQ(cfg.numvcpus, 1);
	CHECK_EQ(parse("vms/t.vmx", KERNEL "numvcpus = \"0x1\"\n"), 0);
	CHECK_EQ(cfg.numvcpus, 1);

	/* Every count up to VMCFG_VCPUS_MAX is a VM. */
	for (unsigned n = 1; n <= VMCFG_VCPUS_MAX; n++) {
		char text[128];

		snprintf(text, sizeof(text), KERNEL "numvcpus = \"%u\"\n", n);
		CHECK_EQ(parse("vms/t.vmx", text), 0);
		CHECK_EQ(diag.n, 0);
		CHECK_EQ(cfg.numvcpus, n);
		/* Shares levels count per vCPU. */
		CHECK_EQ(cfg.cpu_shares, 1000 * n);
	}
}

TEST(sched_values)
{
	static const struct {
		const char *shares, *vcpus;
		u32 want;
	} shares[] = {
		{ "low", "1", 500 }, { "normal", "1", 1000 }, { "high", "1", 2000 },
		{ "low", "4", 2000 }, { "normal", "2", 2000 }, { "high", "16", 32000 },
		{ "Normal", "3", 3000 }, { "HIGH", "2", 4000 },
		/* A number is the VM's total, whatever numvcpus says. */
		{ "1", "1", 1 }, { "1", "8", 1 }, { "1000000", "16", 1000000 }, { "0x10", "2", 16 },
		{ "750", "3", 750 },
	};
	char text[256];

	for (size_t i = 0; i < sizeof(shares) / sizeof(shares[0]); i++) {
		/* numvcpus after the shares: levels are resolved at the end. */
		snprintf(text, sizeof(text), KERNEL "sched.cpu.shares = \"%s\"\nnumvcpus = \"%s\"\n",
			 shares[i].shares, shares[i].vcpus);
		CHECK_EQ(parse("vms/s.vmx", text), 0);
		CHECK_EQ(diag.n, 0);
		CHECK_EQ(cfg.cpu_shares, shares[i].want);
		CHECK_EQ(cfg.cpu_shares_line, 2);
	}

	static const struct {
		const char *v;
		u64 mask;
	} aff[] = {
		{ "all", 0 }, { "All", 0 }, { "0", 1 }, { "63", 1ull << 63 }, { "0-63", ~0ull },
		{ "0,2-3", 0xd }, { "2-3,0", 0xd }, { "1,1,1-2", 6 }, { "5-5", 0x20 },
		{ "0, 2 , 4-5", 0x35 }, { " 7 ", 0x80 }, { "0x3", 8 }, { "000012", 1u << 12 },
		{ "0-1,1-2,62-63", 7 | (3ull << 62) },
	};
	for (size_t i = 0; i < sizeof(aff) / sizeof(aff[0]); i++) {
		snprintf(text, sizeof(text), KERNEL "sched.cpu.affinity = \"%s\"\n", aff[i].v);
		CHECK_EQ(parse("vms/a.vmx", text), 0);
		CHECK_EQ(diag.n, 0);
		CHECK_EQ(cfg.cpu_affinity, aff[i].mask);
		CHECK_EQ(cfg.cpu_affinity_line, 2);
	}

	/* Reservation and limit in MHz; -1 is ESXi's "unlimited". */
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.cpu.min = \"0\"\nsched.cpu.max = \"-1\"\n"), 0);
	CHECK_EQ(cfg.cpu_min_mhz, 0);
	CHECK_EQ(cfg.cpu_min_line, 2);
	CHECK_EQ(cfg.cpu_max_mhz, 0);
	CHECK_EQ(cfg.cpu_max_line, 3);
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.cpu.max = \"1\"\n"), 0);
	CHECK_EQ(cfg.cpu_max_mhz, 1);
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.cpu.max = \"1000000\"\nsched.cpu.min = \"1000000\"\n"),
		 0);
	CHECK_EQ(cfg.cpu_max_mhz, VMCFG_CPU_MHZ_MAX);
	CHECK_EQ(cfg.cpu_min_mhz, VMCFG_CPU_MHZ_MAX);
	/* min == max is a fixed rate; min with no limit is fine. */
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.cpu.min = \"800\"\nsched.cpu.max = \"800\"\n"), 0);
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.cpu.min = \"3000\"\nsched.cpu.max = \"-1\"\n"), 0);
	CHECK_EQ(cfg.cpu_min_mhz, 3000);
	CHECK_EQ(cfg.cpu_max_mhz, 0);

	/* Memory reservation in MB, up to memsize. */
	CHECK_EQ(parse("vms/m.vmx", KERNEL "memsize = \"256\"\nsched.mem.min = \"256\"\n"), 0);
	CHECK_EQ(cfg.mem_min_mib, 256);
	CHECK_EQ(cfg.mem_min_line, 3);
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.mem.min = \"0\"\n"), 0);
	CHECK_EQ(cfg.mem_min_mib, 0);
}

TEST(sched_errors)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "sched.cpu.shares = \"\"",
		  "sched.cpu.shares \"\" is not low, normal, high or a number from 1 to 1000000" },
		{ "sched.cpu.shares = \"medium\"",
		  "sched.cpu.shares \"medium\" is not low, normal, high or a number from 1 to 1000000" },
		{ "sched.cpu.shares = \"0\"",
		  "sched.cpu.shares \"0\" is not low, normal, high or a number from 1 to 1000000" },
		{ "sched.cpu.shares = \"1000001\"",
		  "sched.cpu.shares \"1000001\" is not low, normal, high or a number from 1 to 1000000" },
		{ "sched.cpu.shares = \"-5\"",
		  "sched.cpu.shares \"-5\" is not low, normal, high or a number from 1 to 1000000" },
		{ "sched.cpu.shares = \" high\"",
		  "sched.cpu.shares \" high\" is not low, normal, high or a number from 1 to 1000000" },
		{ "sched.cpu.min = \"-1\"",
		  "sched.cpu.min \"-1\" is not a number of MHz from 0 to 1000000" },
		{ "sched.cpu.min = \"1GHz\"",
		  "sched.cpu.min \"1GHz\" is not a number of MHz from 0 to 1000000" },
		{ "sched.cpu.min = \"1000001\"",
		  "sched.cpu.min \"1000001\" is not a number of MHz from 0 to 1000000" },
		{ "sched.cpu.max = \"0\"",
		  "sched.cpu.max 0 MHz would never let the VM run: use -1 for no limit" },
		{ "sched.cpu.max = \"0x0\"",
		  "sched.cpu.max 0 MHz would never let the VM run: use -1 for no limit" },
		{ "sched.cpu.max = \"-2\"",
		  "sched.cpu.max \"-2\" is not a number of MHz from 1 to 1000000, or -1 for no limit" },
		{ "sched.cpu.max = \"unlimited\"",
		  "sched.cpu.max \"unlimited\" is not a number of MHz from 1 to 1000000, or -1 for no limit" },
		{ "sched.cpu.max = \"2000000\"",
		  "sched.cpu.max \"2000000\" is not a number of MHz from 1 to 1000000, or -1 for no limit" },
		{ "sched.mem.min = \"-1\"", "sched.mem.min \"-1\" is not a number of MB from 0 to 1048576" },
		{ "sched.mem.min = \"1G\"", "sched.mem.min \"1G\" is not a number of MB from 0 to 1048576" },
		{ "sched.mem.min = \"258\"", "sched.mem.min 258 MB is more than memsize 256 MB" },
		{ "sched.cpu.affinity = \"\"",
		  "sched.cpu.affinity \"\": empty: use \"all\" or CPUs like \"0,2-3\"" },
		{ "sched.cpu.affinity = \"0,,1\"", "sched.cpu.affinity \"0,,1\": empty item in the CPU list" },
		{ "sched.cpu.affinity = \"0,\"", "sched.cpu.affinity \"0,\": empty item in the CPU list" },
		{ "sched.cpu.affinity = \",3\"", "sched.cpu.affinity \",3\": empty item in the CPU list" },
		{ "sched.cpu.affinity = \" \"", "sched.cpu.affinity \" \": empty item in the CPU list" },
		{ "sched.cpu.affinity = \"64\"",
		  "sched.cpu.affinity \"64\": \"64\" is not a CPU from 0 to 63 or a range like 2-3" },
		{ "sched.cpu.affinity = \"0,x\"",
		  "sched.cpu.affinity \"0,x\": \"x\" is not a CPU from 0 to 63 or a range like 2-3" },
		{ "sched.cpu.affinity = \"-1\"",
		  "sched.cpu.affinity \"-1\": \"-1\" is not a CPU from 0 to 63 or a range like 2-3" },
		{ "sched.cpu.affinity = \"2-\"",
		  "sched.cpu.affinity \"2-\": \"2-\" is not a CPU from 0 to 63 or a range like 2-3" },
		{ "sched.cpu.affinity = \"1-2-3\"",
		  "sched.cpu.affinity \"1-2-3\": \"1-2-3\" is not a CPU from 0 to 63 or a range like 2-3" },
		{ "sched.cpu.affinity = \"0-64\"",
		  "sched.cpu.affinity \"0-64\": \"0-64\" is not a CPU from 0 to 63 or a range like 2-3" },
		{ "sched.cpu.affinity = \"1 2\"",
		  "sched.cpu.affinity \"1 2\": \"1 2\" is not a CPU from 0 to 63 or a range like 2-3" },
		{ "sched.cpu.affinity = \"all,1\"",
		  "sched.cpu.affinity \"all,1\": \"all\" is not a CPU from 0 to 63 or a range like 2-3" },
		{ "sched.cpu.affinity = \"3-1\"", "sched.cpu.affinity \"3-1\": range \"3-1\" runs backwards" },
		{ "sched.cpu.affinity = \"0,7-6\"",
		  "sched.cpu.affinity \"0,7-6\": range \"7-6\" runs backwards" },
	};
	char text[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), KERNEL "#\n%s\n", bad[i].line);
		check_one_error(text, 3, bad[i].msg);
		/* A rejected value leaves the default, with no line. */
		check_cpu_defaults();
	}

	/* A reservation above the limit is reported at the reservation, naming the limit's line. */
	check_one_error(KERNEL "sched.cpu.max = \"1000\"\nsched.cpu.min = \"1001\"\n", 3,
			"sched.cpu.min 1001 MHz is more than sched.cpu.max 1000 MHz (line 2)");
	check_one_error(KERNEL "sched.cpu.min = \"2000\"\n\nsched.cpu.max = \"500\"\n", 2,
			"sched.cpu.min 2000 MHz is more than sched.cpu.max 500 MHz (line 4)");
	/* Duplicates are refused like any key. */
	check_one_error(KERNEL "sched.cpu.shares = \"low\"\nsched.cpu.shares = \"high\"\n", 3,
			"sched.cpu.shares given twice (first on line 2)");
	CHECK_EQ(cfg.cpu_shares, 500);
	/* A bad shares value keeps the default level, still resolved per vCPU. */
	check_one_error(KERNEL "numvcpus = \"4\"\nsched.cpu.shares = \"lots\"\n", 3,
			"sched.cpu.shares \"lots\" is not low, normal, high or a number from 1 to 1000000");
	CHECK_EQ(cfg.cpu_shares, 4000);
}

TEST(mem_values)
{
	static const struct {
		const char *shares, *memsize;
		u64 want;
	} shares[] = {
		{ "low", "256", 1280 }, { "normal", "256", 2560 }, { "high", "256", 5120 },
		{ "Low", "1024", 5120 }, { "HIGH", "1048576", 20ull << 20 },
		/* A number is the VM's total, whatever memsize says. */
		{ "1", "256", 1 }, { "1000000", "16", 1000000 }, { "0x10", "512", 16 },
	};
	char text[256];

	for (size_t i = 0; i < sizeof(shares) / sizeof(shares[0]); i++) {
		/* memsize after the shares: levels are resolved at the end. */
		snprintf(text, sizeof(text), KERNEL "sched.mem.shares = \"%s\"\nmemsize = \"%s\"\n",
			 shares[i].shares, shares[i].memsize);
		CHECK_EQ(parse("vms/s.vmx", text), 0);
		CHECK_EQ(diag.n, 0);
		CHECK_EQ(cfg.mem_shares, shares[i].want);
		CHECK_EQ(cfg.mem_shares_line, 2);
		/* The CPU's levels are not the memory's. */
		CHECK_EQ(cfg.cpu_shares, 1000);
	}
	CHECK_EQ(parse("vms/s.vmx", KERNEL "memsize = \"4096\"\n"), 0);
	CHECK_EQ(cfg.mem_shares, 40960);

	/* The limit in MB; -1 is ESXi's "unlimited"; above memsize is kept (it limits nothing). */
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.mem.max = \"128\"\n"), 0);
	CHECK_EQ(cfg.mem_max_mib, 128);
	CHECK_EQ(cfg.mem_max_line, 2);
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.mem.max = \"-1\"\n"), 0);
	CHECK_EQ(cfg.mem_max_mib, 0);
	CHECK_EQ(cfg.mem_max_line, 2);
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.mem.max = \"4096\"\n"), 0);
	CHECK_EQ(cfg.mem_max_mib, 4096);
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.mem.max = \"1\"\n"), 0);
	CHECK_EQ(cfg.mem_max_mib, 1);
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.mem.max = \"1048576\"\n"), 0);
	CHECK_EQ(cfg.mem_max_mib, VMCFG_MEM_MAX_MIB);
	/* min == max; the limit before the reservation in the file. */
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.mem.max = \"200\"\nsched.mem.min = \"200\"\n"), 0);
	CHECK_EQ(cfg.mem_min_mib, 200);
	CHECK_EQ(cfg.mem_max_mib, 200);
	/* A reservation with no limit. */
	CHECK_EQ(parse("vms/m.vmx", KERNEL "sched.mem.min = \"200\"\nsched.mem.max = \"-1\"\n"), 0);

	/* Page sharing and the balloon. */
	CHECK_EQ(parse("vms/p.vmx", KERNEL "sched.mem.pshare.enable = \"FALSE\"\n"
					   "sched.mem.pshare.salt = \"web-tier_2.prod\"\n"
					   "virtioBalloon.present = \"TRUE\"\n"), 0);
	CHECK(!cfg.pshare_enable);
	CHECK_STR(cfg.pshare_salt, "web-tier_2.prod");
	CHECK(cfg.virtio_balloon);
	CHECK(!cfg.virtio_rng);
	CHECK_EQ(parse("vms/p.vmx", KERNEL "sched.mem.pshare.enable = \"true\"\n"
					   "virtioBalloon.present = \"false\"\n"), 0);
	CHECK(cfg.pshare_enable);
	CHECK(!cfg.virtio_balloon);
	/* A salt of exactly 32 characters. */
	CHECK_EQ(parse("vms/p.vmx",
		       KERNEL "sched.mem.pshare.salt = \"0123456789abcdefABCDEF0123456789\"\n"), 0);
	CHECK_STR(cfg.pshare_salt, "0123456789abcdefABCDEF0123456789");
}

TEST(mem_errors)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "sched.mem.shares = \"\"",
		  "sched.mem.shares \"\" is not low, normal, high or a number from 1 to 1000000" },
		{ "sched.mem.shares = \"medium\"",
		  "sched.mem.shares \"medium\" is not low, normal, high or a number from 1 to 1000000" },
		{ "sched.mem.shares = \"0\"",
		  "sched.mem.shares \"0\" is not low, normal, high or a number from 1 to 1000000" },
		{ "sched.mem.shares = \"1000001\"",
		  "sched.mem.shares \"1000001\" is not low, normal, high or a number from 1 to 1000000" },
		{ "sched.mem.shares = \"-1\"",
		  "sched.mem.shares \"-1\" is not low, normal, high or a number from 1 to 1000000" },
		{ "sched.mem.max = \"0\"",
		  "sched.mem.max 0 MB would leave the VM no memory: use -1 for no limit" },
		{ "sched.mem.max = \"-2\"",
		  "sched.mem.max \"-2\" is not a number of MB from 1 to 1048576, or -1 for no limit" },
		{ "sched.mem.max = \"1G\"",
		  "sched.mem.max \"1G\" is not a number of MB from 1 to 1048576, or -1 for no limit" },
		{ "sched.mem.max = \"1048577\"",
		  "sched.mem.max \"1048577\" is not a number of MB from 1 to 1048576, or -1 for no limit" },
		{ "sched.mem.max = \"unlimited\"",
		  "sched.mem.max \"unlimited\" is not a number of MB from 1 to 1048576, or -1 for no limit" },
		{ "sched.mem.pshare.enable = \"maybe\"",
		  "sched.mem.pshare.enable must be true or false, not \"maybe\"" },
		{ "sched.mem.pshare.salt = \"\"",
		  "sched.mem.pshare.salt is empty: leave it out to share only within the VM" },
		{ "sched.mem.pshare.salt = \"0123456789abcdefABCDEF0123456789x\"",
		  "sched.mem.pshare.salt has 33 characters: at most 32" },
		{ "sched.mem.pshare.salt = \"web tier\"",
		  "sched.mem.pshare.salt \"web tier\": ' ' is not a letter, digit, '.', '_' or '-'" },
		{ "sched.mem.pshare.salt = \"a/b\"",
		  "sched.mem.pshare.salt \"a/b\": '/' is not a letter, digit, '.', '_' or '-'" },
		{ "virtioBalloon.present = \"on\"", "virtioBalloon.present must be true or false, not \"on\"" },
	};
	char text[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), KERNEL "#\n%s\n", bad[i].line);
		check_one_error(text, 3, bad[i].msg);
		/* A rejected value leaves the default, with no line. */
		check_mem_defaults();
	}

	/* The limit below the reservation is reported at the limit, naming the reservation's line. */
	check_one_error(KERNEL "sched.mem.max = \"100\"\nsched.mem.min = \"101\"\n", 2,
			"sched.mem.max 100 MB is less than sched.mem.min 101 MB (line 3)");
	check_one_error(KERNEL "sched.mem.min = \"200\"\n\nsched.mem.max = \"64\"\n", 4,
			"sched.mem.max 64 MB is less than sched.mem.min 200 MB (line 2)");
	/* Duplicates are refused like any key. */
	check_one_error(KERNEL "sched.mem.shares = \"low\"\nsched.mem.shares = \"high\"\n", 3,
			"sched.mem.shares given twice (first on line 2)");
	CHECK_EQ(cfg.mem_shares, 5 * 256);
	check_one_error(KERNEL "sched.mem.pshare.salt = \"a\"\nsched.mem.pshare.salt = \"b\"\n", 3,
			"sched.mem.pshare.salt given twice (first on line 2)");
	CHECK_STR(cfg.pshare_salt, "a");
	/* A bad shares value keeps the default level, still resolved per MB. */
	check_one_error(KERNEL "memsize = \"1024\"\nsched.mem.shares = \"lots\"\n", 3,
			"sched.mem.shares \"lots\" is not low, normal, high or a number from 1 to 1000000");
	CHECK_EQ(cfg.mem_shares, 10240);
}

TEST(other_value_errors)
{
	check_one_error(KERNEL "displayName = \"\"\n", 2, "displayName must be 1 to 63 characters");
	CHECK_STR(cfg.name, "t");
	CHECK_EQ(cfg.name_line, 0);

	char text[256], name[VMCFG_NAME_MAX + 2];

	memset(name, 'N', VMCFG_NAME_MAX + 1);
	name[VMCFG_NAME_MAX + 1] = '\0';
	snprintf(text, sizeof(text), KERNEL "displayName = \"%s\"\n", name);
	check_one_error(text, 2, "displayName must be 1 to 63 characters");
	CHECK_STR(cfg.name, "t");

	check_one_error(KERNEL "autostart.order = \"10000\"\n", 2,
			"autostart.order must be a number from 0 to 9999");
	check_one_error(KERNEL "autostart.order = \"-1\"\n", 2,
			"autostart.order must be a number from 0 to 9999");
	check_one_error(KERNEL "autostart.order = \"first\"\n", 2,
			"autostart.order must be a number from 0 to 9999");
	CHECK_EQ(cfg.start_order, 0);
}

TEST(path_errors)
{
	check_one_error("guest.kernel = \"/boot/vmlinuz\"\n", 1,
			"guest.kernel \"/boot/vmlinuz\": path must be relative to the config's folder");
	check_one_error("guest.kernel = \"../secret\"\n", 1,
			"guest.kernel \"../secret\": '.' and '..' are not allowed in paths");
	check_one_error("guest.kernel = \"a/../../b\"\n", 1,
			"guest.kernel \"a/../../b\": '.' and '..' are not allowed in paths");
	check_one_error("guest.kernel = \"./k\"\n", 1,
			"guest.kernel \"./k\": '.' and '..' are not allowed in paths");
	check_one_error("guest.kernel = \"my kernel\"\n", 1,
			"guest.kernel \"my kernel\": illegal character in path");
	check_one_error("guest.kernel = \"c:\\\\k\"\n", 1,
			"guest.kernel \"c:\\\\k\": illegal character in path");
	check_one_error("guest.kernel = \"a//b\"\n", 1, "guest.kernel \"a//b\": empty path component");
	check_one_error("guest.kernel = \"\"\n", 1, "guest.kernel \"\": empty path");
	/* A rejected path is not looked up, and the file stays unset. */
	check_one_error(KERNEL "guest.initrd = \"/initrd\"\n", 2,
			"guest.initrd \"/initrd\": path must be relative to the config's folder");
	CHECK_STR(cfg.initrd, "");
	CHECK_EQ(cfg.initrd_line, 2);
	CHECK_EQ(stick.nasked, 1);
	CHECK_STR(stick.asked[0], "vms/linux/bzImage");
	/* The key is quoted as written. */
	check_one_error("GUEST.KERNEL = \"/k\"\n", 1,
			"GUEST.KERNEL \"/k\": path must be relative to the config's folder");

	/* A path one byte too long for the stick. */
	char text[300], p[CFG_MAX_PATH + 2];

	memset(p, 'p', CFG_MAX_PATH + 1);
	p[CFG_MAX_PATH + 1] = '\0';
	snprintf(text, sizeof(text), "guest.kernel = \"%s\"\n", p);
	CHECK_EQ(parse("vms/t.vmx", text), -EINVAL);
	CHECK_EQ(diag.n, 1);
	CHECK_EQ(diag.d[0].line, 1);
	/* The quoted path fills the message: the reason is cut off, the key is not. */
	CHECK_EQ(strncmp(diag.d[0].msg, "guest.kernel \"ppp", 17), 0);
	CHECK_EQ(strlen(diag.d[0].msg), sizeof(diag.d[0].msg) - 1);
	CHECK_STR(cfg.kernel, "");
	CHECK_EQ(stick.nasked, 0);
	p[CFG_MAX_PATH] = '\0';
	snprintf(text, sizeof(text), "guest.kernel = \"%s\"\n", p);
	CHECK_EQ(parse("vms/t.vmx", text), 0);
	CHECK_EQ(strlen(cfg.kernel), CFG_MAX_PATH + 4);
}

TEST(missing_files)
{
	const char *text = KERNEL "guest.initrd = \"linux/initrd.gz\"\n";

	stick_reset();
	stick.missing[0] = "vms/linux/initrd.gz";
	CHECK_EQ(vmcfg_parse("vms/m.vmx", text, strlen(text), stick_exists, &stick, &cfg, &diag),
		 -EINVAL);
	CHECK_EQ(stick.nasked, 2);
	CHECK_STR(stick.asked[0], "vms/linux/bzImage");
	CHECK_STR(stick.asked[1], "vms/linux/initrd.gz");
	CHECK_EQ(stick.ctx_bad, 0);
	CHECK_EQ(diag.n, 1);
	CHECK_EQ(diag.d[0].line, 2);
	CHECK_STR(diag.d[0].msg, "guest file \"linux/initrd.gz\" not found");
	CHECK_STR(cfg.initrd, "");
	CHECK_STR(cfg.kernel, "vms/linux/bzImage");

	/* Missing kernel file: reported on its line, not as "missing key". */
	stick_reset();
	stick.missing[0] = "vms/linux/bzImage";
	stick.missing[1] = "vms/linux/initrd.gz";
	CHECK_EQ(vmcfg_parse("vms/m.vmx", text, strlen(text), stick_exists, &stick, &cfg, &diag),
		 -EINVAL);
	CHECK_EQ(diag.n, 2);
	CHECK_EQ(diag.d[0].line, 1);
	CHECK_STR(diag.d[0].msg, "guest file \"linux/bzImage\" not found");
	CHECK_EQ(diag.d[1].line, 2);
	CHECK_STR(diag.d[1].msg, "guest file \"linux/initrd.gz\" not found");
	CHECK_STR(cfg.kernel, "");
	CHECK_EQ(cfg.kernel_line, 1);

	/* No guest.kernel at all: line 0, the file as a whole. */
	check_one_error("memsize = \"512\"\n", 0, "guest.kernel is missing: nothing to boot");
	check_one_error("", 0, "guest.kernel is missing: nothing to boot");
	check_one_error("guest.initrd = \"i\"\n", 0, "guest.kernel is missing: nothing to boot");
	CHECK_STR(cfg.initrd, "vms/i");
	/* A commented-out kernel is no kernel. */
	check_one_error("# guest.kernel = \"k\"\n", 0, "guest.kernel is missing: nothing to boot");
}

TEST(syntax_errors)
{
	check_one_error(KERNEL "memsize 256\n", 2, "illegal character in key or missing '='");
	check_one_error(KERNEL "memsize\n", 2, "expected '=' after key");
	check_one_error(KERNEL "memsize = 256\n", 2, "value must be in double quotes");
	check_one_error(KERNEL "memsize = \"256\n", 2, "unterminated quoted value");
	check_one_error(KERNEL "= \"256\"\n", 2, "expected a key");
	check_one_error(KERNEL "memsize = \"256\" MiB\n", 2, "unexpected text after the value");
	check_one_error(KERNEL "mem size = \"256\"\n", 2, "illegal character in key or missing '='");
	check_one_error(KERNEL "memsize = \"2\t56\"\n", 2, "value holds a tab or non-ASCII character");
	check_one_error(KERNEL "memsize = \"256\"\x01\n", 2, "control character in line");
	CHECK_EQ(cfg.memsize_mib, 256); /* the default, not the bad line's value */
	check_one_error("memsize = \"64\n" KERNEL, 1, "unterminated quoted value");
	CHECK_EQ(cfg.kernel_line, 2);

	/* A bad line does not hide the lines after it. */
	CHECK_EQ(parse("vms/s.vmx", "oops\n" KERNEL "memsize = \"64\"\n"), -EINVAL);
	CHECK_EQ(diag.n, 1);
	CHECK_EQ(cfg.memsize_mib, 64);
	CHECK_STR(cfg.kernel, "vms/linux/bzImage");

	/* A NUL byte (length given explicitly). */
	static const char nul[] = "guest.kernel = \"k\"\nmem\0size = \"64\"\n";

	stick_reset();
	CHECK_EQ(vmcfg_parse("vms/n.vmx", nul, sizeof(nul) - 1, stick_exists, &stick, &cfg, &diag),
		 -EINVAL);
	CHECK_EQ(diag.n, 1);
	CHECK_EQ(diag.d[0].line, 2);
	CHECK_STR(diag.d[0].msg, "NUL byte in line");
}

TEST(many_errors_in_line_order)
{
	const char *text =
		"displayName = \"ok\"\n"              /* 1 */
		"memsize = \"big\"\n"                 /* 2 */
		"numvcpus = \"40\"\n"                 /* 3 */
		"colour = \"blue\"\n"                 /* 4 */
		"guest.kernel = \"../vmlinuz\"\n"     /* 5 */
		"guest.initrd = \"gone.img\"\n"       /* 6 */
		"garbage\n"                           /* 7 */
		"autostart = \"sometimes\"\n"         /* 8 */
		"autostart.order = \"99999\"\n"       /* 9 */
		"memsize = \"512\"\n"                 /* 10 */
		"guest.cmdline = \"quiet\"\n";        /* 11: fine */
	static const struct {
		unsigned line;
		const char *msg;
	} want[] = {
		{ 2, "memsize \"big\" is not a number of MiB from 16 to 1048576" },
		{ 3, "numvcpus \"40\" is not a number from 1 to 16" },
		{ 4, "unknown key \"colour\"" },
		{ 5, "guest.kernel \"../vmlinuz\": '.' and '..' are not allowed in paths" },
		{ 6, "guest file \"gone.img\" not found" },
		{ 7, "expected '=' after key" },
		{ 8, "autostart must be true or false, not \"sometimes\"" },
		{ 9, "autostart.order must be a number from 0 to 9999" },
		{ 10, "memsize given twice (first on line 2)" },
	};

	stick_reset();
	stick.missing[0] = "vms/gone.img";
	CHECK_EQ(vmcfg_parse("vms/bad.vmx", text, strlen(text), stick_exists, &stick, &cfg, &diag),
		 -EINVAL);
	CHECK_EQ(diag.n, sizeof(want) / sizeof(want[0]));
	CHECK_EQ(diag.dropped, 0);
	for (unsigned i = 0; i < diag.n && i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_EQ(diag.d[i].line, want[i].line);
		CHECK_STR(diag.d[i].msg, want[i].msg);
	}
	/* What was fine still took effect. */
	CHECK_STR(cfg.name, "ok");
	CHECK_STR(cfg.cmdline, "quiet");
	CHECK_EQ(cfg.memsize_mib, 256);
}

TEST(too_many_problems)
{
	char text[4096];
	size_t off = 0;

	/* 20 unknown keys, and no kernel: 21 problems. */
	for (int i = 0; i < 20; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "bad%d = \"x\"\n", i);
	CHECK_EQ(parse("vms/many.vmx", text), -EINVAL);
	CHECK_EQ(diag.n, VMCFG_MAX_DIAG);
	CHECK_EQ(diag.dropped, 21 - VMCFG_MAX_DIAG);
	for (unsigned i = 0; i < VMCFG_MAX_DIAG; i++) {
		char want[64];

		snprintf(want, sizeof(want), "unknown key \"bad%u\"", i);
		CHECK_EQ(diag.d[i].line, i + 1);
		CHECK_STR(diag.d[i].msg, want);
	}

	/* Exactly VMCFG_MAX_DIAG problems: nothing dropped. */
	off = 0;
	for (int i = 0; i < VMCFG_MAX_DIAG - 1; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "bad%d = \"x\"\n", i);
	CHECK_EQ(parse("vms/many.vmx", text), -EINVAL);
	CHECK_EQ(diag.n, VMCFG_MAX_DIAG);
	CHECK_EQ(diag.dropped, 0);
	CHECK_EQ(diag.d[VMCFG_MAX_DIAG - 1].line, 0);
	CHECK_STR(diag.d[VMCFG_MAX_DIAG - 1].msg, "guest.kernel is missing: nothing to boot");

	/* Only dropped problems still make the config unusable (and the count is exact). */
	off = (size_t)snprintf(text, sizeof(text), KERNEL);
	for (int i = 0; i < 40; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "x\n");
	CHECK_EQ(parse("vms/many.vmx", text), -EINVAL);
	CHECK_EQ(diag.n, VMCFG_MAX_DIAG);
	CHECK_EQ(diag.dropped, 40 - VMCFG_MAX_DIAG);
	CHECK_EQ(diag.d[VMCFG_MAX_DIAG - 1].line, VMCFG_MAX_DIAG + 1);
}

/* ---- across configs ------------------------------------------------------ */

static void make_cfg(struct vm_config *c, struct vmcfg_diag *d, const char *file, const char *text)
{
	CHECK_EQ(vmcfg_parse(file, text, strlen(text), NULL, NULL, c, d), 0);
}

TEST(check_names)
{
	struct vm_config c[5];
	struct vmcfg_diag d[5];
	bool ok[5];

	make_cfg(&c[0], &d[0], "vms/a.vmx", KERNEL "displayName = \"Web\"\n");
	make_cfg(&c[1], &d[1], "vms/b.vmx", KERNEL);                            /* "b" */
	make_cfg(&c[2], &d[2], "vms/c.vmx", KERNEL "\n\ndisplayName = \"wEB\"\n");
	make_cfg(&c[3], &d[3], "vms/web.vmx", KERNEL);                          /* "web", from file */
	make_cfg(&c[4], &d[4], "vms/e.vmx", KERNEL "displayName = \"Web2\"\n");  /* a prefix only */
	for (int i = 0; i < 5; i++)
		ok[i] = true;
	vmcfg_check_names(c, d, ok, 5);
	CHECK(ok[0]);
	CHECK(ok[1]);
	CHECK(!ok[2]);
	CHECK(!ok[3]);
	CHECK(ok[4]);
	CHECK_EQ(d[0].n, 0);
	CHECK_EQ(d[1].n, 0);
	CHECK_EQ(d[4].n, 0);
	CHECK_EQ(d[2].n, 1);
	CHECK_EQ(d[2].d[0].line, 4);
	CHECK_STR(d[2].d[0].msg, "VM name \"wEB\" is already used by vms/a.vmx");
	CHECK_EQ(d[3].n, 1);
	CHECK_EQ(d[3].d[0].line, 0);   /* the name came from the file name */
	CHECK_STR(d[3].d[0].msg, "VM name \"web\" is already used by vms/a.vmx");

	/* A refused config does not block its name; the next one takes it. */
	make_cfg(&c[0], &d[0], "vms/a.vmx", KERNEL "displayName = \"Web\"\n");
	make_cfg(&c[1], &d[1], "vms/b.vmx", KERNEL "displayName = \"WEB\"\n");
	make_cfg(&c[2], &d[2], "vms/c.vmx", KERNEL "displayName = \"web\"\n");
	ok[0] = false;
	ok[1] = ok[2] = true;
	vmcfg_check_names(c, d, ok, 3);
	CHECK(!ok[0]);
	CHECK(ok[1]);
	CHECK(!ok[2]);
	CHECK_EQ(d[0].n, 0);
	CHECK_EQ(d[1].n, 0);
	CHECK_EQ(d[2].n, 1);
	CHECK_STR(d[2].d[0].msg, "VM name \"web\" is already used by vms/b.vmx");

	/* The name diag is added after the config's own problems. */
	struct vmcfg_diag bad;
	const char *t = KERNEL "displayName = \"b\"\nfoo = \"1\"\n";

	CHECK_EQ(vmcfg_parse("vms/z.vmx", t, strlen(t), NULL, NULL, &c[1], &bad), -EINVAL);
	d[1] = bad;
	make_cfg(&c[0], &d[0], "vms/b.vmx", KERNEL);
	ok[0] = true;
	ok[1] = true; /* the caller may still compare it */
	vmcfg_check_names(c, d, ok, 2);
	CHECK(!ok[1]);
	CHECK_EQ(d[1].n, 2);
	CHECK_STR(d[1].d[0].msg, "unknown key \"foo\"");
	CHECK_EQ(d[1].d[1].line, 2);
	CHECK_STR(d[1].d[1].msg, "VM name \"b\" is already used by vms/b.vmx");

	/* Nothing to compare. */
	vmcfg_check_names(c, d, ok, 0);
	make_cfg(&c[0], &d[0], "vms/solo.vmx", KERNEL);
	ok[0] = true;
	vmcfg_check_names(c, d, ok, 1);
	CHECK(ok[0]);
	CHECK_EQ(d[0].n, 0);
}

TEST(start_order)
{
	static const struct {
		const char *file;
		const char *order; /* NULL: default 0 */
	} vms[] = {
		{ "vms/m.vmx", "10" },   /* 0 */
		{ "vms/z.vmx", NULL },   /* 1 */
		{ "vms/a.vmx", "10" },   /* 2 */
		{ "vms/b.vmx", "5" },    /* 3 */
		{ "vms/c.vmx", NULL },   /* 4 */
		{ "vms/B.vmx", "5" },    /* 5: 'B' < 'b' in strcmp */
		{ "vms/a.vmx", "10" },   /* 6: same file as 2 (stable) */
	};
	static const unsigned want[] = { 4, 1, 5, 3, 2, 6, 0 };
	struct vm_config c[7];
	struct vmcfg_diag d;
	unsigned idx[7];
	char text[128];

	for (int i = 0; i < 7; i++) {
		if (vms[i].order)
			snprintf(text, sizeof(text), KERNEL "autostart.order = \"%s\"\n", vms[i].order);
		else
			snprintf(text, sizeof(text), KERNEL);
		make_cfg(&c[i], &d, vms[i].file, text);
	}
	memset(idx, 0xff, sizeof(idx));
	vmcfg_start_order(c, idx, 7);
	for (int i = 0; i < 7; i++)
		CHECK_EQ(idx[i], want[i]);

	/* Already sorted input stays as it is; reversed input is put right. */
	vmcfg_start_order(c, idx, 1);
	CHECK_EQ(idx[0], 0);
	struct vm_config r[3];

	make_cfg(&r[0], &d, "vms/c.vmx", KERNEL "autostart.order = \"3\"\n");
	make_cfg(&r[1], &d, "vms/b.vmx", KERNEL "autostart.order = \"2\"\n");
	make_cfg(&r[2], &d, "vms/a.vmx", KERNEL "autostart.order = \"1\"\n");
	vmcfg_start_order(r, idx, 3);
	CHECK_EQ(idx[0], 2);
	CHECK_EQ(idx[1], 1);
	CHECK_EQ(idx[2], 0);
	/* Order beats file name. */
	make_cfg(&r[0], &d, "vms/a.vmx", KERNEL "autostart.order = \"9\"\n");
	make_cfg(&r[1], &d, "vms/z.vmx", KERNEL "autostart.order = \"1\"\n");
	vmcfg_start_order(r, idx, 2);
	CHECK_EQ(idx[0], 1);
	CHECK_EQ(idx[1], 0);
	/* n = 0 writes nothing. */
	idx[0] = 77;
	vmcfg_start_order(r, idx, 0);
	CHECK_EQ(idx[0], 77);
}

/* The device keys (diskN, ethernetN, virtio*) are tested in test_vmconfig_dev.c. */
TEST_MAIN({ "defaults", defaults }, { "name_from_file", name_from_file },
	  { "every_key", every_key }, { "autostart_values", autostart_values },
	  { "keys_ignore_case", keys_ignore_case }, { "unknown_and_duplicate", unknown_and_duplicate },
	  { "memsize_errors", memsize_errors }, { "numvcpus_errors", numvcpus_errors },
	  { "sched_values", sched_values }, { "sched_errors", sched_errors },
	  { "mem_values", mem_values }, { "mem_errors", mem_errors },
	  { "other_value_errors", other_value_errors }, { "path_errors", path_errors },
	  { "missing_files", missing_files }, { "syntax_errors", syntax_errors },
	  { "many_errors_in_line_order", many_errors_in_line_order },
	  { "too_many_problems", too_many_problems }, { "check_names", check_names },
	  { "start_order", start_order })
