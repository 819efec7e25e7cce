// SPDX-License-Identifier: MIT
/* memmap.c: normalizing firmware memory maps, shared by both boot paths. */
#include <tv/bootinfo.h>
#include <tv/string.h>

#define PAGE 4096ull

static u64 end_of(const struct bi_mem_region *r)
{
	return r->base + r->size;
}

static void remove_at(struct bi_mem_region *r, size_t *n, size_t i)
{
	memmove(&r[i], &r[i + 1], (*n - i - 1) * sizeof(*r));
	(*n)--;
}

/* Insertion sort: maps have a few hundred entries at most and are nearly sorted. */
static void sort_regions(struct bi_mem_region *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct bi_mem_region t = r[i];
		size_t j = i;

		while (j > 0 && (r[j - 1].base > t.base ||
				 (r[j - 1].base == t.base && r[j - 1].type > t.type))) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = t;
	}
}

/* Resolve the first overlap found; false when there is none left. */
static bool resolve_one(struct bi_mem_region *r, size_t *n, size_t cap)
{
	for (size_t i = 0; i + 1 < *n; i++) {
		struct bi_mem_region *a = &r[i], *b = &r[i + 1];

		if (b->base >= end_of(a))
			continue;
		if (a->type == b->type) {
			if (end_of(b) > end_of(a))
				a->size = end_of(b) - a->base;
			remove_at(r, n, i + 1);
		} else if (a->type > b->type) {
			/* b is less restrictive: keep only what sticks out past a. */
			if (end_of(b) <= end_of(a)) {
				remove_at(r, n, i + 1);
			} else {
				b->size = end_of(b) - end_of(a);
				b->base = end_of(a);
			}
		} else {
			/* a is less restrictive: cut it at b, keep its tail past b. */
			u64 tail_base = end_of(b), tail_end = end_of(a);
			u32 type = a->type;

			a->size = b->base - a->base;
			if (tail_end > tail_base) {
				if (a->size == 0) {
					/* Nothing left before b: a's own slot takes the tail. */
					a->base = tail_base;
					a->size = tail_end - tail_base;
				} else if (*n < cap) {
					r[*n].base = tail_base;
					r[*n].size = tail_end - tail_base;
					r[*n].type = type;
					(*n)++;
				} else if (type != BI_MEM_USABLE) {
					/*
					 * No room. Dropping a non-usable tail could uncover
					 * usable ranges it hides: b swallows it instead, so
					 * the memory only gets more restrictive. A usable
					 * tail is simply dropped (a hole).
					 */
					b->size = tail_end - b->base;
				}
			}
			if (a->size == 0)
				remove_at(r, n, i);
		}
		sort_regions(r, *n);
		return true;
	}
	return false;
}

static void merge_neighbours(struct bi_mem_region *r, size_t *n)
{
	for (size_t i = 0; i + 1 < *n;) {
		if (r[i].type == r[i + 1].type && end_of(&r[i]) == r[i + 1].base) {
			r[i].size += r[i + 1].size;
			remove_at(r, n, i + 1);
		} else {
			i++;
		}
	}
}

/*
 * Nothing may end past TOP: end_of() must not overflow to 0, which would
 * hide a range from every overlap check. The top page is never RAM.
 */
#define TOP (0ull - PAGE)

size_t bi_memmap_normalize(struct bi_mem_region *r, size_t n, size_t cap)
{
	size_t i;

	if (n > cap)
		n = cap;
	for (i = 0; i < n;) {
		/* Clamp ranges that reach the top page or wrap around. */
		if (r[i].base >= TOP)
			r[i].size = 0;
		else if (r[i].size > TOP - r[i].base)
			r[i].size = TOP - r[i].base;
		if (r[i].size == 0 || r[i].type == 0 || r[i].type >= BI_MEM_NTYPES)
			remove_at(r, &n, i);
		else
			i++;
	}
	sort_regions(r, n);
	while (resolve_one(r, &n, cap))
		;
	/* Before shrinking usable RAM to pages: pieces may fill a page together. */
	merge_neighbours(r, &n);
	for (i = 0; i < n;) {
		if (r[i].type == BI_MEM_USABLE) {
			u64 b = (r[i].base + PAGE - 1) & ~(PAGE - 1);
			u64 e = end_of(&r[i]) & ~(PAGE - 1);

			r[i].base = b;
			r[i].size = e > b ? e - b : 0;
		}
		if (r[i].size == 0)
			remove_at(r, &n, i);
		else
			i++;
	}
	merge_neighbours(r, &n);
	return n;
}

const char *bi_mem_type_name(u32 type)
{
	static const char *const names[BI_MEM_NTYPES] = {
		[BI_MEM_USABLE] = "usable",       [BI_MEM_ACPI_RECLAIM] = "ACPI",
		[BI_MEM_ACPI_NVS] = "ACPI NVS",   [BI_MEM_RUNTIME] = "UEFI runtime",
		[BI_MEM_PERSISTENT] = "persistent", [BI_MEM_RESERVED] = "reserved",
		[BI_MEM_MMIO] = "MMIO",           [BI_MEM_UNUSABLE] = "unusable",
	};

	return type < BI_MEM_NTYPES && names[type] ? names[type] : "unknown";
}

const char *bi_module_kind(const char *name)
{
	size_t n = strlen(name), d = strlen(BI_VMDIR);

	if (strcmp(name, BI_SETTINGS_NAME) == 0)
		return BI_KIND_SETTINGS;
	/* A .vmx directly inside vms/ is a VM config; anything else is guest data. */
	if (n > d + 4 && strncmp(name, BI_VMDIR, d) == 0 && strcmp(name + n - 4, ".vmx") == 0 &&
	    !strchr(name + d, '/'))
		return BI_KIND_VMCONFIG;
	return BI_KIND_GUESTFILE;
}
