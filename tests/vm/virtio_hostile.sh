#!/usr/bin/env bash
# virtio_hostile.sh: the hostile virtio driver (tests/guests/virtq.c) posts
# out-of-range, wrapping, looping, huge and badly indirected chains and bad
# queue set-ups to its virtio-blk and virtio-rng devices; each must end in
# DEVICE_NEEDS_RESET (or be ignored) without touching memory, and the
# device must work again after a reset; a sector written before the VM
# resets itself reads back after it. The host logs each breakage with
# the VM's name, survives, and a Debian Linux VM beside it (LINUX=0 leaves
# it out) still reaches userspace and passes its checks.
# Runs on both vendors: HV=svm (QEMU) or HV=vmx (Bochs).
. "$(dirname "$0")/../lib.sh"

LINUX=${LINUX:-1}
{ printf 'TVDISK'; head -c 8186 /dev/zero; } >"$WORK/vms/tvdisk.img"
vms=("$(vmx_guest virtq virtq "" 'disk0.fileName = "tvdisk.img"' 'virtioRng.present = "true"')")
last='vm virtq: (off|crashed)'
if [ "$LINUX" = 1 ]; then
	vms+=("$(vmx_linux linux 256)")
	last='\[linux\] TV-VERDICT'
fi
vm_boot "$WORK/serial.log" 900 '' --until "$last" --mem 1024 "${vms[@]}"
rc=$?
log=$WORK/serial.log

[ "$rc" = 0 ] && pass "the run reached its last verdict ($HV_NAME)" || fail "no last verdict (rc $rc)"
expect "$log" '\[virtq\] TV-TEST virtq: PASS' "hostile queues: NEEDS_RESET or ignored, memory untouched, devices recover"
expect "$log" '\[virtq\] TV-TEST virtq: second boot after the reset' "the VM resets itself and boots again"
expect "$log" 'vm virtq: off \(guest powered off' "the hostile VM itself carries on to its poweroff"
expect "$log" "vm virtq: virtio-blk0: buffer outside guest RAM; device needs reset" "the host logs a breakage with the VM's name"
expect "$log" 'vm virtq: virtio-blk0: .*\(further reports suppressed\)' "and stops logging after a few"
if [ "$LINUX" = 1 ]; then
	expect "$log" '\[linux\] TV-VERDICT: PASS' "Linux VM on the same host passes its checks"
fi
expect_not "$log" 'PANIC' "no host panic"
finish
