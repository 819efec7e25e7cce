// SPDX-License-Identifier: MIT
/* test_gpt.c: the GPT writer used by mkstick (tools/gpt.c), checked independently. */
#include "test.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <tv/types.h>

#include "../../tools/gpt.h"

#define SEC GPT_SECTOR

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 le64(const u8 *p)
{
	return (u64)le32(p) | (u64)le32(p + 4) << 32;
}

static u32 zcrc(const void *p, size_t n)
{
	return (u32)crc32(0, p, (uInt)n);
}

static bool all_zero(const u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void layout_for(struct gpt_layout *l, u64 bytes)
{
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < 16; i++) {
		l->disk_guid[i] = (u8)(0x10 + i);
		l->esp_guid[i] = (u8)(0xa0 + i);
	}
	CHECK_EQ(gpt_plan(l, bytes), 0);
}

TEST(plan)
{
	struct gpt_layout l;
	const u64 min = (2048ull + 2048 + 34) * SEC;

	memset(&l, 0, sizeof(l));
	CHECK_EQ(gpt_plan(&l, 0), -1);
	CHECK_EQ(gpt_plan(&l, 1 << 20), -1);
	CHECK_EQ(gpt_plan(&l, min - SEC), -1);
	CHECK_EQ(gpt_plan(&l, min - 1), -1);
	CHECK_EQ(gpt_plan(&l, min), 0);
	CHECK_EQ(l.disk_sectors, 4130);
	CHECK_EQ(l.esp_first, 2048);
	CHECK_EQ(l.esp_last, 4095);
	/* The ESP ends on the last 1 MiB boundary before the backup entries. */
	CHECK_EQ(gpt_plan(&l, 64ull << 20), 0);
	CHECK_EQ(l.disk_sectors, 131072);
	CHECK_EQ(l.esp_first, 2048);
	CHECK_EQ(l.esp_last, 131072 - 2048 - 1);
	/* A size that is not a whole number of sectors rounds down. */
	CHECK_EQ(gpt_plan(&l, (64ull << 20) + 511), 0);
	CHECK_EQ(l.disk_sectors, 131072);
	CHECK_EQ(gpt_plan(&l, 16ull << 40), 0);
	CHECK_EQ(l.esp_last, (16ull << 40) / SEC - 2048 - 1);
	CHECK_EQ((l.esp_last + 1) % 2048, 0);
}

/* Everything about one built image, checked byte by byte. */
static void check_image(u64 bytes)
{
	struct gpt_layout l;
	u8 *head = malloc(34 * SEC), *tail = malloc(33 * SEC);
	u64 last;

	layout_for(&l, bytes);
	last = l.disk_sectors - 1;
	memset(head, 0x5a, 34 * SEC);
	memset(tail, 0x5a, 33 * SEC);
	gpt_build(&l, head, tail);

	/* Protective MBR. */
	const u8 *mbr = head, *pe = head + 446;

	CHECK(all_zero(mbr, 446));
	CHECK_EQ(pe[0], 0x00);                 /* not bootable */
	CHECK_EQ(pe[1], 0x00);                 /* CHS start 0/0/2 */
	CHECK_EQ(pe[2], 0x02);
	CHECK_EQ(pe[3], 0x00);
	CHECK_EQ(pe[4], 0xee);
	CHECK_EQ(pe[5], 0xff);
	CHECK_EQ(pe[6], 0xff);
	CHECK_EQ(pe[7], 0xff);
	CHECK_EQ(le32(pe + 8), 1);
	CHECK_EQ(le32(pe + 12), last > 0xffffffffull ? 0xffffffffu : (u32)last);
	CHECK(all_zero(mbr + 462, 48));        /* the other three entries */
	CHECK_EQ(mbr[510], 0x55);
	CHECK_EQ(mbr[511], 0xaa);

	/* Primary header. */
	const u8 *h = head + SEC, *ent = head + 2 * SEC;

	CHECK(gpt_check_header(h, 1, ent) == NULL);
	CHECK(memcmp(h, "EFI PART", 8) == 0);
	CHECK_EQ(le32(h + 8), 0x00010000);
	CHECK_EQ(le32(h + 12), 92);
	CHECK_EQ(le32(h + 20), 0);
	CHECK_EQ(le64(h + 24), 1);
	CHECK_EQ(le64(h + 32), last);
	CHECK_EQ(le64(h + 40), 34);
	CHECK_EQ(le64(h + 48), last - 33);
	CHECK(memcmp(h + 56, l.disk_guid, 16) == 0);
	CHECK_EQ(le64(h + 72), 2);
	CHECK_EQ(le32(h + 80), 128);
	CHECK_EQ(le32(h + 84), 128);
	CHECK_EQ(le32(h + 88), zcrc(ent, 128 * 128));
	CHECK(all_zero(h + 92, SEC - 92));
	u8 tmp[92];

	memcpy(tmp, h, 92);
	memset(tmp + 16, 0, 4);
	CHECK_EQ(le32(h + 16), zcrc(tmp, 92));

	/* The one partition entry: the ESP. */
	static const u8 esp_type[16] = { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
					 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b };
	static const u8 name[] = { 't', 0, 'h', 0, 'i', 0, 'n', 0, 'v', 0, 'i', 0,
				   's', 0, 'o', 0, 'r', 0 };

	CHECK(memcmp(ent, esp_type, 16) == 0);
	CHECK(memcmp(ent + 16, l.esp_guid, 16) == 0);
	CHECK_EQ(le64(ent + 32), 2048);
	CHECK(le64(ent + 40) <= last - 33);           /* inside the usable LBAs */
	CHECK(le64(ent + 40) > last - 33 - 2048);     /* and not wasting more than 1 MiB */
	CHECK_EQ((le64(ent + 40) + 1) % 2048, 0);
	CHECK_EQ(le64(ent + 40), l.esp_last);
	CHECK_EQ(le64(ent + 48), 0);           /* attributes */
	CHECK(memcmp(ent + 56, name, sizeof(name)) == 0);
	CHECK(all_zero(ent + 56 + sizeof(name), 72 - sizeof(name)));
	CHECK(all_zero(ent + 128, 127 * 128)); /* unused entries */
	/* The ESP is 1 MiB aligned and inside the usable area. */
	CHECK_EQ((le64(ent + 32) * SEC) % (1 << 20), 0);
	CHECK(le64(ent + 32) >= le64(h + 40));
	CHECK(le64(ent + 40) <= le64(h + 48));

	/* Backup: entries then header, ending at the last LBA. */
	const u8 *bent = tail, *bh = tail + 32 * SEC;

	CHECK(memcmp(bent, ent, 32 * SEC) == 0);
	CHECK(gpt_check_header(bh, last, bent) == NULL);
	CHECK(gpt_check_header(bh, last, ent) == NULL);
	CHECK_EQ(le64(bh + 24), last);
	CHECK_EQ(le64(bh + 32), 1);
	CHECK_EQ(le64(bh + 72), last - 32);
	CHECK_EQ(le64(bh + 40), 34);
	CHECK_EQ(le64(bh + 48), last - 33);
	CHECK(memcmp(bh + 56, l.disk_guid, 16) == 0);
	CHECK_EQ(le32(bh + 88), le32(h + 88));
	CHECK(all_zero(bh + 92, SEC - 92));
	/* Headers differ only in their own/alternate/entries LBAs and CRC. */
	CHECK(memcmp(bh, h, 16) == 0);
	CHECK(memcmp(bh + 40, h + 40, 32) == 0);
	CHECK(memcmp(bh + 80, h + 80, 12) == 0);
	/* A header checked as if it were the other one. */
	CHECK_STR(gpt_check_header(h, last, ent), "header is not where it says it is");
	CHECK_STR(gpt_check_header(bh, 1, ent), "header is not where it says it is");
	free(head);
	free(tail);
}

TEST(build_sizes)
{
	check_image((2048ull + 2048 + 34) * SEC); /* the smallest */
	check_image(64ull << 20);
	check_image((8ull << 30) + 12345);
	check_image(2ull << 40);                  /* last LBA = 2^32 - 1: fits exactly */
	check_image((2ull << 40) + SEC);          /* clamped */
	check_image(3ull << 40);
}

TEST(mbr_size_clamp)
{
	struct gpt_layout l;
	u8 *head = malloc(34 * SEC), *tail = malloc(33 * SEC);

	layout_for(&l, 3ull << 40);
	gpt_build(&l, head, tail);
	CHECK_EQ(le32(head + 446 + 12), 0xffffffffu);
	layout_for(&l, (2ull << 40) - SEC);
	gpt_build(&l, head, tail);
	CHECK_EQ(le32(head + 446 + 12), 0xfffffffeu);
	free(head);
	free(tail);
}

TEST(check_header_rejects)
{
	struct gpt_layout l;
	u8 *head = malloc(34 * SEC), *tail = malloc(33 * SEC);
	u8 *h = head + SEC, *ent = head + 2 * SEC;
	int missed = 0;

	layout_for(&l, 64ull << 20);
	gpt_build(&l, head, tail);
	/* Every bit of the 92 covered header bytes. */
	for (int bit = 0; bit < 92 * 8; bit++) {
		const char *why;

		h[bit / 8] ^= (u8)(1u << (bit % 8));
		why = gpt_check_header(h, 1, ent);
		h[bit / 8] ^= (u8)(1u << (bit % 8));
		if (!why)
			missed++;
		else if (bit < 64)
			CHECK_STR(why, "no GPT signature");
		else if (bit >= 96 && bit < 128)
			CHECK_STR(why, "unexpected header size");
		else
			CHECK_STR(why, "header CRC mismatch");
	}
	CHECK_EQ(missed, 0);
	/* Every 97th bit of the entry array. */
	for (int bit = 0; bit < 128 * 128 * 8; bit += 97) {
		ent[bit / 8] ^= (u8)(1u << (bit % 8));
		if (!gpt_check_header(h, 1, ent) ||
		    strcmp(gpt_check_header(h, 1, ent), "partition entries CRC mismatch") != 0)
			missed++;
		ent[bit / 8] ^= (u8)(1u << (bit % 8));
	}
	CHECK_EQ(missed, 0);
	/* Without entries only the header is checked. */
	ent[100] ^= 1;
	CHECK(gpt_check_header(h, 1, NULL) == NULL);
	ent[100] ^= 1;
	CHECK(gpt_check_header(h, 1, ent) == NULL);
	/* A zeroed sector is no GPT. */
	static const u8 zero[SEC];

	CHECK_STR(gpt_check_header(zero, 1, NULL), "no GPT signature");
	free(head);
	free(tail);
}

/* Write a sparse disk image and let sgdisk judge it. */
static int run(const char *cmd, char *out, size_t outsz)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;

	if (!p)
		return -1;
	while (n + 1 < outsz) {
		size_t r = fread(out + n, 1, outsz - 1 - n, p);

		if (r == 0)
			break;
		n += r;
	}
	out[n] = '\0';
	return pclose(p);
}

static bool complains(const char *out)
{
	static const char *const bad[] = {
		"Creating new GPT", "corrupt", "ERROR", "Warning", "invalid", "damaged",
		"Problem", "mismatch",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(out, bad[i]))
			return true;
	return false;
}

static void sgdisk_check(u64 bytes)
{
	struct gpt_layout l;
	u8 *head = malloc(34 * SEC), *tail = malloc(33 * SEC);
	char path[] = "/tmp/thinvisor-gpt-XXXXXX", cmd[256], out[8192];
	int fd = mkstemp(path);

	layout_for(&l, bytes);
	gpt_build(&l, head, tail);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(ftruncate(fd, (off_t)bytes), 0);
	CHECK_EQ(pwrite(fd, head, 34 * SEC, 0), 34 * SEC);
	CHECK_EQ(pwrite(fd, tail, 33 * SEC, (off_t)((l.disk_sectors - 33) * SEC)), 33 * SEC);
	close(fd);

	/*
	 * sgdisk -v says "No problems found" even for a blank disk (it makes
	 * a GPT up in memory), so also look for its complaints.
	 */
	snprintf(cmd, sizeof(cmd), "sgdisk -v %s 2>&1", path);
	CHECK_EQ(run(cmd, out, sizeof(out)), 0);
	test_checks++;
	if (!strstr(out, "No problems found") || complains(out)) {
		test_failures++;
		fprintf(stderr, "sgdisk -v on a %llu-byte image:\n%s\n", (unsigned long long)bytes, out);
	}
	snprintf(cmd, sizeof(cmd), "sgdisk -p %s 2>&1", path);
	CHECK_EQ(run(cmd, out, sizeof(out)), 0);
	CHECK(!complains(out));
	CHECK(strstr(out, "Disk identifier (GUID): 13121110-1514-1716-1819-1A1B1C1D1E1F") != NULL);
	CHECK(strstr(out, "First usable sector is 34, last usable sector is ") != NULL);
	snprintf(cmd, sizeof(cmd), "sgdisk -i 1 %s 2>&1", path);
	CHECK_EQ(run(cmd, out, sizeof(out)), 0);
	CHECK(strstr(out, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B") != NULL);
	CHECK(strstr(out, "Partition name: 'thinvisor'") != NULL);
	CHECK(strstr(out, "First sector: 2048 ") != NULL);
	snprintf(cmd, sizeof(cmd), "Last sector: %llu ", (unsigned long long)l.esp_last);
	CHECK(strstr(out, cmd) != NULL);
	/* sgdisk prints GUIDs in the mixed-endian text form. */
	CHECK(strstr(out, "A3A2A1A0-A5A4-A7A6-A8A9-AAABACADAEAF") != NULL);
	/* The check can fail: damage the backup header and sgdisk notices. */
	fd = open(path, O_WRONLY);
	CHECK_EQ(pwrite(fd, "\x01", 1, (off_t)((l.disk_sectors - 1) * SEC + 40)), 1);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sgdisk -v %s 2>&1", path);
	run(cmd, out, sizeof(out));
	CHECK(complains(out));
	unlink(path);
	free(head);
	free(tail);
}

TEST(sgdisk_verifies)
{
	if (system("command -v sgdisk >/dev/null 2>&1") != 0) {
		printf("test_gpt: sgdisk not installed, skipping the sgdisk -v check\n");
		return;
	}
	sgdisk_check((2048ull + 2048 + 34) * SEC);
	sgdisk_check(64ull << 20);
	sgdisk_check((1ull << 30) + 4096);
}

TEST_MAIN({ "plan", plan },
	  { "build_sizes", build_sizes },
	  { "mbr_size_clamp", mbr_size_clamp },
	  { "check_header_rejects", check_header_rejects },
	  { "sgdisk_verifies", sgdisk_verifies })
