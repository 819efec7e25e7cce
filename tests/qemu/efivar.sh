#!/usr/bin/env bash
# efivar.sh: the kernel writes a UEFI variable through the runtime services
# after ExitBootServices, and it survives a reboot (issue 7). Two boots on
# one copy of OVMF's variable store: boot 1 finds no "ThinvisorTest" and
# writes "one"; boot 2 reads "one" back and writes "two". Around a runtime
# call the FPU state is saved and the firmware gets UEFI's. A GRUB boot has
# no runtime services and says so (tests/bochs covers that path: not here).
. "$(dirname "$0")/../lib.sh"

vars=$WORK/vars.fd
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"

for text in one two; do
	make_stick "$WORK/$text.img" "kernel.cmdline = \"test.efivar=$text test.poweroff_idle\""
	qemu_boot "$WORK/$text.img" "$WORK/$text.log" 60 --smp 1 --vars "$vars"
	rc=$?
	expect "$WORK/$text.log" 'efivar: UEFI runtime services usable \(variables persist\)' \
		"boot $text: runtime services usable"
	[ "$rc" = 0 ] && pass "boot $text: clean poweroff" || fail "boot $text: QEMU exit code $rc"
	expect_not "$WORK/$text.log" 'test.efivar: FAIL|efivar: .* failed' "boot $text: no failure"
	expect "$WORK/$text.log" 'test.efivar: FPU state: .*XMM0-15 kept, MXCSR kept' \
		"boot $text: a runtime call leaves the caller's FPU state alone"
done

expect "$WORK/one.log" 'test.efivar: previous value: none$' "boot 1: fresh store has no variable"
expect "$WORK/one.log" 'test.efivar: wrote one, read back one$' "boot 1: write and read back"
expect "$WORK/two.log" 'test.efivar: previous value: one$' "boot 2: the value of boot 1 persisted"
expect "$WORK/two.log" 'test.efivar: wrote two, read back two$' "boot 2: overwrite and read back"
finish
