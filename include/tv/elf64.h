/* SPDX-License-Identifier: MIT */
/* elf64.h: the parts of ELF64 the loader needs, and a strict header checker. */
#ifndef TV_ELF64_H
#define TV_ELF64_H

#include <tv/types.h>

struct elf64_ehdr {
	u8 e_ident[16];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

struct elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header size");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header size");

#define ELF_ET_EXEC 2
#define ELF_EM_X86_64 62
#define ELF_PT_LOAD 1
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

/* What a loader needs after the check. */
struct elf64_image {
	u64 entry;
	u64 vbase;      /* lowest PT_LOAD p_vaddr, page-aligned down */
	u64 vend;       /* highest p_vaddr + p_memsz, page-aligned up */
	const struct elf64_phdr *phdrs;
	unsigned phnum;
};

/*
 * Check an x86-64 ELF executable of len bytes: header fields, program
 * headers and every PT_LOAD segment inside the file, segments in
 * [lo, hi) without overlapping each other, entry inside an executable
 * segment. Returns NULL and fills *img, or a reason.
 */
const char *elf64_check(const void *buf, u64 len, u64 lo, u64 hi, struct elf64_image *img);

#endif
