#!/usr/bin/env bash
# smp.sh: every CPU of the MADT starts (INIT-SIPI-SIPI), enables virtualization
# and takes part in a TLB shootdown: QEMU/OVMF with 4 CPUs on AMD-V, Bochs'
# GRUB path with 2 CPUs on VT-x. A CPU that never answers is left out.
. "$(dirname "$0")/../lib.sh"

settings='hostname = "smptest"
kernel.cmdline = "test.smp test.poweroff_idle"'

make_stick "$WORK/stick.img" "$settings"
qemu_boot "$WORK/stick.img" "$WORK/q4.log" 120 --smp 4
rc=$?
log=$WORK/q4.log
expect "$log" 'cpus: 4 found in the ACPI MADT' "QEMU: 4 CPUs in the MADT"
expect "$log" 'smp: 3 of 3 application processors started; 4 CPUs online' \
	"QEMU: the 3 application processors start"
expect "$log" 'test.smp: PASS: 4 of 4 CPUs answered a call; .* 4 of 4 read the new page' \
	"QEMU: calls and a TLB shootdown reach all 4 CPUs"
expect "$log" 'vmm: AMD-V ready on 4 of 4 CPUs' "QEMU: AMD-V enabled on every CPU"
expect_not "$log" 'PANIC|panic' "QEMU: no panic"
[ "$rc" = 0 ] && pass "QEMU: powered off cleanly" || fail "QEMU exit code $rc (timeout is 124)"

# An APIC ID in the MADT with no CPU behind it: QEMU's -smp 2,maxcpus=3 lists
# the third as not enabled, so instead ask for 2 CPUs and check the third
# hot-pluggable one is neither started nor waited for.
qemu_boot "$WORK/stick.img" "$WORK/q2.log" 120 --smp 2,maxcpus=3
log=$WORK/q2.log
expect "$log" 'smp: 1 of 1 application processors started; 2 CPUs online' \
	"QEMU: a MADT entry that is not enabled is not started"

# A CPU that starts but wedges in its set-up is logged and left out; the rest run.
make_stick "$WORK/hang.img" 'kernel.cmdline = "test.smp test.poweroff_idle test.ap_hang=2"'
qemu_boot "$WORK/hang.img" "$WORK/hang.log" 120 --smp 4
rc=$?
log=$WORK/hang.log
expect "$log" 'smp: CPU 2 \(APIC ID 2\) started but did not finish its set-up; going on without it' \
	"QEMU: a CPU stuck in its set-up is named"
expect "$log" 'smp: 2 of 3 application processors started; 3 CPUs online' "QEMU: the others start"
expect "$log" 'test.smp: PASS: 3 of 3 CPUs answered' "QEMU: the 3 running CPUs answer calls"
[ "$rc" = 0 ] && pass "QEMU: host runs on and powers off" || fail "QEMU exit code $rc"

printf '%s\n' "$settings" > "$WORK/settings.cfg"
"$TOP/scripts/mkiso.sh" "$WORK/t.iso" "$B/kernel.elf" "$WORK/settings.cfg"
"$TOP/scripts/bochs.sh" --iso "$WORK/t.iso" --cpus 2 --log "$WORK/b2.log" --timeout 180 \
	2>"$WORK/bochs.err"
log=$WORK/b2.log
expect "$log" 'smp: 1 of 1 application processors started; 2 CPUs online' \
	"Bochs: the application processor starts"
expect "$log" 'test.smp: PASS: 2 of 2 CPUs answered' "Bochs: calls and a TLB shootdown reach both"
expect "$log" 'vmm: Intel VT-x ready on 2 of 2 CPUs' "Bochs: VMXON on every CPU"
finish
