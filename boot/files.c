// SPDX-License-Identifier: MIT
/* files.c: finding and reading thinvisor's files on the boot volume. */
#include <tv/printf.h>
#include <tv/string.h>
#include "loader.h"

#define READ_CHUNK (1u << 20)

EFI_STATUS files_open_root(struct loader *ld)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE vol;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, ld->image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		return st;
	/* The stick we were booted from: the device our own image came from. */
	vol = LibOpenRoot(li->DeviceHandle);
	if (!vol)
		return EFI_NOT_FOUND;
	st = uefi_call_wrapper(vol->Open, 5, vol, &ld->root, TV_DIR, EFI_FILE_MODE_READ, 0);
	uefi_call_wrapper(vol->Close, 1, vol);
	return st;
}

/* "vms/a.vmx" -> L"vms\\a.vmx" */
static void to_efi_path(const char *name, CHAR16 *out, size_t max)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < max; i++)
		out[i] = name[i] == '/' ? L'\\' : (CHAR16)name[i];
	out[i] = 0;
}

static EFI_STATUS open_file(struct loader *ld, const char *name, EFI_FILE_HANDLE *fh)
{
	CHAR16 path[CFG_MAX_PATH + 8];

	to_efi_path(name, path, ARRAY_SIZE(path));
	return uefi_call_wrapper(ld->root->Open, 5, ld->root, fh, path, EFI_FILE_MODE_READ, 0);
}

struct lfile *files_find(struct loader *ld, const char *name)
{
	for (unsigned i = 0; i < ld->nfiles; i++)
		if (strcmp(ld->files[i].name, name) == 0)
			return &ld->files[i];
	return NULL;
}

struct lfile *files_plan(struct loader *ld, const char *name, EFI_STATUS *st)
{
	struct lfile *f = files_find(ld, name);
	EFI_FILE_HANDLE fh;
	EFI_FILE_INFO *info;

	if (f)
		return f;
	if (ld->nfiles == MAX_FILES) {
		*st = EFI_OUT_OF_RESOURCES;
		return NULL;
	}
	*st = open_file(ld, name, &fh);
	if (EFI_ERROR(*st))
		return NULL;
	info = LibFileInfo(fh);
	uefi_call_wrapper(fh->Close, 1, fh);
	if (!info) {
		*st = EFI_DEVICE_ERROR;
		return NULL;
	}
	if (info->Attribute & EFI_FILE_DIRECTORY) {
		FreePool(info);
		*st = EFI_NOT_FOUND;
		return NULL;
	}
	f = &ld->files[ld->nfiles++];
	tv_strlcpy(f->name, name, sizeof(f->name));
	f->size = info->FileSize;
	f->loaded = false;
	f->addr = 0;
	FreePool(info);
	ld->total_bytes += f->size;
	return f;
}

EFI_STATUS files_read_one(struct loader *ld, struct lfile *f)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS st;
	u64 off = 0;

	/* Always at least one page so an empty file still has an address. */
	st = alloc_pages(f->size ? f->size : 1, &f->addr);
	if (EFI_ERROR(st))
		return st;
	st = open_file(ld, f->name, &fh);
	if (EFI_ERROR(st))
		return st;
	while (off < f->size) {
		UINTN n = f->size - off > READ_CHUNK ? READ_CHUNK : f->size - off;
		UINTN want = n;

		st = uefi_call_wrapper(fh->Read, 3, fh, &n, (void *)(uintptr_t)(f->addr + off));
		if (EFI_ERROR(st))
			break;
		if (n != want) {
			/* The file shrank under us or the medium lies about sizes. */
			st = EFI_END_OF_FILE;
			break;
		}
		off += n;
		ld->done_bytes += n;
		progress_draw(ld, f->name);
	}
	uefi_call_wrapper(fh->Close, 1, fh);
	if (!EFI_ERROR(st))
		f->loaded = true;
	return st;
}

EFI_STATUS files_read_all(struct loader *ld)
{
	for (unsigned i = 0; i < ld->nfiles; i++) {
		struct lfile *f = &ld->files[i];
		EFI_STATUS st;

		if (f->loaded)
			continue;
		st = files_read_one(ld, f);
		if (EFI_ERROR(st))
			return fail(st, f->name, "read failed (%s)",
				    st == EFI_OUT_OF_RESOURCES ? "out of memory" :
				    st == EFI_END_OF_FILE ? "file shorter than its size" : "device error");
	}
	progress_draw(ld, "done");
	Print(L"\r\n");
	return EFI_SUCCESS;
}

static bool ends_with_vmx(const CHAR16 *n)
{
	size_t len = StrLen(n);

	if (len < 5)
		return false;
	n += len - 4;
	return n[0] == L'.' && (n[1] | 0x20) == L'v' && (n[2] | 0x20) == L'm' &&
	       (n[3] | 0x20) == L'x';
}

EFI_STATUS files_plan_vm_configs(struct loader *ld)
{
	EFI_FILE_HANDLE dir;
	EFI_STATUS st;
	/* EFI_FILE_INFO is followed by the name; 512 bytes holds any FAT name. */
	UINT64 buf[(sizeof(EFI_FILE_INFO) + 512) / 8 + 1];

	st = uefi_call_wrapper(ld->root->Open, 5, ld->root, &dir, L"vms", EFI_FILE_MODE_READ, 0);
	if (st == EFI_NOT_FOUND)
		return EFI_SUCCESS; /* a stick without VMs is valid */
	if (EFI_ERROR(st))
		return st;
	for (;;) {
		EFI_FILE_INFO *info = (EFI_FILE_INFO *)buf;
		UINTN n = sizeof(buf);
		char name[CFG_MAX_PATH + 8];
		size_t len;
		bool ascii = true;

		st = uefi_call_wrapper(dir->Read, 3, dir, &n, info);
		if (EFI_ERROR(st) || n == 0)
			break;
		if ((info->Attribute & EFI_FILE_DIRECTORY) || !ends_with_vmx(info->FileName))
			continue;
		len = StrLen(info->FileName);
		if (len + 5 > sizeof(name)) {
			warn("vms", "config file name too long, skipped");
			continue;
		}
		memcpy(name, BI_VMDIR, 4);
		for (size_t i = 0; i <= len; i++) {
			if (info->FileName[i] > 0x7e)
				ascii = false;
			name[4 + i] = (char)info->FileName[i];
		}
		if (!ascii) {
			warn("vms", "config file name is not ASCII, skipped");
			continue;
		}
		if (!files_plan(ld, name, &st))
			warn(name, "cannot open (status %lx), skipped", (unsigned long)st);
	}
	uefi_call_wrapper(dir->Close, 1, dir);
	return EFI_ERROR(st) ? st : EFI_SUCCESS;
}
