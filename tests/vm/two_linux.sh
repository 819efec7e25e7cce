#!/usr/bin/env bash
# two_linux.sh: two Debian Linux VMs on one stick both reach userspace, pass
# their checks and power off; then the host powers off.
# Runs on both vendors: HV=svm (QEMU) or HV=vmx (Bochs).
. "$(dirname "$0")/../lib.sh"

vm_boot "$WORK/serial.log" 2400 'kernel.cmdline = "test.poweroff_idle"' --mem 1024 \
	"$(vmx_linux alpha 256)" "$(vmx_linux beta 256)"
rc=$?
log=$WORK/serial.log

for vm in alpha beta; do
	expect "$log" "vm $vm: started: 256 MiB, 1 vCPU, $HV_NAME" "$vm: started on $HV_NAME"
	expect "$log" "\\[$vm\\] TV-VERDICT: PASS" "$vm: Linux reaches userspace and passes"
	expect "$log" "vm $vm: off \\(guest powered off" "$vm: powered off"
done
expect_poweroff "$rc" "$log" "host powered off after both VMs"
finish
