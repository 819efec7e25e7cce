/* SPDX-License-Identifier: MIT */
/* vmconfig_internal.h: what vmconfig.c and vmconfig_dev.c (the device keys) share. Pure. */
#ifndef VMCONFIG_INTERNAL_H
#define VMCONFIG_INTERNAL_H

#include <tv/compiler.h>
#include <tv/vmconfig.h>

/* diskN.<field> and ethernetN.<field> */
enum disk_field { D_PRESENT, D_FILENAME, D_READONLY, D_SIZEMB, D_NFIELDS };
enum nic_field { N_PRESENT, N_NETWORK, N_ADDRESS, N_ADDRESSTYPE, N_VIRTUALDEV, N_NFIELDS };

/* Line numbers where each device key was first seen (0: not given). */
struct vmcfg_devseen {
	unsigned disk[VMCFG_DISKS_MAX][D_NFIELDS];
	unsigned nic[VMCFG_NICS_MAX][N_NFIELDS];
};

void diag_add(struct vmcfg_diag *diag, unsigned line, const char *fmt, ...) __printf(3, 4);
/* Is the value this lower-case word, ignoring ASCII case? */
bool value_is(const struct cfg_entry *e, const char *word);
/* true/yes/1 or false/no/0: 0, else -EINVAL. */
int parse_bool(const struct cfg_entry *e, bool *out);
/* A guest file named in the config: checked, made a stick path ("vms/..."), looked up. */
void set_path(const struct cfg_entry *e, char *out, size_t size, vmcfg_file_exists_fn exists,
	      void *ctx, struct vmcfg_diag *diag);

/* vmconfig_dev.c: true if e was a diskN. or ethernetN. key (handled or diagnosed). */
bool vmcfg_dev_key(const struct cfg_entry *e, struct vm_config *cfg, struct vmcfg_devseen *seen,
		   vmcfg_file_exists_fn exists, void *ctx, struct vmcfg_diag *diag);
/* After all lines: which devices exist, defaults, and keys that need another. */
void vmcfg_dev_finish(struct vm_config *cfg, const struct vmcfg_devseen *seen,
		      struct vmcfg_diag *diag);

#endif
