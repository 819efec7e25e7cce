// SPDX-License-Identifier: MIT
/*
 * test_guestboot_elf.c: loading ELF64 test guests, and Debian's real
 * kernel with its initrd when the assets are there (vmm/boot/linux.c).
 */
#include "guestboot_fixture.h"

/* ---- ELF64 test guests ------------------------------------------------------------------ */

struct elfimg {
	u8 *buf;
	size_t len;
};

/* Text at 2 MiB (0x100 bytes), data + bss at 2 MiB + 4 KiB (0x80 in the file, 0x3000 in memory). */
static struct elfimg make_elf(u64 text_va, u64 data_va, u64 data_pa)
{
	struct elfimg e = { .len = 0x2080 };
	struct elf64_ehdr *eh;
	struct elf64_phdr *ph;

	e.buf = aligned_alloc(16, 0x3000);
	memset(e.buf, 0, 0x3000);
	eh = (struct elf64_ehdr *)e.buf;
	memcpy(eh->e_ident, "\177ELF\2\1\1", 7);
	eh->e_type = ELF_ET_EXEC;
	eh->e_machine = ELF_EM_X86_64;
	eh->e_version = 1;
	eh->e_entry = text_va + 0x10;
	eh->e_phoff = 64;
	eh->e_ehsize = 64;
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph = (struct elf64_phdr *)(e.buf + 64);
	ph[0] = (struct elf64_phdr){ .p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R | ELF_PF_X,
				     .p_offset = 0x1000, .p_vaddr = text_va, .p_paddr = text_va,
				     .p_filesz = 0x100, .p_memsz = 0x100, .p_align = K4 };
	ph[1] = (struct elf64_phdr){ .p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R | ELF_PF_W,
				     .p_offset = 0x2000, .p_vaddr = data_va, .p_paddr = data_pa,
				     .p_filesz = 0x80, .p_memsz = 0x3000, .p_align = K4 };
	for (unsigned i = 0; i < 0x100; i++)
		e.buf[0x1000 + i] = (u8)(0x90 + i);
	for (unsigned i = 0; i < 0x80; i++)
		e.buf[0x2000 + i] = (u8)(0x40 + i);
	return e;
}

TEST(elf_load)
{
	struct elfimg e = make_elf(M2, M2 + K4, M2 + K4);
	u8 rdisk[10000];

	for (unsigned i = 0; i < sizeof(rdisk); i++)
		rdisk[i] = (u8)i;
	fr_reset(128 * M1);
	fr_dirty(M2, 0x10000);			/* the bss must come out zeroed */
	fr_dirty(0, M1);			/* and so must everything below 1 MiB */
	CHECK_EQ(boot(e.buf, e.len, rdisk, sizeof(rdisk), "tv.test=1", 128 * M1), 0);
	CHECK_EQ(st.kind, GUEST_KERNEL_ELF64);
	CHECK_EQ(st.rip, M2 + 0x10);
	CHECK(mem_equals(M2, e.buf + 0x1000, 0x100));
	CHECK(mem_equals(M2 + K4, e.buf + 0x2000, 0x80));
	CHECK(mem_is_zero(M2 + K4 + 0x80, 0x3000 - 0x80));
	CHECK_EQ(peek(M2 + K4 + 0x3000, 1), 0xa5);	/* past memsz: untouched */
	CHECK_EQ(st.kernel_start, M2);
	CHECK_EQ(st.kernel_end, M2 + 4 * K4);
	CHECK(mem_equals(0x20000, "tv.test=1", 10));

	/* The same zero page as for Linux, minus the kernel's own header. */
	CHECK_EQ(peek(0x7000 + 0x228, 4), 0x20000);
	CHECK_EQ(peek(0x7000 + 0x210, 1), 0xff);
	CHECK_EQ(peek(0x7000 + 0x202, 4), 0);
	CHECK_EQ(peek(0x7000 + 0x70, 8), 0xe0000);
	CHECK_EQ(peek(0x7000 + 0x1e8, 1), 3);
	CHECK_EQ(peek(0x7000 + 0x2d0 + 40, 8), M1);
	CHECK_EQ(peek(0x7000 + 0x2d0 + 48, 8), 127 * M1);
	CHECK_EQ(peek(0x7000 + 0x2d0 + 56, 4), 1);
	CHECK_EQ(st.initrd_addr, 128 * M1 - 3 * K4);
	CHECK_EQ(peek(0x7000 + 0x218, 4), 128 * M1 - 3 * K4);
	CHECK_EQ(peek(0x7000 + 0x21c, 4), sizeof(rdisk));
	CHECK(mem_equals(st.initrd_addr, rdisk, sizeof(rdisk)));

	/* Below 1 MiB: the junk is gone except where boot structures live. */
	CHECK(mem_is_zero(0, 0x500));
	CHECK(mem_is_zero(0x520, 0x7000 - 0x520));
	CHECK(mem_is_zero(0x20000 + 10, 0xe0000 - 0x2000a));
	CHECK_EQ(st.cs.attrib, 0xa9b);
	CHECK_EQ(st.cr3, 0x9000);
	CHECK_EQ(fr.outside, 0);
	free(e.buf);
}

TEST(elf_rejections)
{
	struct elfimg e;

	fr_reset(64 * M1);
	e = make_elf(0x80000, 0x81000, 0x81000);	/* below 1 MiB */
	CHECK_EQ(boot(e.buf, e.len, NULL, 0, "", 64 * M1), -ENOEXEC);
	CHECK(strstr(why, "ELF: segment outside the allowed address range") != NULL);
	free(e.buf);

	e = make_elf(64 * M1 - K4, 64 * M1, 64 * M1);	/* data past the end of RAM */
	CHECK_EQ(boot(e.buf, e.len, NULL, 0, "", 64 * M1), -ENOEXEC);
	CHECK(strstr(why, "allowed address range") != NULL);
	free(e.buf);

	e = make_elf(M2, M2 + K4, 0x1000);		/* p_paddr aimed at the zero page */
	CHECK_EQ(boot(e.buf, e.len, NULL, 0, "", 64 * M1), -ENOEXEC);
	CHECK(strstr(why, "p_paddr") != NULL);
	free(e.buf);

	e = make_elf(M2, M2 + K4, M2 + K4);
	CHECK_EQ(boot(e.buf, 0x1800, NULL, 0, "", 64 * M1), -ENOEXEC);	/* truncated */
	CHECK(strstr(why, "ELF: ") != NULL);
	CHECK_EQ(boot(e.buf, e.len, NULL, 0, "", M1), -EINVAL);		/* RAM too small */
	CHECK(strstr(why, "RAM size") != NULL);
	/* The ELF path knows no cmdline_size, only the 64 KiB window. */
	{
		char *big = malloc(0x10001);

		memset(big, 'y', 0x10000);
		big[0x10000] = '\0';
		CHECK_EQ(boot(e.buf, e.len, NULL, 0, big, 64 * M1), -E2BIG);
		free(big);
	}
	CHECK_EQ(boot(e.buf, e.len, NULL, 0, "", 64 * M1), 0);
	CHECK_EQ(fr.outside, 0);
	free(e.buf);
}

/* ---- the real Debian kernel, when the assets are there ------------------------------------ */

TEST(real_kernel)
{
	struct bzimage_info bi;
	struct stat sb;
	size_t len;
	u8 *k;

	if (stat(REAL_KERNEL, &sb) != 0) {
		printf("note: %s not present, real-kernel test skipped\n", REAL_KERNEL);
		return;
	}
	k = test_read_file(REAL_KERNEL, &len);
	CHECK_EQ(guest_bzimage_parse(k, len, &bi, why, sizeof(why)), 0);
	if (why[0])
		fprintf(stderr, "real kernel: %s\n", why);
	CHECK(bi.version >= 0x020f);
	CHECK(bi.relocatable);
	CHECK(bi.xloadflags & BZ_XLF_KERNEL_64);
	CHECK(bi.xloadflags & BZ_XLF_CAN_BE_LOADED_ABOVE_4G);
	CHECK(bi.kernel_alignment >= M2);
	CHECK(bi.init_size > bi.payload_len);
	CHECK(bi.cmdline_size >= 2047);
	CHECK(bi.pref_address >= M1);
	printf("real kernel: protocol %u.%02u, setup_sects %u, %llu KiB payload, init_size %u KiB, "
	       "align %#x, pref %#llx\n", bi.version >> 8, bi.version & 0xff, bi.setup_sects,
	       (unsigned long long)bi.payload_len >> 10, bi.init_size >> 10, bi.kernel_alignment,
	       (unsigned long long)bi.pref_address);

	fr_reset(512 * M1);
	CHECK_EQ(boot(k, len, NULL, 0, "console=ttyS0", 512 * M1), 0);
	CHECK_EQ(st.rip, st.kernel_start + 0x200);
	CHECK_EQ(st.kernel_start % bi.kernel_alignment, 0);
	CHECK(mem_equals(st.kernel_start, k + bi.payload_off, bi.payload_len));
	/* The kernel's own header went into the zero page. */
	CHECK(mem_equals(0x7000 + 0x202, "HdrS", 4));
	CHECK_EQ(peek(0x7000 + 0x206, 2), bi.version);
	CHECK_EQ(peek(0x7000 + 0x260, 4), bi.init_size);

	/* With its initramfs: above the whole init_size region, below initrd_addr_max. */
	if (stat(REAL_INITRD, &sb) == 0) {
		size_t ilen;
		u8 *initrd = test_read_file(REAL_INITRD, &ilen);

		fr_reset(512 * M1);
		CHECK_EQ(boot(k, len, initrd, ilen, "console=ttyS0", 512 * M1), 0);
		CHECK(st.initrd_addr >= MAX(bi.pref_address, st.kernel_start) + bi.init_size);
		CHECK(st.initrd_addr + ilen - 1 <= bi.initrd_addr_max);
		CHECK(mem_equals(st.initrd_addr, initrd, ilen));
		free(initrd);
	}
	/* Its init_size (about 64 MiB from 16 MiB) does not fit in 64 MiB of RAM. */
	fr_reset(64 * M1);
	CHECK_EQ(boot(k, len, NULL, 0, "", 64 * M1), -ENOSPC);
	CHECK(strstr(why, "init_size") != NULL);
	CHECK_EQ(fr.outside, 0);
	free(k);
}

TEST_MAIN({ "elf_load", elf_load },
	  { "elf_rejections", elf_rejections },
	  { "real_kernel", real_kernel })
