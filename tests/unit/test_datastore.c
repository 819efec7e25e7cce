// SPDX-License-Identifier: MIT
/* test_datastore.c: the datastore's on-disk format (kernel/ds_layout.c), good and corrupt. */
#include "test.h"

#include <tv/datastore.h>
#include <tv/errno.h>

#define DEV (64ull << 11)   /* a 64 MiB namespace in sectors */

static const u8 uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void reseal_super(struct ds_super *sb)
{
	sb->crc = ds_crc32(sb, offsetof(struct ds_super, crc));
}

TEST(crc)
{
	CHECK_EQ(ds_crc32("123456789", 9), 0xcbf43926);
	CHECK(ds_is_zero((const u8[4]){ 0 }, 4));
	CHECK(!ds_is_zero((const u8[4]){ 0, 0, 0, 1 }, 4));
}

TEST(superblock)
{
	struct ds_super sb, bad;
	const char *why;

	ds_super_init(&sb, "ds1", uuid, DEV);
	CHECK_EQ(ds_super_check(&sb, DEV, &why), 0);
	CHECK_EQ(ds_super_check(&sb, DEV * 2, &why), 0);
	CHECK_EQ(ds_super_check(&sb, DEV - 1, &why), -EBADMSG);
	CHECK_STR(why, "datastore larger than its device");
	/* not ours */
	memset(&bad, 0, sizeof(bad));
	CHECK_EQ(ds_super_check(&bad, DEV, &why), -ENODATA);
	bad = sb;
	bad.magic[7] ^= 1;
	CHECK_EQ(ds_super_check(&bad, DEV, &why), -ENODATA);
	/* every single flipped bit is caught */
	for (size_t i = 8; i < sizeof(sb); i++) {
		bad = sb;
		((u8 *)&bad)[i] ^= 0x10;
		CHECK_EQ(ds_super_check(&bad, DEV, &why), -EBADMSG);
	}
	CHECK_STR(why, "superblock CRC mismatch");
	/* correctly sealed but not something version 1 writes */
	bad = sb;
	bad.version = 2;
	reseal_super(&bad);
	CHECK_EQ(ds_super_check(&bad, DEV, &why), -EBADMSG);
	CHECK_STR(why, "unknown superblock version");
	bad = sb;
	bad.data_lba = 8;
	reseal_super(&bad);
	CHECK_EQ(ds_super_check(&bad, DEV, &why), -EBADMSG);
	CHECK_STR(why, "superblock geometry invalid");
	bad = sb;
	memset(bad.name, 'x', sizeof(bad.name));
	reseal_super(&bad);
	CHECK_EQ(ds_super_check(&bad, DEV, &why), -EBADMSG);
	bad = sb;
	bad.name[0] = 0;
	reseal_super(&bad);
	CHECK_EQ(ds_super_check(&bad, DEV, &why), -EBADMSG);
	bad = sb;
	bad.sectors = DS_MIN_SECTORS - 1;
	reseal_super(&bad);
	CHECK_EQ(ds_super_check(&bad, DEV, &why), -EBADMSG);
}

static struct ds_table t, t2;
static struct ds_super sb;

TEST(table)
{
	const char *why;

	ds_super_init(&sb, "ds1", uuid, DEV);
	ds_table_init(&t);
	ds_table_seal(&t);
	CHECK_EQ(ds_table_check(&t, &sb, &why), 0);
	CHECK_EQ(ds_add(&t, &sb, "vm1/data.disk", 1000), 0);
	CHECK_EQ(ds_add(&t, &sb, "vm2/data.disk", 4096), 1);
	ds_table_seal(&t);
	CHECK_EQ(t.ndisks, 2);
	CHECK_EQ(ds_table_check(&t, &sb, &why), 0);
	/* a torn or rotted copy: any flipped bit */
	for (size_t i = 8; i < sizeof(t); i += 97) {
		t2 = t;
		((u8 *)&t2)[i] ^= 4;
		CHECK_EQ(ds_table_check(&t2, &sb, &why), -EBADMSG);
	}
	/* torn: the new table's first sectors over the old table's last ones */
	t2 = t;
	strcpy(t2.e[DS_MAX_DISKS - 1].path, "last");
	t2.e[DS_MAX_DISKS - 1].start = DS_DATA_LBA + 8 * DS_EXTENT;
	t2.e[DS_MAX_DISKS - 1].sectors = t2.e[DS_MAX_DISKS - 1].alloc = DS_EXTENT;
	t2.seq = t.seq + 1;
	ds_table_seal(&t2);
	CHECK_EQ(ds_table_check(&t2, &sb, &why), 0);
	memcpy((u8 *)&t2 + sizeof(t2) / 2, (u8 *)&t + sizeof(t) / 2, sizeof(t) / 2);
	CHECK_EQ(ds_table_check(&t2, &sb, &why), -EBADMSG);
	t2 = t;
	t2.magic[0] = 'X';
	CHECK_EQ(ds_table_check(&t2, &sb, &why), -EBADMSG);
	CHECK_STR(why, "no table magic");
	/* sealed but inconsistent entries are refused as well */
	t2 = t;
	t2.e[1].start = t2.e[0].start;
	ds_table_seal(&t2);
	CHECK_EQ(ds_table_check(&t2, &sb, &why), -EBADMSG);
	CHECK_STR(why, "table entries overlap or repeat a path");
	t2 = t;
	strcpy(t2.e[1].path, t2.e[0].path);
	ds_table_seal(&t2);
	CHECK_EQ(ds_table_check(&t2, &sb, &why), -EBADMSG);
	t2 = t;
	t2.e[1].start = DEV - DS_EXTENT;
	t2.e[1].alloc = 2 * DS_EXTENT;
	t2.e[1].sectors = 4096;
	ds_table_seal(&t2);
	CHECK_EQ(ds_table_check(&t2, &sb, &why), -EBADMSG);
	CHECK_STR(why, "table entry invalid");
	t2 = t;
	t2.e[0].start = 0;           /* over the metadata */
	ds_table_seal(&t2);
	CHECK_EQ(ds_table_check(&t2, &sb, &why), -EBADMSG);
	t2 = t;
	t2.e[0].start = (u64)-DS_EXTENT;  /* wraps around */
	ds_table_seal(&t2);
	CHECK_EQ(ds_table_check(&t2, &sb, &why), -EBADMSG);
	t2 = t;
	t2.e[0].sectors = t2.e[0].alloc + 1;
	ds_table_seal(&t2);
	CHECK_EQ(ds_table_check(&t2, &sb, &why), -EBADMSG);
	t2 = t;
	t2.e[0].flags = 1;
	ds_table_seal(&t2);
	CHECK_EQ(ds_table_check(&t2, &sb, &why), -EBADMSG);
	t2 = t;
	memset(t2.e[0].path, 'p', DS_PATH_MAX);   /* unterminated */
	ds_table_seal(&t2);
	CHECK_EQ(ds_table_check(&t2, &sb, &why), -EBADMSG);
}

TEST(pick)
{
	ds_table_init(&t);
	ds_table_init(&t2);
	t.seq = 5;
	t2.seq = 6;
	CHECK_EQ(ds_table_pick(&t, true, &t2, true), 1);
	CHECK_EQ(ds_table_pick(&t2, true, &t, true), 0);
	CHECK_EQ(ds_table_pick(&t, true, &t2, false), 0);
	CHECK_EQ(ds_table_pick(&t, false, &t2, true), 1);
	CHECK_EQ(ds_table_pick(&t, false, &t2, false), -1);
}

TEST(allocate)
{
	int i;

	ds_super_init(&sb, "ds1", uuid, DEV);
	ds_table_init(&t);
	CHECK_EQ(ds_add(&t, &sb, "a", 1), 0);
	CHECK_EQ(t.e[0].start, DS_DATA_LBA);
	CHECK_EQ(t.e[0].sectors, 1);
	CHECK_EQ(t.e[0].alloc, DS_EXTENT);
	CHECK_EQ(ds_add(&t, &sb, "b", DS_EXTENT + 1), 1);
	CHECK_EQ(t.e[1].start, DS_DATA_LBA + DS_EXTENT);
	CHECK_EQ(t.e[1].alloc, 2 * DS_EXTENT);
	CHECK_EQ(ds_add(&t, &sb, "c", DS_EXTENT), 2);
	CHECK_EQ(t.e[2].start, DS_DATA_LBA + 3 * DS_EXTENT);
	CHECK_EQ(ds_add(&t, &sb, "b", 1), -EEXIST);
	CHECK_EQ(ds_find(&t, "b"), 1);
	CHECK_EQ(ds_find(&t, "nope"), -1);
	/* a freed gap is reused when it fits, skipped when not */
	memset(&t.e[1], 0, sizeof(t.e[1]));
	CHECK_EQ(ds_add(&t, &sb, "big", 3 * DS_EXTENT), 1);
	CHECK_EQ(t.e[1].start, DS_DATA_LBA + 4 * DS_EXTENT);
	CHECK_EQ(ds_add(&t, &sb, "small", 2 * DS_EXTENT), 3);
	CHECK_EQ(t.e[3].start, DS_DATA_LBA + DS_EXTENT);
	ds_table_seal(&t);
	{
		const char *why;

		CHECK_EQ(ds_table_check(&t, &sb, &why), 0);
	}
	/* the rest of the device, exactly; then nothing more */
	u64 left = DEV - (DS_DATA_LBA + 7 * DS_EXTENT);
	CHECK_EQ(ds_add(&t, &sb, "too-big", left + 1), -ENOSPC);
	CHECK_EQ(ds_add(&t, &sb, "rest", left), 4);
	CHECK_EQ(t.e[4].start + t.e[4].alloc, DEV);
	CHECK_EQ(ds_add(&t, &sb, "more", 1), -ENOSPC);
	/* paths and sizes refused */
	CHECK_EQ(ds_add(&t, &sb, "", 1), -EINVAL);
	CHECK_EQ(ds_add(&t, &sb, "x", 0), -EINVAL);
	CHECK_EQ(ds_add(&t, &sb, "tab\there", 1), -EINVAL);
	char longp[DS_PATH_MAX + 1];
	memset(longp, 'l', DS_PATH_MAX);
	longp[DS_PATH_MAX] = 0;
	CHECK_EQ(ds_add(&t, &sb, longp, 1), -EINVAL);
	CHECK_EQ(ds_add(&t, &sb, "huge", ~0ull - 100), -EINVAL);
	/* a full table */
	ds_super_init(&sb, "ds1", uuid, 1ull << 32);
	ds_table_init(&t);
	for (i = 0; i < DS_MAX_DISKS; i++) {
		char p[16];

		snprintf(p, sizeof(p), "d%d", i);
		CHECK_EQ(ds_add(&t, &sb, p, 1), i);
	}
	CHECK_EQ(ds_add(&t, &sb, "one-more", 1), -ENOSPC);
	ds_table_seal(&t);
	CHECK_EQ(t.ndisks, DS_MAX_DISKS);
}

TEST(spec)
{
	char name[DS_NAME_MAX];
	const char *path;

	CHECK_EQ(ds_parse_spec("[datastore1] vm1/data.disk", name, &path), 0);
	CHECK_STR(name, "datastore1");
	CHECK_STR(path, "vm1/data.disk");
	CHECK_EQ(ds_parse_spec("[ds1]t/disk", name, &path), 0);
	CHECK_STR(name, "ds1");
	CHECK_STR(path, "t/disk");
	CHECK_EQ(ds_parse_spec("  [a b]   c d", name, &path), 0);
	CHECK_STR(name, "a b");
	CHECK_STR(path, "c d");
	CHECK_EQ(ds_parse_spec("ds1 t/disk", name, &path), -EINVAL);
	CHECK_EQ(ds_parse_spec("[] t", name, &path), -EINVAL);
	CHECK_EQ(ds_parse_spec("[ds1]", name, &path), -EINVAL);
	CHECK_EQ(ds_parse_spec("[ds1]   ", name, &path), -EINVAL);
	CHECK_EQ(ds_parse_spec("[ds1 t", name, &path), -EINVAL);
	CHECK_EQ(ds_parse_spec("[0123456789012345678901234567890123] t", name, &path), -EINVAL);
	char longp[DS_PATH_MAX + 8] = "[x] ";
	memset(longp + 4, 'p', DS_PATH_MAX);
	longp[4 + DS_PATH_MAX] = 0;
	CHECK_EQ(ds_parse_spec(longp, name, &path), -EINVAL);
}

TEST_MAIN({ "crc", crc }, { "superblock", superblock }, { "table", table }, { "pick", pick },
	  { "allocate", allocate }, { "spec", spec })
