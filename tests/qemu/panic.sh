#!/usr/bin/env bash
# panic.sh: a page fault in the host (debug.pagefault) shows the panic screen:
# the exception, CR2, all registers and a backtrace with symbol names.
. "$(dirname "$0")/../lib.sh"

make_stick "$WORK/stick.img" 'kernel.cmdline = "debug.pagefault panic=poweroff"'
qemu_boot "$WORK/stick.img" "$WORK/serial.log" 120
rc=$?
log=$WORK/serial.log
expect "$log" 'PANIC: CPU exception #PF page fault in the host' "panic names the exception"
expect "$log" 'CR0: [0-9a-f]{16} CR2: 00000000dead0000' "panic shows CR2 = the faulting address"
expect "$log" 'page fault: write access to 0xdead0000, page not present' "page-fault error code decoded"
expect "$log" '^\[ *[0-9.]+\] RIP: 0008:ffffffff8[0-9a-f]{7}' "panic shows RIP"
for r in RAX RBX RCX RDX RSI RDI RBP R8 R9 R10 R11 R12 R13 R14 R15; do
	clean_log "$log" | grep -E "$r: *[0-9a-f]{16}" >/dev/null || { fail "register $r missing"; break; }
done
pass "all general registers printed"
expect "$log" '\] debug_trigger_pagefault\+0x' "backtrace names the faulting function"
expect "$log" '\] kmain\+0x' "backtrace reaches kmain"
expect "$log" 'end of thinvisor panic' "panic screen completes"
[ "$rc" = 0 ] && pass "panic=poweroff powered the machine off" || fail "QEMU exit code $rc"

# panic=reboot goes through the ACPI reset register (QEMU runs with -no-reboot: it exits).
make_stick "$WORK/reboot.img" 'kernel.cmdline = "debug.pagefault panic=reboot"'
qemu_boot "$WORK/reboot.img" "$WORK/reboot.log" 120
rc=$?
expect "$WORK/reboot.log" 'end of thinvisor panic' "panic=reboot: panic screen first"
expect "$WORK/reboot.log" 'power: ACPI reset' "panic=reboot: ACPI reset register used"
expect_not "$WORK/reboot.log" 'power: legacy reset' "panic=reboot: no fallback needed"
[ "$rc" = 0 ] && pass "panic=reboot reset the machine" || fail "reboot: QEMU exit code $rc"
finish
