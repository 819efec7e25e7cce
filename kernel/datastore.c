// SPDX-License-Identifier: MIT
/*
 * datastore.c: mount datastores on the host's NVMe namespaces and hand out
 * their disks as block devices. Metadata changes go to the table copy that
 * is not current, with FUA, so a crash leaves the old copy intact
 * (docs/storage.md). Data that is not ours is never written.
 */
#include <tv/arch.h>
#include <tv/blkdev.h>
#include <tv/cmdline.h>
#include <tv/datastore.h>
#include <tv/errno.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/nvme.h>
#include <tv/printf.h>
#include <tv/spinlock.h>
#include <tv/string.h>

#define MAX_DS 8

struct datastore {
	struct blkdev *dev;
	struct ds_super sb;
	struct ds_table *t;          /* the current copy, as on disk */
	unsigned cur;                /* which copy t is */
	spinlock_t lock;             /* table changes and the open flags */
	bool open[DS_MAX_DISKS];
};

struct ds_disk {
	struct blkdev bd;
	struct datastore *ds;
	unsigned idx;
	u64 start;
};

static struct datastore stores[MAX_DS];
static unsigned nstores;

static struct datastore *ds_by_name(const char *name)
{
	for (unsigned i = 0; i < nstores; i++)
		if (strcmp(stores[i].sb.name, name) == 0)
			return &stores[i];
	return NULL;
}

/* Write table t as the copy that is not current, durably; it becomes current. */
static int commit(struct datastore *ds, struct ds_table *t)
{
	unsigned next = ds->cur ^ 1;
	int r;

	t->seq = ds->t->seq + 1;
	ds_table_seal(t);
	r = ds->dev->ops->write(ds->dev, ds->sb.table_lba[next], DS_TABLE_SECTORS, t, true);
	if (r) {
		pr_err("datastore [%s]: table write failed (%s); the previous table stays\n", ds->sb.name,
		       tv_strerror(r));
		return r;
	}
	memcpy(ds->t, t, sizeof(*t));
	ds->cur = next;
	return 0;
}

static void log_store(const struct datastore *ds)
{
	char uuid[37], *p = uuid;
	u64 used = 0;

	for (unsigned i = 0; i < 16; i++) {
		p += snprintf(p, 3, "%02x", ds->sb.uuid[i]);
		if (i == 3 || i == 5 || i == 7 || i == 9)
			*p++ = '-';
	}
	for (unsigned i = 0; i < DS_MAX_DISKS; i++)
		if (ds->t->e[i].path[0])
			used += ds->t->e[i].alloc;
	pr_info("datastore [%s] on %s: %llu MiB, %u disks, %llu MiB free, uuid %s, table %c seq %llu\n",
		ds->sb.name, ds->dev->name, (unsigned long long)(ds->sb.sectors >> 11), ds->t->ndisks,
		(unsigned long long)((ds->sb.sectors - ds->sb.data_lba - used) >> 11), uuid,
		'A' + ds->cur, (unsigned long long)ds->t->seq);
}

/* First and last MiB all zeroes: nothing there that a format could destroy. */
static int blank(struct blkdev *dev, u8 *buf, bool *is_blank)
{
	u64 at[2] = { 0, dev->sectors - DS_BLANK_SECTORS };
	int r;

	*is_blank = false;
	for (unsigned k = 0; k < 2; k++)
		for (u64 s = 0; s < DS_BLANK_SECTORS; s += DS_TABLE_SECTORS) {
			if ((r = dev->ops->read(dev, at[k] + s, DS_TABLE_SECTORS, buf)))
				return r;
			if (!ds_is_zero(buf, DS_TABLE_SECTORS * BLKDEV_SECTOR))
				return 0;
		}
	*is_blank = true;
	return 0;
}

static void format_name(char name[DS_NAME_MAX])
{
	const char *opt = cmdline_get("datastore.name");
	char base[DS_NAME_MAX - 4];

	tv_strlcpy(base, opt && *opt ? opt : "datastore", sizeof(base));
	if (opt && *opt && !ds_by_name(base)) {
		tv_strlcpy(name, base, DS_NAME_MAX);
		return;
	}
	for (unsigned n = 1;; n++) {
		snprintf(name, DS_NAME_MAX, "%s%u", base, n);
		if (!ds_by_name(name))
			return;
	}
}

/* Superblock last: until it is on the media, the namespace is not a datastore. */
static int format(struct datastore *ds, struct ds_table *t)
{
	struct blkdev *dev = ds->dev;
	u64 seed = arch_cycles() ^ dev->sectors;
	u8 uuid[16];
	char name[DS_NAME_MAX];
	int r;

	for (unsigned i = 0; i < 16; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uuid[i] = (u8)(seed >> 56);
	}
	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	format_name(name);
	ds_super_init(&ds->sb, name, uuid, dev->sectors);
	ds_table_init(t);
	t->seq = 1;
	ds_table_seal(t);
	if ((r = dev->ops->write(dev, ds->sb.table_lba[0], DS_TABLE_SECTORS, t, true)))
		return r;
	memset(ds->t, 0, sizeof(*ds->t));
	memcpy(ds->t, &ds->sb, sizeof(ds->sb));
	if ((r = dev->ops->write(dev, 0, DS_SB_SECTORS, ds->t, true)))
		return r;
	memcpy(ds->t, t, sizeof(*t));
	ds->cur = 0;
	pr_info("datastore: %s was blank: formatted as [%s]\n", dev->name, name);
	return 0;
}

static int mount(struct datastore *ds, bool may_format)
{
	struct blkdev *dev = ds->dev;
	struct ds_table *t = ds->t, *t1 = kmalloc(sizeof(*t1));
	const char *why, *why0, *why1;
	bool ok0, ok1, is_blank;
	int r, pick;

	if (!t1)
		return -ENOMEM;
	if ((r = dev->ops->read(dev, 0, DS_SB_SECTORS, t1)))
		goto out;
	memcpy(&ds->sb, t1, sizeof(ds->sb));
	r = ds_super_check(&ds->sb, dev->sectors, &why);
	if (r == -ENODATA) {
		if ((r = blank(dev, (u8 *)t1, &is_blank)))
			goto out;
		r = -ENODATA;
		if (!is_blank)
			pr_warn("datastore: %s holds data that is not a datastore; left untouched\n", dev->name);
		else if (!may_format)
			pr_info("datastore: %s is blank; not formatted (datastore.format=auto would)\n",
				dev->name);
		else
			r = format(ds, t1);
		goto out;
	}
	if (r) {
		pr_err("datastore: %s: %s; not mounted, nothing written\n", dev->name, why);
		goto out;
	}
	if ((r = dev->ops->read(dev, ds->sb.table_lba[0], DS_TABLE_SECTORS, t)) ||
	    (r = dev->ops->read(dev, ds->sb.table_lba[1], DS_TABLE_SECTORS, t1)))
		goto out;
	ok0 = ds_table_check(t, &ds->sb, &why0) == 0;
	ok1 = ds_table_check(t1, &ds->sb, &why1) == 0;
	pick = ds_table_pick(t, ok0, t1, ok1);
	r = -EBADMSG;
	if (pick < 0) {
		pr_err("datastore [%s] on %s: both disk tables corrupt (%s; %s); not mounted\n",
		       ds->sb.name, dev->name, why0, why1);
		goto out;
	}
	/* A copy that fails its check was being written when the host stopped, or rotted. */
	if (!(pick ? ok0 : ok1) && (pick ? t : t1)->seq)
		pr_warn("datastore [%s]: table %c unusable (%s); using %c\n", ds->sb.name, 'B' - pick,
			pick ? why0 : why1, 'A' + pick);
	if (pick)
		memcpy(t, t1, sizeof(*t));
	ds->cur = pick;
	r = 0;
out:
	kfree(t1);
	return r;
}

int datastore_init(void)
{
	const char *opt = cmdline_get("datastore.format");
	bool may_format = opt && strcmp(opt, "auto") == 0;
	struct blkdev *dev;
	unsigned i;

	for (i = 0; (dev = nvme_namespace(i)) && nstores < MAX_DS; i++) {
		struct datastore *ds = &stores[nstores];

		ds->dev = dev;
		ds->t = kmalloc(sizeof(*ds->t));
		if (dev->sectors < DS_MIN_SECTORS || !ds->t) {
			pr_warn("datastore: %s too small or no memory; not used\n", dev->name);
			kfree(ds->t);
			continue;
		}
		int r = mount(ds, may_format);

		if (r) {
			/* Blank, foreign and corrupt namespaces were reported by mount. */
			if (r != -ENODATA && r != -EBADMSG)
				pr_err("datastore: %s: %s; not mounted\n", dev->name, tv_strerror(r));
			kfree(ds->t);
			continue;
		}
		if (ds_by_name(ds->sb.name)) {
			pr_err("datastore: %s: a datastore named [%s] is already mounted; not mounted\n",
			       dev->name, ds->sb.name);
			kfree(ds->t);
			continue;
		}
		nstores++;
		log_store(ds);
	}
	if (!i)
		pr_info("datastore: no NVMe namespaces, no datastores\n");
	return (int)nstores;
}

static int disk_read(struct blkdev *d, u64 lba, u32 count, void *buf)
{
	struct ds_disk *k = d->priv;

	if (lba + count > d->sectors || lba + count < lba)
		return -EINVAL;
	return k->ds->dev->ops->read(k->ds->dev, k->start + lba, count, buf);
}

static int disk_write(struct blkdev *d, u64 lba, u32 count, const void *buf, bool fua)
{
	struct ds_disk *k = d->priv;

	if (lba + count > d->sectors || lba + count < lba)
		return -EINVAL;
	return k->ds->dev->ops->write(k->ds->dev, k->start + lba, count, buf, fua);
}

static int disk_flush(struct blkdev *d)
{
	struct ds_disk *k = d->priv;

	return k->ds->dev->ops->flush(k->ds->dev);
}

static void disk_close(struct blkdev *d)
{
	struct ds_disk *k = d->priv;

	spin_lock(&k->ds->lock);
	k->ds->open[k->idx] = false;
	spin_unlock(&k->ds->lock);
	kfree(k);
}

static const struct blkdev_ops disk_ops = {
	.read = disk_read, .write = disk_write, .flush = disk_flush, .close = disk_close,
};

struct blkdev *datastore_open_disk(const char *spec, u64 create_sectors, char *why, size_t whylen)
{
	char name[DS_NAME_MAX];
	const char *path;
	struct datastore *ds;
	struct ds_table *t = NULL;
	struct ds_disk *k = kzalloc(sizeof(*k));
	int idx;

	if (!k || ds_parse_spec(spec, name, &path)) {
		snprintf(why, whylen, k ? "not of the form [datastore] path" : "no memory");
		kfree(k);
		return NULL;
	}
	if (!(ds = ds_by_name(name))) {
		snprintf(why, whylen, "no datastore [%s] mounted", name);
		kfree(k);
		return NULL;
	}
	spin_lock(&ds->lock);
	idx = ds_find(ds->t, path);
	if (idx < 0 && create_sectors) {
		t = kmalloc(sizeof(*t));
		idx = -ENOMEM;
		if (t) {
			memcpy(t, ds->t, sizeof(*t));
			idx = ds_add(t, &ds->sb, path, create_sectors);
		}
		if (idx >= 0) {
			int r = commit(ds, t);

			if (r)
				idx = r;
			else
				pr_info("datastore [%s]: created %s, %llu sectors at sector %llu\n", name, path,
					(unsigned long long)create_sectors,
					(unsigned long long)ds->t->e[idx].start);
		}
		if (idx < 0)
			snprintf(why, whylen, "cannot create %s: %s", path, tv_strerror(idx));
	} else if (idx < 0) {
		snprintf(why, whylen, "no disk %s on [%s]", path, name);
	} else if (ds->open[idx]) {
		snprintf(why, whylen, "%s is already in use", path);
		idx = -EBUSY;
	}
	if (idx >= 0) {
		ds->open[idx] = true;
		k->ds = ds;
		k->idx = (unsigned)idx;
		k->start = ds->t->e[idx].start;
		k->bd.ops = &disk_ops;
		k->bd.sectors = ds->t->e[idx].sectors;
		k->bd.priv = k;
		snprintf(k->bd.name, sizeof(k->bd.name), "[%s] %s", name, path);
	}
	spin_unlock(&ds->lock);
	kfree(t);
	if (idx < 0) {
		kfree(k);
		return NULL;
	}
	return &k->bd;
}
