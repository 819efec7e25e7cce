// SPDX-License-Identifier: MIT
/*
 * mkstick.c: writes a thinvisor stick: a GPT disk whose FAT32 EFI system
 * partition holds the loader, the kernel image, the host settings and the
 * VM configs with the guest files they name. To an image file, or to a
 * block device the user names (never a mounted one). The FAT work is done
 * by mtools (mformat/mmd/mcopy) on the partition's byte offset.
 *
 *   mkstick -o FILE | --device DEV --yes  --efi BOOTX64.EFI --kernel K.tvk
 *           [--settings FILE] [--size MiB] [--strict] [VM.vmx ...]
 *   mkstick --list [VM.vmx ...]     print "source<TAB>stick path" per guest file
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <tv/cfglex.h>
#include "gpt.h"

#define MAX_FILES 256
#define DST_MAX (CFG_MAX_VALUE + 32)

struct entry {
	char src[4096];
	char dst[DST_MAX];           /* path inside the FAT, '/'-separated */
	off_t size;
};

static struct entry files[MAX_FILES];
static size_t nfiles;
static int warnings;
static bool strict;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mkstick: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mkstick: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	warnings++;
}

static void add_file(const char *src, const char *dst)
{
	struct stat st;

	for (size_t i = 0; i < nfiles; i++) {
		if (strcasecmp(files[i].dst, dst) != 0)
			continue;
		if (strcmp(files[i].src, src) != 0)
			die("%s: two different files want to be %s on the stick", src, dst);
		return; /* the same guest file named by two VMs */
	}
	if (stat(src, &st) != 0 || !S_ISREG(st.st_mode))
		die("%s: %s", src, errno ? strerror(errno) : "not a regular file");
	if (nfiles == MAX_FILES)
		die("too many files");
	snprintf(files[nfiles].src, sizeof(files[nfiles].src), "%s", src);
	snprintf(files[nfiles].dst, sizeof(files[nfiles].dst), "%s", dst);
	files[nfiles].size = st.st_size;
	nfiles++;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		die("%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("%s: read failed", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The VM config itself and every guest file it names, as the loader will look for them. */
static void add_vm(const char *vmx, bool list_only)
{
	char dir[4096], base[1024], dst[DST_MAX];
	struct cfglex lx;
	struct cfg_entry e;
	size_t len;
	char *text = slurp(vmx, &len);
	int r;

	char tmp[4096];

	/* dirname/basename may modify their argument and return a pointer into it. */
	snprintf(tmp, sizeof(tmp), "%s", vmx);
	snprintf(dir, sizeof(dir), "%s", dirname(tmp));
	snprintf(tmp, sizeof(tmp), "%s", vmx);
	snprintf(base, sizeof(base), "%s", basename(tmp));
	if (strlen(base) < 5 || strcasecmp(base + strlen(base) - 4, ".vmx") != 0)
		die("%s: VM config files must end in .vmx", vmx);
	if (cfg_path_check(base, strlen(base)))
		die("%s: %s", vmx, cfg_path_check(base, strlen(base)));
	snprintf(dst, sizeof(dst), "thinvisor/vms/%s", base);
	if (!list_only)
		add_file(vmx, dst);

	cfglex_init(&lx, text, len);
	while ((r = cfglex_next(&lx, &e)) != 0) {
		char value[CFG_MAX_VALUE + 1], src[8192];
		const char *why;
		struct stat st;

		if (r < 0) {
			warn("%s:%u: %s", vmx, lx.line, lx.err);
			continue;
		}
		if (!vmcfg_key_is_file(&e))
			continue;
		cfg_value_copy(&e, value, sizeof(value));
		why = cfg_path_check(e.value, e.value_len);
		if (why) {
			warn("%s:%u: %s: %s", vmx, e.line, value, why);
			continue;
		}
		snprintf(src, sizeof(src), "%s/%s", dir, value);
		if (stat(src, &st) != 0) {
			warn("%s:%u: guest file %s: %s", vmx, e.line, src, strerror(errno));
			continue;
		}
		snprintf(dst, sizeof(dst), "thinvisor/vms/%s", value);
		if (list_only)
			printf("%s\t%s\n", src, dst + strlen("thinvisor/"));
		else
			add_file(src, dst);
	}
	free(text);
}

static int run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "mkstick: cannot run %s: %s (install mtools)\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A device is in use if it, or any partition of it, appears in /proc/mounts. */
static void refuse_mounted(const char *dev)
{
	char real[4096], line[8192];
	FILE *m = fopen("/proc/mounts", "r");

	if (!realpath(dev, real))
		die("%s: %s", dev, strerror(errno));
	if (!m)
		die("cannot read /proc/mounts to check %s", dev);
	while (fgets(line, sizeof(line), m)) {
		char src[4096], rsrc[4096];

		if (sscanf(line, "%4095s", src) != 1)
			continue;
		if (!realpath(src, rsrc))
			continue;
		if (strncmp(rsrc, real, strlen(real)) == 0)
			die("%s is mounted (%s); unmount it first", dev, rsrc);
	}
	fclose(m);
}

static void write_all(int fd, const void *buf, size_t n, off_t off, const char *what)
{
	if (pwrite(fd, buf, n, off) != (ssize_t)n)
		die("%s: write failed: %s", what, strerror(errno));
}

static void random_guid(uint8_t g[16])
{
	int fd = open("/dev/urandom", O_RDONLY);

	if (fd < 0 || read(fd, g, 16) != 16)
		die("/dev/urandom: %s", strerror(errno));
	close(fd);
	g[6] = (g[6] & 0x0f) | 0x40; /* version 4 */
	g[8] = (g[8] & 0x3f) | 0x80; /* RFC 4122 variant */
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mkstick -o IMAGE | --device DEV --yes  --efi BOOTX64.EFI --kernel KERNEL.tvk\n"
		"               [--settings FILE] [--size MiB] [--strict] [VM.vmx ...]\n"
		"       mkstick --list [VM.vmx ...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *out = NULL, *device = NULL, *efi = NULL, *kernel = NULL, *settings = NULL;
	bool yes = false, list = false;
	unsigned long size_mib = 0;
	int first_vm = argc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(a, "--device") && i + 1 < argc)
			device = argv[++i];
		else if (!strcmp(a, "--efi") && i + 1 < argc)
			efi = argv[++i];
		else if (!strcmp(a, "--kernel") && i + 1 < argc)
			kernel = argv[++i];
		else if (!strcmp(a, "--settings") && i + 1 < argc)
			settings = argv[++i];
		else if (!strcmp(a, "--size") && i + 1 < argc)
			size_mib = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(a, "--yes"))
			yes = true;
		else if (!strcmp(a, "--strict"))
			strict = true;
		else if (!strcmp(a, "--list"))
			list = true;
		else if (a[0] == '-')
			usage();
		else {
			first_vm = i;
			break;
		}
	}
	if (list) {
		for (int i = first_vm; i < argc; i++)
			add_vm(argv[i], true);
		return strict && warnings ? 1 : 0;
	}
	if (!!out == !!device || !efi || !kernel)
		usage();
	if (device && !yes)
		die("writing %s destroys everything on it; add --yes to confirm", device);

	add_file(efi, "EFI/BOOT/BOOTX64.EFI");
	add_file(kernel, "thinvisor/kernel.tvk");
	if (settings)
		add_file(settings, "thinvisor/settings.cfg");
	for (int i = first_vm; i < argc; i++)
		add_vm(argv[i], false);
	if (strict && warnings)
		die("%d warning(s) and --strict given; nothing written", warnings);

	/* FAT32 needs 65525 clusters: 64 MiB at least, plus the files and slack. */
	uint64_t need = 16ull << 20;
	for (size_t i = 0; i < nfiles; i++)
		need += ((uint64_t)files[i].size + 4095) & ~4095ull;
	uint64_t bytes = need < (64ull << 20) ? (64ull << 20) : ((need + (1 << 20) - 1) & ~((1ull << 20) - 1));
	if (size_mib) {
		if ((size_mib << 20) < bytes)
			die("--size %lu MiB is too small; the files need %llu MiB", size_mib,
			    (unsigned long long)(bytes >> 20));
		bytes = (uint64_t)size_mib << 20;
	}

	const char *target = out ? out : device;
	int fd;

	if (device) {
		struct stat st;

		if (stat(device, &st) != 0 || !S_ISBLK(st.st_mode))
			die("%s is not a block device", device);
		refuse_mounted(device);
		fd = open(device, O_RDWR | O_EXCL);
		if (fd < 0)
			die("%s: %s", device, strerror(errno));
		uint64_t devbytes;
		if (ioctl(fd, BLKGETSIZE64, &devbytes) != 0)
			die("%s: cannot get its size", device);
		if (devbytes < bytes)
			die("%s holds %llu MiB; %llu MiB are needed", device,
			    (unsigned long long)(devbytes >> 20), (unsigned long long)(bytes >> 20));
		bytes = devbytes;
	} else {
		fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || ftruncate(fd, (off_t)bytes) != 0)
			die("%s: %s", out, strerror(errno));
	}

	struct gpt_layout l;
	static uint8_t head[34 * GPT_SECTOR], tail[33 * GPT_SECTOR];

	if (gpt_plan(&l, bytes))
		die("%s is too small for a partition table", target);
	random_guid(l.disk_guid);
	random_guid(l.esp_guid);
	gpt_build(&l, head, tail);
	write_all(fd, head, sizeof(head), 0, target);
	write_all(fd, tail, sizeof(tail), (off_t)((l.disk_sectors - 33) * GPT_SECTOR), target);
	if (fsync(fd) != 0 || close(fd) != 0)
		die("%s: %s", target, strerror(errno));

	char img[4200], sectors[32], hidden[32];
	uint64_t esp_sectors = l.esp_last - l.esp_first + 1;

	snprintf(img, sizeof(img), "%s@@%llu", target,
		 (unsigned long long)(l.esp_first * GPT_SECTOR));
	snprintf(sectors, sizeof(sectors), "%llu", (unsigned long long)esp_sectors);
	snprintf(hidden, sizeof(hidden), "%llu", (unsigned long long)l.esp_first);
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	char *mformat[] = { "mformat", "-i", img, "-F", "-T", sectors, "-H", hidden, "-v",
			    "THINVISOR", "::", NULL };
	if (run(mformat))
		die("mformat failed on %s", target);

	/* Every directory on the way to every file, parents first, once. */
	static char made[MAX_FILES * 4][DST_MAX + 8];
	size_t nmade = 0;

	for (size_t i = 0; i < nfiles; i++) {
		char path[DST_MAX + 8];

		for (char *s = files[i].dst; (s = strchr(s, '/')); s++) {
			size_t k;

			snprintf(path, sizeof(path), "::/%.*s", (int)(s - files[i].dst), files[i].dst);
			for (k = 0; k < nmade && strcmp(made[k], path); k++)
				;
			if (k < nmade)
				continue;
			snprintf(made[nmade++], sizeof(made[0]), "%s", path);
			char *mmd[] = { "mmd", "-i", img, path, NULL };
			if (run(mmd))
				die("mmd %s failed", path);
		}
		snprintf(path, sizeof(path), "::/%s", files[i].dst);
		char *mcopy[] = { "mcopy", "-i", img, files[i].src, path, NULL };
		if (run(mcopy))
			die("mcopy %s failed", files[i].src);
	}
	printf("mkstick: %s: %llu MiB, %zu files%s\n", target, (unsigned long long)(bytes >> 20),
	       nfiles, warnings ? " (with warnings)" : "");
	return 0;
}
