// SPDX-License-Identifier: MIT
/* gpt.c: GPT with a protective MBR and one EFI system partition (UEFI spec ch. 5). */
#include <string.h>
#include <zlib.h>
#include "gpt.h"

/* C12A7328-F81F-11D2-BA4B-00A0C93EC93B, in on-disk (mixed-endian) order */
static const uint8_t esp_type[16] = { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
				      0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

int gpt_plan(struct gpt_layout *l, uint64_t disk_bytes)
{
	l->disk_sectors = disk_bytes / GPT_SECTOR;
	if (l->disk_sectors < GPT_ESP_FIRST_LBA + 2048 + 34)
		return -1;
	l->esp_first = GPT_ESP_FIRST_LBA;
	/* End on a 1 MiB boundary below the backup table, as partitioners do. */
	l->esp_last = ((l->disk_sectors - 2 - GPT_ENTRY_SECTORS + 1) / 2048) * 2048 - 1;
	return 0;
}

static void header(const struct gpt_layout *l, uint8_t *h, uint64_t my, uint64_t alt,
		   uint64_t entries_lba, uint32_t entries_crc)
{
	memset(h, 0, GPT_SECTOR);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);          /* revision 1.0 */
	put32(h + 12, 92);                 /* header size */
	put64(h + 24, my);
	put64(h + 32, alt);
	put64(h + 40, 2 + GPT_ENTRY_SECTORS);          /* first usable LBA */
	put64(h + 48, l->disk_sectors - 2 - GPT_ENTRY_SECTORS); /* last usable LBA */
	memcpy(h + 56, l->disk_guid, 16);
	put64(h + 72, entries_lba);
	put32(h + 80, GPT_ENTRIES);
	put32(h + 84, GPT_ENTRY_SIZE);
	put32(h + 88, entries_crc);
	put32(h + 16, (uint32_t)crc32(0, h, 92));
}

void gpt_build(const struct gpt_layout *l, uint8_t head[34 * GPT_SECTOR],
	       uint8_t tail[33 * GPT_SECTOR])
{
	uint8_t *mbr = head, *entries = head + 2 * GPT_SECTOR;
	uint64_t last = l->disk_sectors - 1;
	uint32_t mbr_size = last > 0xffffffffu ? 0xffffffffu : (uint32_t)last;
	const char *name = "thinvisor";
	uint32_t ecrc;

	memset(head, 0, 34 * GPT_SECTOR);
	/* Protective MBR: one partition of type 0xEE covering the disk. */
	mbr[446 + 1] = 0x00;
	mbr[446 + 2] = 0x02;
	mbr[446 + 4] = 0xee;
	mbr[446 + 5] = 0xff;
	mbr[446 + 6] = 0xff;
	mbr[446 + 7] = 0xff;
	put32(mbr + 446 + 8, 1);
	put32(mbr + 446 + 12, mbr_size);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;

	memcpy(entries, esp_type, 16);
	memcpy(entries + 16, l->esp_guid, 16);
	put64(entries + 32, l->esp_first);
	put64(entries + 40, l->esp_last);
	for (size_t i = 0; name[i]; i++)
		put16(entries + 56 + 2 * i, (uint16_t)name[i]); /* UTF-16LE */
	ecrc = (uint32_t)crc32(0, entries, GPT_ENTRIES * GPT_ENTRY_SIZE);
	header(l, head + GPT_SECTOR, 1, last, 2, ecrc);

	memcpy(tail, entries, GPT_ENTRY_SECTORS * GPT_SECTOR);
	header(l, tail + GPT_ENTRY_SECTORS * GPT_SECTOR, last, 1, last - GPT_ENTRY_SECTORS, ecrc);
}

const char *gpt_check_header(const uint8_t *h, uint64_t my_lba, const uint8_t *entries)
{
	uint8_t tmp[92];

	if (memcmp(h, "EFI PART", 8) != 0)
		return "no GPT signature";
	if (get32(h + 12) != 92)
		return "unexpected header size";
	memcpy(tmp, h, 92);
	put32(tmp + 16, 0);
	if ((uint32_t)crc32(0, tmp, 92) != get32(h + 16))
		return "header CRC mismatch";
	if (get64(h + 24) != my_lba)
		return "header is not where it says it is";
	if (entries && (uint32_t)crc32(0, entries, get32(h + 80) * get32(h + 84)) != get32(h + 88))
		return "partition entries CRC mismatch";
	return NULL;
}
