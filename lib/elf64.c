// SPDX-License-Identifier: MIT
/* elf64.c: strict checks on ELF64 executables before anything is loaded. */
#include <tv/elf64.h>
#include <tv/string.h>

#define PAGE 4096ull

const char *elf64_check(const void *buf, u64 len, u64 lo, u64 hi, struct elf64_image *img)
{
	const struct elf64_ehdr *eh = buf;
	const struct elf64_phdr *ph;
	bool entry_ok = false;
	u64 vbase = ~0ull, vend = 0;

	if (len < sizeof(*eh))
		return "ELF file is truncated";
	if (memcmp(eh->e_ident, "\177ELF", 4) != 0)
		return "not an ELF file";
	if (eh->e_ident[4] != 2 || eh->e_ident[5] != 1)
		return "not a 64-bit little-endian ELF file";
	if (eh->e_type != ELF_ET_EXEC || eh->e_machine != ELF_EM_X86_64)
		return "not an x86-64 executable";
	if (eh->e_phentsize != sizeof(*ph) || eh->e_phnum == 0 || eh->e_phnum > 64)
		return "bad program header table";
	if (eh->e_phoff > len || (u64)eh->e_phnum * sizeof(*ph) > len - eh->e_phoff)
		return "program headers outside the file";
	if (eh->e_phoff % 8)
		return "misaligned program headers";
	ph = (const struct elf64_phdr *)((const u8 *)buf + eh->e_phoff);

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *p = &ph[i];

		if (p->p_type != ELF_PT_LOAD || p->p_memsz == 0)
			continue;
		if (p->p_filesz > p->p_memsz)
			return "segment file size exceeds memory size";
		if (p->p_offset > len || p->p_filesz > len - p->p_offset)
			return "segment outside the file";
		if (p->p_vaddr < lo || p->p_vaddr > hi || p->p_memsz > hi - p->p_vaddr)
			return "segment outside the allowed address range";
		if ((p->p_vaddr % PAGE) != (p->p_offset % PAGE))
			return "segment offset and address disagree modulo the page size";
		for (unsigned j = 0; j < i; j++) {
			const struct elf64_phdr *q = &ph[j];

			if (q->p_type != ELF_PT_LOAD || q->p_memsz == 0)
				continue;
			if (p->p_vaddr < q->p_vaddr + q->p_memsz &&
			    q->p_vaddr < p->p_vaddr + p->p_memsz)
				return "segments overlap";
		}
		if ((p->p_flags & ELF_PF_X) && eh->e_entry >= p->p_vaddr &&
		    eh->e_entry < p->p_vaddr + p->p_memsz)
			entry_ok = true;
		if (p->p_vaddr < vbase)
			vbase = p->p_vaddr;
		if (p->p_vaddr + p->p_memsz > vend)
			vend = p->p_vaddr + p->p_memsz;
	}
	if (vend == 0)
		return "no loadable segments";
	if (!entry_ok)
		return "entry point outside executable segments";
	img->entry = eh->e_entry;
	img->vbase = vbase & ~(PAGE - 1);
	img->vend = (vend + PAGE - 1) & ~(PAGE - 1);
	img->phdrs = ph;
	img->phnum = eh->e_phnum;
	return NULL;
}
