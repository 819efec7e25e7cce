/* SPDX-License-Identifier: MIT */
/*
 * datastore.h: named virtual disks on a host NVMe namespace (layout in
 * docs/storage.md). kernel/datastore.c does the I/O; kernel/ds_layout.c is
 * the pure on-disk format (superblock, two table copies, allocation),
 * unit-tested on the host.
 */
#ifndef TV_DATASTORE_H
#define TV_DATASTORE_H

#include <tv/types.h>

struct blkdev;

#define DS_MAGIC "TVDSTOR1"
#define DS_TABLE_MAGIC "TVDSTABL"
#define DS_VERSION 1u
#define DS_NAME_MAX 32           /* bytes with the NUL */
#define DS_PATH_MAX 96
#define DS_MAX_DISKS 127
#define DS_SB_SECTORS 8u         /* the superblock's 4 KiB block: namespaces may have 4 KiB blocks */
#define DS_TABLE_SECTORS 32u     /* 16 KiB per table copy */
#define DS_TABLE0_LBA 8u         /* copies at 4 KiB and 20 KiB */
#define DS_DATA_LBA 2048u        /* data from 1 MiB */
#define DS_EXTENT 2048u          /* disks are allocated in 1 MiB extents */
#define DS_MIN_SECTORS (2u * DS_DATA_LBA)
/* The format only writes to a namespace whose first (and last) MiB are all zeroes. */
#define DS_BLANK_SECTORS 2048u

/* Sector 0 of the namespace. Written once, at format. */
struct ds_super {
	char magic[8];
	u32 version;
	u32 size;                /* sizeof(struct ds_super) */
	u8 uuid[16];
	char name[DS_NAME_MAX];  /* NUL-terminated */
	u64 sectors;             /* 512-byte sectors the datastore spans */
	u64 table_lba[2];
	u32 table_sectors;
	u32 max_disks;
	u64 data_lba;
	u64 extent;              /* allocation unit in sectors */
	u8 reserved[396];
	u32 crc;                 /* CRC-32 of the bytes before it */
};

struct ds_entry {
	char path[DS_PATH_MAX];  /* "" = free slot */
	u64 start;               /* first sector */
	u64 sectors;             /* size the guest sees */
	u64 alloc;               /* sectors reserved (a multiple of extent) */
	u64 flags;               /* none yet; must be 0 */
};

struct ds_table {
	char magic[8];
	u64 seq;                 /* the copy with the higher valid seq is current */
	u32 crc;                 /* CRC-32 of the whole table with this field 0 */
	u32 ndisks;
	u8 reserved[104];
	struct ds_entry e[DS_MAX_DISKS];
};

_Static_assert(sizeof(struct ds_super) == 512, "superblock is one sector");
_Static_assert(sizeof(struct ds_entry) == 128, "table entry is 128 bytes");
_Static_assert(sizeof(struct ds_table) == DS_TABLE_SECTORS * 512, "table copy is 16 KiB");
_Static_assert(__builtin_offsetof(struct ds_table, e) == 128, "entries after a 128-byte header");

/* ---- the pure format (kernel/ds_layout.c) ---- */
u32 ds_crc32(const void *p, size_t n);
bool ds_is_zero(const void *p, size_t n);
void ds_super_init(struct ds_super *sb, const char *name, const u8 uuid[16], u64 sectors);
/*
 * 0 for a valid superblock that fits a device of dev_sectors; -ENODATA if it
 * is not ours (no magic); -EBADMSG if it is ours but corrupt, with *why.
 */
int ds_super_check(const struct ds_super *sb, u64 dev_sectors, const char **why);
void ds_table_init(struct ds_table *t);
void ds_table_seal(struct ds_table *t);
/* 0 if t is a consistent table for sb, else -EBADMSG with *why. */
int ds_table_check(const struct ds_table *t, const struct ds_super *sb, const char **why);
/* The copy to use (0 or 1) given which are valid; -1 if neither. */
int ds_table_pick(const struct ds_table *t0, bool ok0, const struct ds_table *t1, bool ok1);
/* Index of the disk at path, or -1. */
int ds_find(const struct ds_table *t, const char *path);
/*
 * Add a disk of sectors at path in the first gap that fits; returns its
 * index, -EEXIST, -EINVAL (bad path or size), -ENOSPC.
 */
int ds_add(struct ds_table *t, const struct ds_super *sb, const char *path, u64 sectors);
/*
 * Split "[name] path" (the space is optional). Returns 0 with name copied
 * and *path pointing into spec, or -EINVAL.
 */
int ds_parse_spec(const char *spec, char name[DS_NAME_MAX], const char **path);

/* ---- mounted datastores (kernel/datastore.c) ---- */

/* Mount a datastore on every NVMe namespace (formatting blank ones if
 * datastore.format=auto) and log them. Returns how many were mounted. */
int datastore_init(void);

/*
 * Open the disk named by spec ("[datastore1] vm1/data.disk"), creating it
 * with create_sectors if it does not exist (0: it must exist). A disk is
 * open at most once. Returns a blkdev (close it with its ops->close), or
 * NULL with the reason in why.
 */
struct blkdev *datastore_open_disk(const char *spec, u64 create_sectors, char *why, size_t whylen);

/* test.blk=SPEC: write, flush and verify a pattern on that disk (kernel/blktest.c). */
void datastore_selftest(const char *spec);

#endif
