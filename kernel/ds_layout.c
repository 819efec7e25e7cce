// SPDX-License-Identifier: MIT
/* ds_layout.c: the datastore's on-disk format: checks, table copies, allocation. Pure. */
#include <tv/compiler.h>
#include <tv/datastore.h>
#include <tv/errno.h>
#include <tv/string.h>

/* CRC-32 (IEEE, as zlib's), bit by bit: metadata is small and written rarely. */
static u32 crc_update(u32 crc, const void *p, size_t n)
{
	const u8 *b = p;

	while (n--) {
		crc ^= *b++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return crc;
}

u32 ds_crc32(const void *p, size_t n)
{
	return ~crc_update(0xffffffffu, p, n);
}

/* The table's CRC covers the whole copy with its own field taken as zero. */
static u32 table_crc(const struct ds_table *t)
{
	const size_t off = offsetof(struct ds_table, crc);
	const u32 zero = 0;
	u32 c = crc_update(0xffffffffu, t, off);

	c = crc_update(c, &zero, 4);
	return ~crc_update(c, (const u8 *)t + off + 4, sizeof(*t) - off - 4);
}

bool ds_is_zero(const void *p, size_t n)
{
	const u8 *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

void ds_super_init(struct ds_super *sb, const char *name, const u8 uuid[16], u64 sectors)
{
	memset(sb, 0, sizeof(*sb));
	memcpy(sb->magic, DS_MAGIC, 8);
	sb->version = DS_VERSION;
	sb->size = sizeof(*sb);
	memcpy(sb->uuid, uuid, 16);
	tv_strlcpy(sb->name, name, DS_NAME_MAX);
	sb->sectors = sectors;
	sb->table_lba[0] = DS_TABLE0_LBA;
	sb->table_lba[1] = DS_TABLE0_LBA + DS_TABLE_SECTORS;
	sb->table_sectors = DS_TABLE_SECTORS;
	sb->max_disks = DS_MAX_DISKS;
	sb->data_lba = DS_DATA_LBA;
	sb->extent = DS_EXTENT;
	sb->crc = ds_crc32(sb, offsetof(struct ds_super, crc));
}

static bool name_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == 0 || n == max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

int ds_super_check(const struct ds_super *sb, u64 dev_sectors, const char **why)
{
	if (memcmp(sb->magic, DS_MAGIC, 8) != 0) {
		*why = "no datastore superblock";
		return -ENODATA;
	}
	*why = "superblock CRC mismatch";
	if (sb->crc != ds_crc32(sb, offsetof(struct ds_super, crc)))
		return -EBADMSG;
	*why = "unknown superblock version";
	if (sb->version != DS_VERSION || sb->size != sizeof(*sb))
		return -EBADMSG;
	/* The layout is fixed in version 1; anything else was not written by us. */
	*why = "superblock geometry invalid";
	if (sb->table_lba[0] != DS_TABLE0_LBA || sb->table_lba[1] != DS_TABLE0_LBA + DS_TABLE_SECTORS ||
	    sb->table_sectors != DS_TABLE_SECTORS || sb->max_disks != DS_MAX_DISKS ||
	    sb->data_lba != DS_DATA_LBA || sb->extent != DS_EXTENT || sb->sectors < DS_MIN_SECTORS ||
	    !name_ok(sb->name, DS_NAME_MAX))
		return -EBADMSG;
	*why = "datastore larger than its device";
	if (sb->sectors > dev_sectors)
		return -EBADMSG;
	*why = NULL;
	return 0;
}

void ds_table_init(struct ds_table *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->magic, DS_TABLE_MAGIC, 8);
}

void ds_table_seal(struct ds_table *t)
{
	t->ndisks = 0;
	for (unsigned i = 0; i < DS_MAX_DISKS; i++)
		t->ndisks += t->e[i].path[0] != 0;
	t->crc = table_crc(t);
}

int ds_table_check(const struct ds_table *t, const struct ds_super *sb, const char **why)
{
	u32 n = 0;

	*why = "no table magic";
	if (memcmp(t->magic, DS_TABLE_MAGIC, 8) != 0)
		return -EBADMSG;
	*why = "table CRC mismatch";
	if (t->crc != table_crc(t))
		return -EBADMSG;
	*why = "table entry invalid";
	for (unsigned i = 0; i < DS_MAX_DISKS; i++) {
		const struct ds_entry *a = &t->e[i];

		if (!a->path[0])
			continue;
		n++;
		if (!name_ok(a->path, DS_PATH_MAX) || a->flags || !a->sectors || a->alloc < a->sectors ||
		    a->alloc % DS_EXTENT || a->start % DS_EXTENT || a->start < sb->data_lba ||
		    a->start + a->alloc > sb->sectors || a->start + a->alloc < a->start)
			return -EBADMSG;
		for (unsigned j = 0; j < i; j++) {
			const struct ds_entry *b = &t->e[j];

			*why = "table entries overlap or repeat a path";
			if (b->path[0] && ((a->start < b->start + b->alloc && b->start < a->start + a->alloc) ||
					   strcmp(a->path, b->path) == 0))
				return -EBADMSG;
		}
	}
	*why = "table disk count mismatch";
	if (n != t->ndisks)
		return -EBADMSG;
	*why = NULL;
	return 0;
}

int ds_table_pick(const struct ds_table *t0, bool ok0, const struct ds_table *t1, bool ok1)
{
	if (ok0 && ok1)
		return t1->seq > t0->seq ? 1 : 0;
	return ok0 ? 0 : ok1 ? 1 : -1;
}

int ds_find(const struct ds_table *t, const char *path)
{
	for (int i = 0; i < DS_MAX_DISKS; i++)
		if (t->e[i].path[0] && strncmp(t->e[i].path, path, DS_PATH_MAX) == 0)
			return i;
	return -1;
}

int ds_add(struct ds_table *t, const struct ds_super *sb, const char *path, u64 sectors)
{
	u64 alloc, start = sb->data_lba;
	int slot = -1;

	if (!name_ok(path, DS_PATH_MAX) || !sectors || sectors > sb->sectors)
		return -EINVAL;
	if (ds_find(t, path) >= 0)
		return -EEXIST;
	alloc = ALIGN_UP(sectors, (u64)DS_EXTENT);
	/* First fit: move start past every extent it collides with until none does. */
	for (bool moved = true; moved;) {
		moved = false;
		for (int i = 0; i < DS_MAX_DISKS; i++) {
			const struct ds_entry *e = &t->e[i];

			if (e->path[0] && start < e->start + e->alloc && e->start < start + alloc) {
				start = e->start + e->alloc;
				moved = true;
			}
		}
	}
	for (int i = 0; i < DS_MAX_DISKS && slot < 0; i++)
		if (!t->e[i].path[0])
			slot = i;
	if (slot < 0 || start + alloc > sb->sectors)
		return -ENOSPC;
	memset(&t->e[slot], 0, sizeof(t->e[slot]));
	tv_strlcpy(t->e[slot].path, path, DS_PATH_MAX);
	t->e[slot].start = start;
	t->e[slot].sectors = sectors;
	t->e[slot].alloc = alloc;
	return slot;
}

int ds_parse_spec(const char *spec, char name[DS_NAME_MAX], const char **path)
{
	const char *end;
	size_t n;

	while (*spec == ' ')
		spec++;
	if (*spec != '[' || !(end = strchr(spec, ']')))
		return -EINVAL;
	n = (size_t)(end - spec - 1);
	if (n == 0 || n >= DS_NAME_MAX)
		return -EINVAL;
	memcpy(name, spec + 1, n);
	name[n] = '\0';
	end++;
	while (*end == ' ')
		end++;
	if (!*end || strlen(end) >= DS_PATH_MAX)
		return -EINVAL;
	*path = end;
	return 0;
}
