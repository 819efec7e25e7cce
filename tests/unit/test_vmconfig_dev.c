// SPDX-License-Identifier: MIT
/* test_vmconfig_dev.c: the device keys of VM configs, diskN.* and ethernetN.* (vmm/vmconfig_dev.c). */
#include "vmconfig_fixture.h"

TEST(virtio_keys)
{
	CHECK_EQ(parse("vms/t.vmx", KERNEL), 0);
	for (int i = 0; i < VMCFG_DISKS_MAX; i++)
		CHECK(!cfg.disk[i].present);
	CHECK(!cfg.virtio_console);
	CHECK(!cfg.virtio_rng);

	CHECK_EQ(parse("vms/t.vmx", KERNEL
		       "disk0.fileName = \"disks/root.img\"\n"
		       "DISK1.FILENAME = \"[ds1] web/data.img\"\n"
		       "disk1.readOnly = \"TRUE\"\n"
		       "disk3.present = \"false\"\n"
		       "disk3.fileName = \"x.img\"\n"
		       "virtioConsole.present = \"true\"\n"
		       "virtioRng.present = \"yes\"\n"), 0);
	CHECK_EQ(diag.n, 0);
	CHECK(cfg.disk[0].present);
	CHECK_STR(cfg.disk[0].file, "vms/disks/root.img");
	CHECK_STR(cfg.disk[0].datastore, "");
	CHECK_EQ(cfg.disk[0].line, 2);
	CHECK(!cfg.disk[0].read_only);
	CHECK(cfg.disk[1].present);
	CHECK(cfg.disk[1].read_only);
	CHECK_STR(cfg.disk[1].datastore, "ds1");
	CHECK_STR(cfg.disk[1].file, "web/data.img");
	CHECK(!cfg.disk[2].present);
	CHECK(!cfg.disk[3].present);
	CHECK(cfg.virtio_console);
	CHECK(cfg.virtio_rng);
	/* The stick was asked for the stick image only, not the datastore's. */
	CHECK_STR(stick.asked[1], "vms/disks/root.img");
	CHECK_STR(stick.asked[2], "vms/x.img");
	CHECK_EQ(stick.nasked, 3);

	check_one_error(KERNEL "disk4.fileName = \"a.img\"\n", 2,
			"\"disk4.fileName\": disks are disk0 to disk3");
	check_one_error(KERNEL "disk12.fileName = \"a.img\"\n", 2,
			"\"disk12.fileName\": disks are disk0 to disk3");
	check_one_error(KERNEL "disk0.size = \"1\"\n", 2,
			"unknown key \"disk0.size\" (a disk has present, fileName, readOnly, sizeMB)");
	/* sizeMB: only for datastore disks, a number of MiB. */
	CHECK_EQ(parse("vms/t.vmx", KERNEL "disk0.fileName = \"[ds1] a/b.disk\"\ndisk0.sizeMB = \"64\"\n"),
		 0);
	CHECK_EQ(cfg.disk[0].size_mib, 64);
	check_one_error(KERNEL "disk0.fileName = \"[ds1] a/b.disk\"\ndisk0.sizeMB = \"0\"\n", 3,
			"disk0.sizeMB \"0\" is not a number of MiB from 1 to 4194304");
	check_one_error(KERNEL "disk0.fileName = \"a.img\"\ndisk0.sizeMB = \"8\"\n", 3,
			"disk0.sizeMB is for datastore disks; a stick image has its own size");
	check_one_error(KERNEL "disk2.sizeMB = \"8\"\n", 2, "disk2.sizeMB without disk2.fileName");
	check_one_error(KERNEL "disk0.fileName = \"a.img\"\ndisk0.fileName = \"b.img\"\n", 3,
			"disk0.fileName given twice (first on line 2)");
	check_one_error(KERNEL "disk0.fileName = \"a.img\"\ndisk0.readOnly = \"maybe\"\n", 3,
			"disk0.readOnly must be true or false, not \"maybe\"");
	check_one_error(KERNEL "disk2.present = \"true\"\n", 2,
			"disk2.present without disk2.fileName");
	check_one_error(KERNEL "disk2.readOnly = \"true\"\n", 2,
			"disk2.readOnly without disk2.fileName");
	check_one_error(KERNEL "disk0.fileName = \"../etc/passwd\"\n", 2,
			"disk0.fileName \"../etc/passwd\": '.' and '..' are not allowed in paths");
	check_one_error(KERNEL "disk0.fileName = \"[ds1]web.img\"\n", 2,
			"disk0.fileName \"[ds1]web.img\": a datastore disk is \"[name] path\"");
	check_one_error(KERNEL "disk0.fileName = \"[] web.img\"\n", 2,
			"disk0.fileName \"[] web.img\": a datastore disk is \"[name] path\"");
	check_one_error(KERNEL "disk0.fileName = \"[d s] web.img\"\n", 2,
			"disk0.fileName \"[d s] web.img\": a datastore disk is \"[name] path\"");
	check_one_error(KERNEL "disk0.fileName = \"[ds1] /abs.img\"\n", 2,
			"disk0.fileName \"[ds1] /abs.img\": a datastore disk is \"[name] path\"");
	check_one_error(KERNEL "virtioRng.present = \"2\"\n", 2,
			"virtioRng.present must be true or false, not \"2\"");
	check_one_error(KERNEL "virtioConsole.present = \"\"\n", 2,
			"virtioConsole.present must be true or false, not \"\"");
	/* A missing image: the usual message, and the disk is not created. */
	stick_reset();
	stick.missing[0] = "vms/gone.img";
	{
		static const char text[] = KERNEL "disk0.fileName = \"gone.img\"\n";

		CHECK_EQ(vmcfg_parse("vms/t.vmx", text, strlen(text), stick_exists, &stick, &cfg,
				     &diag), -EINVAL);
	}
	CHECK_EQ(diag.n, 1);
	CHECK_STR(diag.d[0].msg, "guest file \"gone.img\" not found");
	CHECK(!cfg.disk[0].present);
}

/* ethernetN.*: which NICs exist, their port group and address, and every error. */
TEST(nic_keys)
{
	CHECK_EQ(parse("vms/web.vmx", KERNEL "ethernet0.present = \"TRUE\"\n"
				       "ethernet1.networkName = \"Lab 20\"\n"
				       "ethernet1.address = \"02:00:5E:10:20:3f\"\n"
				       "ethernet1.addressType = \"static\"\n"
				       "ethernet2.present = \"false\"\n"
				       "ethernet2.networkName = \"x\"\n"
				       "ethernet3.virtualDev = \"virtio\"\n"), 0);
	CHECK(cfg.nic[0].present);
	CHECK_STR(cfg.nic[0].network, "VM Network");
	CHECK_EQ(cfg.nic[0].line, 2);
	CHECK(!cfg.nic[0].mac_static);
	CHECK_EQ(cfg.nic[0].mac[0], 0x02);
	CHECK_EQ(cfg.nic[0].mac[1], 0x74);
	CHECK(cfg.nic[1].present);
	CHECK_STR(cfg.nic[1].network, "Lab 20");
	CHECK_EQ(cfg.nic[1].mac[5], 0x3f);
	CHECK_EQ(cfg.nic[1].mac[3], 0x10);
	CHECK(!cfg.nic[2].present);
	CHECK(cfg.nic[3].present);
	/* Generated addresses: stable for a name, different per NIC and per VM. */
	u8 m0[6], m3[6];
	memcpy(m0, cfg.nic[0].mac, 6);
	memcpy(m3, cfg.nic[3].mac, 6);
	CHECK(memcmp(m0, m3, 6) != 0);
	CHECK_EQ(parse("vms/web.vmx", KERNEL "ethernet0.present = \"TRUE\"\n"), 0);
	CHECK(!memcmp(cfg.nic[0].mac, m0, 6));
	CHECK_EQ(parse("vms/db.vmx", KERNEL "ethernet0.present = \"TRUE\"\n"), 0);
	CHECK(memcmp(cfg.nic[0].mac, m0, 6) != 0);
	CHECK_EQ(parse("vms/none.vmx", KERNEL), 0);
	CHECK(!cfg.nic[0].present);

	check_one_error(KERNEL "ethernet4.present = \"TRUE\"\n", 2,
			"\"ethernet4.present\": NICs are ethernet0 to ethernet3");
	check_one_error(KERNEL "ethernet0.connectionType = \"bridged\"\n", 2,
			"unknown key \"ethernet0.connectionType\" (a NIC has present, networkName, address, addressType, virtualDev)");
	check_one_error(KERNEL "ethernet0.present = \"maybe\"\n", 2,
			"ethernet0.present must be true or false, not \"maybe\"");
	check_one_error(KERNEL "ethernet0.networkName = \"\"\n", 2,
			"ethernet0.networkName must be 1 to 31 characters");
	check_one_error(KERNEL "ethernet0.address = \"01:00:5e:00:00:01\"\n", 2,
			"ethernet0.address \"01:00:5e:00:00:01\" is not a unicast MAC like 02:74:76:00:00:01");
	check_one_error(KERNEL "ethernet0.address = \"00:00:00:00:00:00\"\n", 2,
			"ethernet0.address \"00:00:00:00:00:00\" is not a unicast MAC like 02:74:76:00:00:01");
	check_one_error(KERNEL "ethernet0.address = \"02:00:5e:10:20\"\n", 2,
			"ethernet0.address \"02:00:5e:10:20\" is not a unicast MAC like 02:74:76:00:00:01");
	check_one_error(KERNEL "ethernet0.address = \"02:00:5e:1g:20:30\"\n", 2,
			"ethernet0.address \"02:00:5e:1g:20:30\" is not a unicast MAC like 02:74:76:00:00:01");
	check_one_error(KERNEL "ethernet0.addressType = \"vpx\"\n", 2,
			"ethernet0.addressType must be static or generated, not \"vpx\"");
	check_one_error(KERNEL "ethernet0.addressType = \"static\"\n", 2,
			"ethernet0.addressType static without ethernet0.address");
	check_one_error(KERNEL "ethernet0.addressType = \"generated\"\n"
			       "ethernet0.address = \"02:00:00:00:00:01\"\n", 3,
			"ethernet0.address with ethernet0.addressType generated");
	check_one_error(KERNEL "ethernet0.virtualDev = \"e1000\"\n", 2,
			"ethernet0.virtualDev \"e1000\": VMs get virtio-net only (\"virtio\")");
	check_one_error(KERNEL "ethernet1.present = \"TRUE\"\nethernet1.present = \"TRUE\"\n", 3,
			"ethernet1.present given twice (first on line 2)");
}

TEST_MAIN({ "virtio_keys", virtio_keys }, { "nic_keys", nic_keys })
