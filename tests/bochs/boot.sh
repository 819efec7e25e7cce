#!/usr/bin/env bash
# boot.sh: the same kernel boots under Bochs (Intel VT-x with EPT) from a
# GRUB multiboot2 ISO: banner, VT-x detected, timer, ACPI poweroff.
. "$(dirname "$0")/../lib.sh"

printf 'hostname = "bochs"\nkernel.cmdline = "test.boot"\n' > "$WORK/settings.cfg"
"$TOP/scripts/mkiso.sh" "$WORK/t.iso" "$B/kernel.elf" "$WORK/settings.cfg"
"$TOP/scripts/bochs.sh" --iso "$WORK/t.iso" --log "$WORK/serial.log" --timeout 120 2>"$WORK/bochs.err"
rc=$?
log=$WORK/serial.log
expect "$log" '==== thinvisor ' "kernel banner under Bochs"
expect "$log" 'boot: multiboot2 loader' "booted through the multiboot2 shim"
expect "$log" 'cpu: GenuineIntel ' "banner names the Intel CPU"
expect "$log" 'virtualization: Intel VT-x present: .*EPT' "VT-x with EPT detected"
expect "$log" 'timer: [0-9]+ ticks in' "timer ticks"
expect "$log" 'power: ACPI S5 soft-off' "ACPI poweroff"
# Bochs ends with exit code 1 on ACPI power-off (see ../shared/emulation.md).
[ "$rc" = 1 ] && pass "Bochs stopped on power-off" || fail "Bochs exit code $rc (timeout is 124)"
finish
