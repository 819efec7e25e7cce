/* SPDX-License-Identifier: MIT */
/*
 * vmconfig.h: VM config files (.vmx on the stick). The parser is pure and
 * shared by the kernel and tools/vmcheck; every key is documented in
 * docs/config.md.
 */
#ifndef TV_VMCONFIG_H
#define TV_VMCONFIG_H

#include <tv/cfglex.h>
#include <tv/types.h>

#define VMCFG_NAME_MAX 63
#define VMCFG_MEM_MIN_MIB 16
#define VMCFG_MEM_MAX_MIB (1u << 20)      /* 1 TiB: a syntax bound; the host decides what fits */
#define VMCFG_VCPUS_MAX 16
#define VMCFG_MAX_DIAG 16
/* CPU shares as ESXi counts them: the levels are per vCPU, a number is the VM's total. */
#define VMCFG_SHARES_LOW 500
#define VMCFG_SHARES_NORMAL 1000
#define VMCFG_SHARES_HIGH 2000
#define VMCFG_SHARES_MAX 1000000       /* also the largest sched.mem.shares number */
/* Memory shares as ESXi counts them: levels are per MB of memsize, a number is the total. */
#define VMCFG_MEM_SHARES_LOW 5
#define VMCFG_MEM_SHARES_NORMAL 10
#define VMCFG_MEM_SHARES_HIGH 20
#define VMCFG_SALT_MAX 32                 /* sched.mem.pshare.salt */
#define VMCFG_CPU_MHZ_MAX 1000000         /* a syntax bound; admission checks the host */
#define VMCFG_AFFINITY_CPUS 64            /* host CPUs 0..63 */
#define VMCFG_DISKS_MAX 4                 /* disk0 .. disk3 */
#define VMCFG_DATASTORE_MAX 31
#define VMCFG_DISK_MAX_MIB (1u << 22)     /* 4 TiB: a syntax bound; the datastore decides */
#define VMCFG_NICS_MAX 4                  /* ethernet0 .. ethernet3 */
#define VMCFG_NETNAME_MAX 31
#define VMCFG_NETWORK_DEFAULT "VM Network"  /* ESXi's default VM port group */

/* A virtio-blk disk (diskN.* keys). */
struct vmcfg_disk {
	bool present;
	bool read_only;
	/* A stick image ("vms/..."), or with datastore[0] the path on that datastore. */
	char file[CFG_MAX_PATH + 8];
	char datastore[VMCFG_DATASTORE_MAX + 1];   /* "ds1" of "[ds1] vm/disk.img"; "" for the stick */
	u64 size_mib;                     /* diskN.sizeMB: create a datastore disk this big; 0 none */
	unsigned line;                    /* of diskN.fileName */
};

/* A virtio-net NIC (ethernetN.* keys). */
struct vmcfg_nic {
	bool present;
	char network[VMCFG_NETNAME_MAX + 1]; /* the vSwitch port group: ethernetN.networkName */
	u8 mac[6];                        /* ethernetN.address, or generated from the VM's name */
	bool mac_static;                  /* ethernetN.address was given */
	char addr_type;                   /* ethernetN.addressType: 's'tatic, 'g'enerated, or 0 */
	unsigned line;                    /* of ethernetN.present or the first ethernetN key */
};

struct vm_config {
	char file[CFG_MAX_PATH + 8];      /* "vms/web.vmx": where errors point */
	char name[VMCFG_NAME_MAX + 1];    /* displayName, else the file name without .vmx */
	unsigned name_line;               /* 0 when the name came from the file name */
	u64 memsize_mib;
	unsigned memsize_line;
	unsigned numvcpus;
	/* CPU scheduling (sched.cpu.*); the kernel admits them against the host. */
	u32 cpu_shares;                   /* the VM's total: a level x numvcpus, or the number */
	unsigned cpu_shares_line;
	u32 cpu_min_mhz;                  /* reservation; 0 none */
	unsigned cpu_min_line;
	u32 cpu_max_mhz;                  /* limit; 0 unlimited (written -1) */
	unsigned cpu_max_line;
	u64 cpu_affinity;                 /* bit n: host CPU n may run it; 0 all */
	unsigned cpu_affinity_line;
	/* Memory: guest RAM is backed on first touch; the reservation is set aside at start. */
	u64 mem_min_mib;                  /* sched.mem.min; 0 none */
	unsigned mem_min_line;
	u64 mem_max_mib;                  /* sched.mem.max; 0 (written -1) or >= memsize: no limit */
	unsigned mem_max_line;
	u64 mem_shares;                   /* sched.mem.shares as a number: a level x memsize MB, or the number */
	unsigned mem_shares_line;
	/*
	 * Page sharing (sched.mem.pshare.*): within the VM by default; VMs
	 * whose configs name the same salt share with each other.
	 */
	bool pshare_enable;               /* sched.mem.pshare.enable, default TRUE */
	char pshare_salt[VMCFG_SALT_MAX + 1]; /* sched.mem.pshare.salt; "" none: this VM only */
	char kernel[CFG_MAX_PATH + 8];    /* stick paths, relative to thinvisor/ ("vms/...") */
	unsigned kernel_line;
	char initrd[CFG_MAX_PATH + 8];    /* "" when none */
	unsigned initrd_line;
	char cmdline[CFG_MAX_VALUE + 1];
	struct vmcfg_disk disk[VMCFG_DISKS_MAX];
	struct vmcfg_nic nic[VMCFG_NICS_MAX];
	bool virtio_console;              /* virtioConsole.present: hvc0 */
	bool virtio_rng;                  /* virtioRng.present */
	bool virtio_balloon;              /* virtioBalloon.present: the host may reclaim through it */
	bool autostart;
	int start_order;                  /* lower starts first; ties by file name */
};

/* One problem found in a config: "file:line: reason". */
struct vmcfg_diag {
	unsigned n;
	struct {
		unsigned line;            /* 0: the file as a whole */
		char msg[120];
	} d[VMCFG_MAX_DIAG];
	unsigned dropped;                 /* problems beyond VMCFG_MAX_DIAG */
};

/* Does the stick (or the admin's disk, for vmcheck) have this guest file? */
typedef bool (*vmcfg_file_exists_fn)(void *ctx, const char *stick_path);

/*
 * Parse one config. file is its stick path ("vms/x.vmx"); exists checks
 * the guest files it names (may be NULL to skip). Returns 0 when usable,
 * else -EINVAL with every problem in diag (all lines are checked).
 */
int vmcfg_parse(const char *file, const void *text, size_t len, vmcfg_file_exists_fn exists,
		void *ctx, struct vm_config *cfg, struct vmcfg_diag *diag);

/*
 * Across a set of configs: mark duplicate names. Configs whose name repeats
 * an earlier one's get a diag entry and ok[i] = false.
 */
void vmcfg_check_names(struct vm_config *cfgs, struct vmcfg_diag *diags, bool *ok, size_t n);

/* Sort indexes by start order, then file name. */
void vmcfg_start_order(const struct vm_config *cfgs, unsigned *idx, size_t n);

#endif
