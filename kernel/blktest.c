// SPDX-License-Identifier: MIT
/*
 * blktest.c: test.blk=SPEC, the host storage self-test (tests/qemu/nvme.sh):
 * write a seeded pattern to a datastore disk, half with FUA and half
 * followed by a flush (test.blk.fua: all with FUA, no flush), read it back
 * and verify it; with test.blk.verify only read and verify, to check what
 * an earlier boot left.
 */
#include <tv/arch.h>
#include <tv/blkdev.h>
#include <tv/cmdline.h>
#include <tv/datastore.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/string.h>

#define CHUNK_SECTORS 256u               /* 128 KiB per request */

static __noinline u64 pattern(u64 seed, u64 sector, unsigned word)
{
	u64 z = seed + sector * 64 + word + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill(u64 *buf, u64 seed, u64 lba, u32 n)
{
	for (u32 s = 0; s < n; s++)
		for (unsigned w = 0; w < 64; w++)
			buf[s * 64 + w] = pattern(seed, lba + s, w);
}

static u64 mbps(u64 bytes, u64 ns)
{
	return ns ? bytes * 1000 / ns : 0;
}

/* Returns 0 when every sector reads back as written. */
static int run(struct blkdev *d, u64 *buf, u64 seed, bool write, bool fua)
{
	u64 t0, wns = 0, rns = 0, sum = 0xcbf29ce484222325ull, bad = 0, first_bad = 0;
	int r;

	/* The rates count time in the block layer only, not the pattern's. */
	if (write) {
		for (u64 lba = 0; lba < d->sectors; lba += CHUNK_SECTORS) {
			u32 n = (u32)MIN(CHUNK_SECTORS, d->sectors - lba);

			fill(buf, seed, lba, n);
			t0 = arch_uptime_ns();
			/* The first half is durable write by write; the second by the flush. */
			if ((r = d->ops->write(d, lba, n, buf, fua || lba < d->sectors / 2)))
				goto io_err;
			wns += arch_uptime_ns() - t0;
		}
		t0 = arch_uptime_ns();
		if (!fua && (r = d->ops->flush(d)))
			goto io_err;
		wns += arch_uptime_ns() - t0;
		pr_info("test.blk: wrote %llu KiB to %s (seed %llu), %s: durable\n",
			(unsigned long long)(d->sectors / 2), d->name, (unsigned long long)seed,
			fua ? "all FUA, no flush" : "half FUA, half + flush");
	}
	for (u64 lba = 0; lba < d->sectors; lba += CHUNK_SECTORS) {
		u32 n = (u32)MIN(CHUNK_SECTORS, d->sectors - lba);

		t0 = arch_uptime_ns();
		if ((r = d->ops->read(d, lba, n, buf)))
			goto io_err;
		rns += arch_uptime_ns() - t0;
		for (u32 s = 0; s < n; s++) {
			bool ok = true;

			for (unsigned w = 0; w < 64; w++) {
				u64 v = buf[s * 64 + w];

				ok &= v == pattern(seed, lba + s, w);
				sum = (sum ^ v) * 0x100000001b3ull;
			}
			if (!ok && !bad++)
				first_bad = lba + s;
		}
	}
	if (bad) {
		pr_err("test.blk: FAIL: %llu of %llu sectors differ, first %llu; checksum %016llx\n",
		       (unsigned long long)bad, (unsigned long long)d->sectors,
		       (unsigned long long)first_bad, (unsigned long long)sum);
		return -1;
	}
	pr_info("test.blk: PASS: %llu KiB verified, checksum %016llx; write %llu MB/s, read %llu MB/s\n",
		(unsigned long long)(d->sectors / 2), (unsigned long long)sum,
		(unsigned long long)mbps(d->sectors * BLKDEV_SECTOR, wns),
		(unsigned long long)mbps(d->sectors * BLKDEV_SECTOR, rns));
	return 0;
io_err:
	pr_err("test.blk: FAIL: I/O error %d\n", r);
	return r;
}

void datastore_selftest(const char *spec)
{
	bool verify = cmdline_flag("test.blk.verify");
	u64 seed = cmdline_u64("test.blk.seed", 1), mib = cmdline_u64("test.blk.mib", 8);
	char why[96];
	struct blkdev *d = datastore_open_disk(spec, verify ? 0 : mib << 11, why, sizeof(why));
	u64 *buf = kmalloc(CHUNK_SECTORS * BLKDEV_SECTOR);

	if (!d || !buf) {
		pr_err("test.blk: FAIL: %s: %s\n", spec, d ? "no memory" : why);
	} else {
		run(d, buf, seed, !verify, cmdline_flag("test.blk.fua"));
	}
	kfree(buf);
	if (d)
		d->ops->close(d);
}
