/* SPDX-License-Identifier: MIT */
/* vmm_internal.h: functions shared between the files of vmm/ only. */
#ifndef VMM_INTERNAL_H
#define VMM_INTERNAL_H

#include <tv/vmm.h>

/* console.c */
int vm_console_init(struct vm *vm);
void vm_console_flush(struct vm *vm);
void vm_console_free(struct vm *vm);

/* platform.c: the emulated PC (devices, buses, interrupt routing) */
int vm_platform_init(struct vm *vm, char *why, size_t whylen);
void vm_platform_reset(struct vm *vm);
void vm_platform_free(struct vm *vm);
int vm_platform_vcpu_init(struct vcpu *v);
void vm_platform_vcpu_free(struct vcpu *v);
/* Typed input is queued and the UART has room for it. */
bool vm_console_pending(struct vm *vm);
/* xAPIC MMIO of the accessing vCPU; false if gpa is not its APIC page. */
bool vcpu_lapic_access(struct vcpu *v, u64 gpa, unsigned size, u64 *val, bool write);
/* Pending interrupt vector for the vCPU, or -1 (a lock-free peek). */
int vcpu_irq_pending(struct vcpu *v);

/* TSC-deadline MSR, backed by the vCPU's local APIC timer */
u64 vcpu_tsc_deadline_read(struct vcpu *v);
void vcpu_tsc_deadline_write(struct vcpu *v, u64 val);
/* The local APIC's task priority (CR8 is its upper nibble). */
u8 vcpu_tpr_read(struct vcpu *v);
void vcpu_tpr_write(struct vcpu *v, u8 tpr);

/* vcpu.c */
int vcpu_create(struct vm *vm, unsigned id);
void vcpu_free(struct vcpu *v);
void vcpu_reset_common(struct vcpu *v, bool bsp);
/* An interrupt, NMI or INIT is pending: HLT ends (lock-free peek). */
bool vcpu_wakeup_pending(struct vcpu *v);

/* vm.c: the reset rendezvous (docs/vmm.md, "Concurrency") */
/* v enters vcpu_run; false: its VM is being reset, v stays parked (this may perform the reset). */
bool vm_run_begin(struct vcpu *v);
/* v leaves vcpu_run; the last vCPU out of a VM that asked for a reset performs it. */
void vm_run_end(struct vcpu *v);
/* A reset was requested and no vCPU is in vcpu_run to perform it: the next one to enter will. */
bool vm_reset_waits_for_runner(struct vm *vm);
/* vcpu_kick every vCPU of vm. */
void vm_kick_all(struct vm *vm);

/* virtio_host.c: the VM's virtio-mmio devices, from its config */
/* *why_line: the config line a failure points at (0: none). */
int vm_virtio_init(struct vm *vm, char *why, size_t whylen, unsigned *why_line);
void vm_virtio_reset(struct vm *vm);
void vm_virtio_log(struct vm *vm);
void vm_virtio_free(struct vm *vm);
/* Frames wait for a NIC of the VM (a lock-free peek), and moving them into its buffers. */
bool vm_net_pending(struct vm *vm);
void vm_net_feed(struct vm *vm);
/* console.c: virtio-console output of VM ctx, line by line like the UART's (vm->lock held) */
void vm_console_hvc(void *ctx, const u8 *buf, u64 n);

/* disk/disk.c: the one place a disk backend is chosen (docs/vmm.md, "Disks") */
struct blkdev;
struct vmcfg_disk;
/* Open disk n of a config; 0 and *out, or -errno and why. */
int disk_open(const struct vmcfg_disk *c, unsigned n, struct blkdev **out, char *why,
	      size_t whylen);
void disk_close(struct blkdev *d, const struct vmcfg_disk *c);

/* vtimer.c */
void vm_timers_init(struct vm *vm);
void vm_timers_cancel_all(struct vm *vm);
bool vm_timers_due(struct vm *vm);

/* bus.c */
void vm_bus_free(struct vm *vm);

/* msr.c: the MSRs a vCPU owns, at power-on */
void vcpu_msr_reset(struct vcpu *v);

/* vm_mem.c: guest RAM, backed on first touch */
/* The chunk array and the reservation (admission: -ENOMEM with why and the config line). */
int vm_ram_init(struct vm *vm, char *why, size_t whylen, unsigned *why_line);
void vm_ram_free(struct vm *vm);
/* A reset: zero what is backed. */
void vm_ram_zero(struct vm *vm);
/*
 * A nested page fault at gpa: back the page (or its chunk), or copy it if
 * shared or zero. 1 done now, 0 nothing to do (it is mapped writable),
 * -ENOMEM, -EFAULT (not RAM).
 */
int vm_ram_fault(struct vm *vm, u64 gpa);
/*
 * The frame of RAM page gpa for reading, good while vm->tlb_gen stays *gen
 * (emulate.c's code-page cache); NULL if not RAM.
 */
const u8 *vm_ram_code_page(struct vm *vm, u64 gpa, u32 *gen);
/* One turn of the page scanner on vm (vm_reclaim.c calls it): pages looked at. */
u64 vm_ram_scan_batch(struct vm *vm, u64 budget);
/* Host memory the page bookkeeping uses; the most guest RAM backed at once. */
u64 vm_ram_overhead(struct vm *vm);
u64 vm_ram_backed_peak(struct vm *vm);
/* Host memory free for guests: what the allocator has beyond the host's own reserve. */
u64 vm_ram_free_for_guests(void);
/* The most guest RAM the host could ever back: its usable memory less its own reserve. */
u64 vm_ram_host_max(void);

/*
 * The balloon's side of guest RAM (vmm/virtio/balloon.c calls these). The
 * guest put the 4 KiB page at gpa in its balloon: its frame goes back to
 * the host (-EFAULT: not RAM; the device ignores it). Deflate: the guest
 * takes it back; it is backed again, zeroed, on its next touch.
 */
int vm_ram_balloon_inflate(struct vm *vm, u64 gpa);
void vm_ram_balloon_deflate(struct vm *vm, u64 gpa);

/*
 * virtio_host.c: the host policy's side of the VM's virtio-balloon
 * (virtioBalloon.present). Without the device: present false, actual 0,
 * set_target ignored. Target and actual are in 4 KiB pages; a new target
 * raises a configuration-change interrupt. Any context but NMI.
 */
bool vm_balloon_present(struct vm *vm);
void vm_balloon_set_target(struct vm *vm, u64 pages);
/* What the guest reports it holds (config "actual"), and the pages the device has seen go in, net. */
u64 vm_balloon_actual(struct vm *vm);

/* Guest TSC now. */
u64 vm_guest_tsc(struct vm *vm);

#endif
