#!/usr/bin/env bash
# smp.sh: a VM with 4 vCPUs (tests/guests/smp.c) starts its APs with
# INIT-SIPI-SIPI, plays IPI ping-pong between vCPUs, sends NMIs, logical,
# broadcast and lowest-priority IPIs, then hostile ones: IPIs, INITs and
# SIPIs to APIC IDs nobody has, a SIPI to a running AP, INIT and restart of
# an AP, an IPI storm and an INIT storm from one AP at another; last it
# resets itself by INIT to vCPU 0 while its APs spin in the guest, and its
# second boot starts them again. A second VM (the MMIO emulation guest)
# keeps running and passes meanwhile, and the host powers off once both are
# done.
# Runs on both vendors: HV=svm (QEMU) or HV=vmx (Bochs).
. "$(dirname "$0")/../lib.sh"

# Host CPUs: 4 under QEMU, 2 under Bochs (whose CPUs take turns on one thread).
cpus=4
[ "$HV" = vmx ] && cpus=2
vm_boot "$WORK/serial.log" 900 'kernel.cmdline = "test.poweroff_idle"' --mem 512 --cpus $cpus \
	"$(vmx_guest smp smp 'smp.cpus=4 smp.storm=2000' 'numvcpus = "4"')" \
	"$(vmx_guest mmio mmio)"
rc=$?
log=$WORK/serial.log

expect "$log" "vm smp: started: 64 MiB, 4 vCPU, $HV_NAME" "a VM with 4 vCPUs starts on $HV_NAME"
for c in 1 2 3; do
	expect "$log" "vm smp: vCPU $c started by SIPI at 10000" "vCPU $c starts in real mode at the SIPI vector"
done
expect "$log" '\[smp\] smp:   ok: ping-pong vCPU 1 <-> vCPU 2' "IPI ping-pong between two APs"
expect "$log" '\[smp\] smp:   ok: NMI IPIs to vCPU 3: 3 sent, 3 handled' "NMI IPIs are delivered, one after another"
expect "$log" '\[smp\] smp:   ok: lowest priority' "lowest-priority IPIs go to one AP each"
expect "$log" '\[smp\] smp:   ok: IPIs, NMIs, INITs, SIPIs to APIC IDs nobody has reach no vCPU' \
	"IPIs to APIC IDs nobody has go nowhere"
expect "$log" '\[smp\] smp:   ok: a SIPI to a running AP is ignored' "a SIPI to a running AP is ignored"
expect "$log" '\[smp\] smp:   ok: vCPU 2 still answers pings after the storm' "an AP survives an IPI storm"
expect "$log" 'vm smp: INIT to vCPU 0: resetting the VM' "INIT to vCPU 0 resets the VM"
expect "$log" '\[smp\] TV-TEST smp: second boot after INIT to vCPU 0' "the VM boots again and starts its APs"
expect "$log" '\[smp\] TV-TEST smp: PASS' "in-guest checks pass"
expect "$log" 'vm smp: off \(guest powered off' "the SMP VM powers off normally"
expect "$log" '\[mmio\] TV-TEST mmio: PASS' "a second VM runs and passes its checks meanwhile"
expect "$log" "vmm: $HV_NAME ready on $cpus of $cpus CPUs" "the host runs vCPUs on its $cpus CPUs"
expect_not "$log" 'PANIC' "no host panic"
t0=$(host_time "$log" 'vm smp: started')
t1=$(host_time "$log" 'vm smp: off')
[ -n "$t0" ] && [ -n "$t1" ] &&
	echo "INFO: $HV_NAME: the smp VM ran $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s of host time"
expect_poweroff "$rc" "$log" "host powered off cleanly once no VM was left"
finish
