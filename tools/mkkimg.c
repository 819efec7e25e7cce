// SPDX-License-Identifier: MIT
/*
 * mkkimg.c: pack the kernel ELF into a compressed kernel image (format in
 * tv/kimg.h), or check an existing image: mkkimg ELF OUT | mkkimg --check IMG
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tv/elf64.h>
#include <tv/kimg.h>
#include <zlib.h>

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: read failed\n", path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int check(const char *path)
{
	size_t len;
	u8 *file = slurp(path, &len);
	struct kimg_header h;
	enum kimg_err e = kimg_check_header(file, len, &h);
	u8 *out;

	if (e == KIMG_OK)
		e = kimg_check_payload(&h, file);
	if (e == KIMG_OK) {
		out = malloc(h.uncomp_size);
		e = out ? kimg_inflate(&h, file, out, NULL) : KIMG_ENOMEM;
	}
	if (e != KIMG_OK) {
		fprintf(stderr, "%s: %s\n", path, kimg_strerror(e));
		return 1;
	}
	printf("%s: ok, %llu -> %llu bytes, entry %#llx\n", path, (unsigned long long)h.comp_size,
	       (unsigned long long)h.uncomp_size, (unsigned long long)h.entry);
	return 0;
}

int main(int argc, char **argv)
{
	struct kimg_header h;
	struct elf64_image img;
	size_t len;
	u8 *elf, *comp;
	uLongf clen;
	const char *why;
	FILE *f;

	if (argc == 3 && strcmp(argv[1], "--check") == 0)
		return check(argv[2]);
	if (argc != 3) {
		fprintf(stderr, "usage: mkkimg KERNEL.ELF OUT.tvk | mkkimg --check IMAGE.tvk\n");
		return 2;
	}
	elf = slurp(argv[1], &len);
	/* Refuse to package what the loader would refuse to load. */
	why = elf64_check(elf, len, 0xffffffff80000000ull, 0xffffffffc0000000ull, &img);
	if (why) {
		fprintf(stderr, "%s: %s\n", argv[1], why);
		return 1;
	}
	clen = compressBound(len);
	comp = malloc(clen);
	if (!comp || compress2(comp, &clen, elf, len, Z_BEST_COMPRESSION) != Z_OK) {
		fprintf(stderr, "mkkimg: compression failed\n");
		return 1;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, KIMG_MAGIC, sizeof(h.magic));
	h.version = KIMG_VERSION;
	h.header_size = KIMG_HEADER_SIZE;
	h.entry = img.entry;
	h.comp_size = clen;
	h.uncomp_size = len;
	h.comp_crc32 = (u32)crc32_z(0, comp, clen);
	h.uncomp_crc32 = (u32)crc32_z(0, elf, len);
	h.header_crc32 = kimg_header_crc(&h);
	f = fopen(argv[2], "wb");
	if (!f || fwrite(&h, sizeof(h), 1, f) != 1 || fwrite(comp, 1, clen, f) != clen ||
	    fclose(f)) {
		perror(argv[2]);
		return 1;
	}
	printf("mkkimg: %s: %zu -> %lu bytes\n", argv[2], len, (unsigned long)clen);
	return 0;
}
