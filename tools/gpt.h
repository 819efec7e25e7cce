/* SPDX-License-Identifier: MIT */
/* gpt.h: writing a GUID partition table with one EFI system partition (pure). */
#ifndef TOOLS_GPT_H
#define TOOLS_GPT_H

#include <stddef.h>
#include <stdint.h>

#define GPT_SECTOR 512u
#define GPT_ENTRIES 128u
#define GPT_ENTRY_SIZE 128u
#define GPT_ENTRY_SECTORS (GPT_ENTRIES * GPT_ENTRY_SIZE / GPT_SECTOR) /* 32 */
#define GPT_ESP_FIRST_LBA 2048u                                       /* 1 MiB aligned */

struct gpt_layout {
	uint64_t disk_sectors;
	uint64_t esp_first, esp_last;   /* inclusive LBAs */
	uint8_t disk_guid[16];
	uint8_t esp_guid[16];
};

/* Fill esp_first/esp_last for a disk; -1 if the disk is too small. */
int gpt_plan(struct gpt_layout *l, uint64_t disk_bytes);

/*
 * Produce the sectors to write: the protective MBR + primary header +
 * entries (head, 34 sectors, at LBA 0) and backup entries + header (tail,
 * 33 sectors, ending at the last LBA).
 */
void gpt_build(const struct gpt_layout *l, uint8_t head[34 * GPT_SECTOR],
	       uint8_t tail[33 * GPT_SECTOR]);

/* Verify a GPT header sector (signature, size, CRC); returns NULL or a reason. */
const char *gpt_check_header(const uint8_t *sector, uint64_t my_lba, const uint8_t *entries);

#endif
