#!/usr/bin/env bash
# linux.sh: an unmodified Debian Linux VM from a config on the boot medium
# reaches userspace, passes its own checks (CPUs, memory, hidden SVM/VMX,
# floating point, clock), sleeps 5 s in about 5 s of host time, and powers
# off: the VM goes to state off with its exit counts. Prints how long the
# boot took. Runs on both vendors: HV=svm (QEMU, UEFI stick) or HV=vmx (Bochs).
. "$(dirname "$0")/../lib.sh"

vm_boot "$WORK/serial.log" 2400 'kernel.cmdline = "test.poweroff_idle"' --mem 1024 \
	"$(vmx_linux linux 256 tv.sleep=5)"
rc=$?
log=$WORK/serial.log

expect "$log" "vm linux: started: 256 MiB, 1 vCPU, $HV_NAME" "VM started from its config on $HV_NAME"
expect "$log" '\[linux\] TV-GUEST: userspace reached' "Linux reaches userspace"
expect "$log" '\[linux\] TV-VERDICT: PASS' "in-guest checks pass (CPUs, memory, CPUID, FPU, clock)"
start=$(host_time "$log" '\[linux\] TV-GUEST: sleep 5 start')
end=$(host_time "$log" '\[linux\] TV-GUEST: sleep 5 end')
if [ -n "$start" ] && [ -n "$end" ] &&
	awk -v s="$start" -v e="$end" 'BEGIN { d = e - s; exit !(d >= 4.75 && d <= 5.5) }'; then
	pass "sleep 5 in the guest took $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }') s of host time"
else
	fail "sleep 5 in the guest: host times '$start' .. '$end'"
fi
expect "$log" 'vm linux: off \(guest powered off \(ACPI S5\)\)' "guest poweroff puts the VM in state off"
expect "$log" 'vm linux: [0-9]+ exits: io=[0-9]+ .*cpuid=' "exit counts by reason printed at VM stop"
expect "$log" 'vm linux: memory released' "its memory goes back to the host"
t0=$(host_time "$log" 'vm linux: started')
t1=$(host_time "$log" '\[linux\] TV-GUEST: userspace reached')
[ -n "$t0" ] && [ -n "$t1" ] &&
	echo "INFO: $HV_NAME: VM start to Linux userspace in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s of host time"
expect_poweroff "$rc" "$log" "host powered off cleanly once no VM was left"
finish
