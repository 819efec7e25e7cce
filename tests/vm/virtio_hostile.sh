#!/usr/bin/env bash
# virtio_hostile.sh: the hostile virtio driver (tests/guests/virtq.c) posts
# out-of-range, wrapping, looping, huge and badly indirected chains and bad
# queue set-ups to its virtio-blk and virtio-rng devices; each must end in
# DEVICE_NEEDS_RESET (or be ignored) without touching memory, and the
# device must work again after a reset; a sector written before the VM
# resets itself reads back after it. Its virtio-net device gets hostile
# transmit chains too, then it floods vSwitch0 with 3000 broadcast frames.
# The host logs each breakage with the VM's name, survives, and a Debian
# Linux VM beside it (LINUX=0 leaves it out), whose NIC is on the same
# switch and up, still reaches userspace and passes its checks.
# Runs on both vendors: HV=svm (QEMU) or HV=vmx (Bochs).
. "$(dirname "$0")/../lib.sh"

LINUX=${LINUX:-1}
{ printf 'TVDISK'; head -c 8186 /dev/zero; } >"$WORK/vms/tvdisk.img"
vms=("$(vmx_guest virtq virtq "virtq.storm=3000" 'disk0.fileName = "tvdisk.img"' \
	'virtioRng.present = "true"' 'ethernet0.present = "TRUE"')")
last='vm virtq: (off|crashed)'
if [ "$LINUX" = 1 ]; then
	vms+=("$(vmx_linux linux 256 "tv.virtio=1 tv.ip=192.168.99.2/24" 'ethernet0.present = "TRUE"')")
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
expect "$log" 'vm virtq: virtio-net0: net transmit buffer is device-writable; device needs reset' \
	"a writable transmit buffer breaks that NIC alone"
expect "$log" 'virtq: storm of 3000 frames sent' "the hostile VM floods vSwitch0 with 3000 broadcasts"
if [ "$LINUX" = 1 ]; then
	expect "$log" '\[linux\] TV-VERDICT: PASS .*mac=' "Linux VM on the same switch, its NIC up, passes its checks"
fi
expect_not "$log" 'PANIC' "no host panic"
finish
