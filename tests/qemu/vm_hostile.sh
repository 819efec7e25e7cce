#!/usr/bin/env bash
# vm_hostile.sh: hostile and probing guests share the stick with a Debian
# Linux VM. A triple fault crashes only its VM (registers logged); accesses
# to unmapped MMIO, unknown MSRs and empty ports get what hardware would give;
# a guest spinning with interrupts off is preempted; timers, FPU state and
# CPUID behave. Every test guest reports from inside, and Linux still boots.
. "$(dirname "$0")/../lib.sh"

guests=(triple mmio msr ioport timer fpu cpuid)
vms=()
for g in "${guests[@]}" spin; do
	# fpu's default 600000 exits take long when nine VMs share one CPU
	vms+=("$(vmx_guest "$g" "$g" "$([ "$g" = fpu ] && echo fpu.iters=20000)")")
done
vms+=("$(vmx_linux linux 256)")
make_stick "$WORK/stick.img" 'hostname = "hostile"' "${vms[@]}"
# spin never stops: end the run once Linux has given its verdict.
qemu_until "$WORK/stick.img" "$WORK/serial.log" 600 '\[linux\] TV-VERDICT' --mem 1024
rc=$?
log=$WORK/serial.log

[ "$rc" = 0 ] && pass "the run reached the Linux verdict" || fail "no Linux verdict (rc $rc)"
expect "$log" '\[triple\] TV-TEST triple: about to triple fault' "triple: guest ran up to the fault"
expect "$log" 'vm triple: crashed \(triple fault \(shutdown\)\)' "triple: VM marked crashed"
expect "$log" 'vm triple: vCPU 0: triple fault' "triple: crash reported with the vCPU"
expect "$log" '^\[ *[0-9.]+\]   RIP [0-9a-f]{16} +RSP [0-9a-f]{16}' "triple: guest registers logged"
for g in mmio msr ioport timer fpu cpuid; do
	expect "$log" "\\[$g\\] TV-TEST $g: PASS" "$g: in-guest checks pass"
	expect "$log" "vm $g: off \\(guest powered off" "$g: VM powered off normally"
done
expect "$log" 'vm msr: rdmsr 0x12345678 \(0\): not allowed, #GP' "msr: unknown MSR logged by the host"
expect "$log" '\[spin\] TV-TEST spin: spinning with interrupts off' "spin: guest is spinning"
expect_not "$log" 'vm spin: (off|crashed)' "spin: VM keeps running (preempted, not killed)"
expect "$log" '\[linux\] TV-VERDICT: PASS' "Linux VM on the same host passes its checks"
expect_not "$log" 'PANIC' "no host panic"
finish
