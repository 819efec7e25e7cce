#!/usr/bin/env bash
# vm_linux.sh: an unmodified Debian Linux VM from a config on the real stick
# (QEMU, OVMF, AMD-V) reaches userspace, passes its own checks (CPUs,
# memory, hidden SVM, floating point, clock), sleeps 5 s in about 5 s of
# host time, and powers off: the VM goes to state off with its exit counts.
. "$(dirname "$0")/../lib.sh"

make_stick "$WORK/stick.img" 'kernel.cmdline = "test.poweroff_idle"' \
	"$(vmx_linux linux 256 tv.sleep=5)"
qemu_boot "$WORK/stick.img" "$WORK/serial.log" 300
rc=$?
log=$WORK/serial.log

expect "$log" 'vm linux: started: 256 MiB, 1 vCPU, AMD-V' "VM started from its config"
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
[ "$rc" = 0 ] && pass "host powered off cleanly once no VM was left" || fail "QEMU exit code $rc"
finish
