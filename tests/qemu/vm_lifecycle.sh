#!/usr/bin/env bash
# vm_lifecycle.sh: a guest reset restarts its VM (the guest boots again);
# two Debian Linux VMs on one stick both reach userspace and pass.
. "$(dirname "$0")/../lib.sh"

make_stick "$WORK/stick.img" 'kernel.cmdline = "test.poweroff_idle"' \
	"$(vmx_guest reboot reboot)" "$(vmx_linux alpha 256)" "$(vmx_linux beta 256)"
qemu_boot "$WORK/stick.img" "$WORK/serial.log" 400 --mem 1024
rc=$?
log=$WORK/serial.log

expect "$log" '\[reboot\] TV-TEST reboot: first boot, resetting the VM' "reboot: first boot resets"
expect "$log" 'vm reboot: reset requested by the guest; restarting' "reboot: host restarts the VM"
expect "$log" '\[reboot\] TV-TEST reboot: PASS' "reboot: the guest boots a second time"
expect "$log" 'vm reboot: off \(guest powered off' "reboot: then powers off"
for vm in alpha beta; do
	expect "$log" "\\[$vm\\] TV-VERDICT: PASS" "$vm: Linux reaches userspace and passes"
	expect "$log" "vm $vm: off \\(guest powered off" "$vm: powered off"
done
[ "$rc" = 0 ] && pass "host powered off after all VMs" || fail "QEMU exit code $rc"
finish
