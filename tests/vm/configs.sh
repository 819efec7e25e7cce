#!/usr/bin/env bash
# configs.sh: bad VM configs are refused one by one with file:line and a
# reason, and every good VM on the same stick still starts (one of them
# touches fresh guest RAM: backed on first touch); the config
# checker (tools/vmcheck) reports the same problems on the admin's machine.
# Runs on both vendors: HV=svm (QEMU, UEFI stick) or HV=vmx (Bochs, GRUB ISO).
. "$(dirname "$0")/../lib.sh"

bad=$(vmx bad 'memsize = "100x"' 'frobnicate = "1"' 'numvcpus = "0"' 'guest.kernel = "nothere.elf"' \
	'autostart = "maybe"')
cat >> "$bad" <<'EOS'
this line has no equals sign
EOS
dup1=$(vmx twin 'memsize = "64"' 'guest.kernel = "cpuid.elf"')
dup2=$(vmx Twin 'memsize = "64"' 'guest.kernel = "cpuid.elf"')
mv "$dup2" "$WORK/vms/twin2.vmx"
dup2=$WORK/vms/twin2.vmx
big=$(vmx big 'memsize = "8192"' 'guest.kernel = "cpuid.elf"')
good=$(vmx_guest good cpuid)
# Not scanned (sched.mem.pshare.enable): the counts below are first touches only.
touch=$(vmx_guest touch touch 'touch.mib=64' 'sched.mem.pshare.enable = "FALSE"')
vm_boot "$WORK/serial.log" 300 'kernel.cmdline = "test.poweroff_idle"' --mem 512 "$bad" "$dup1" \
	"$dup2" "$big" "$good" "$touch" 2>/dev/null
rc=$?
log=$WORK/serial.log

expect "$log" 'vms/bad.vmx:2: memsize "100x" is not a number' "bad value: file:line and reason"
expect "$log" 'vms/bad.vmx:3: unknown key "frobnicate"' "unknown key: file:line and reason"
expect "$log" 'vms/bad.vmx:4: numvcpus "0" is not a number from 1' "out-of-range value"
expect "$log" 'vms/bad.vmx:5: guest file "nothere.elf" not found' "missing guest file"
expect "$log" 'vms/bad.vmx:6: autostart must be true or false' "bad boolean"
expect "$log" 'vms/bad.vmx:7: (expected|illegal)' "syntax error"
expect "$log" 'vm bad \(vms/bad.vmx\): not started: config errors' "bad config: VM not started"
expect "$log" 'vms/twin2.vmx:1: VM name "Twin" is already used by vms/twin.vmx' "duplicate name refused"
expect "$log" 'vm twin: started' "first of the twins starts"
expect "$log" 'vms/big.vmx:2: memsize 8192 MiB is more than the host.s memory for guests' "too much memory: file:line"
expect_not "$log" 'vm big: started' "too-big VM not started"
expect "$log" '\[good\] TV-TEST cpuid: PASS' "the good VM runs"
expect "$log" '\[twin\] TV-TEST cpuid: PASS' "the first twin runs"
# Guest RAM is backed on first touch: 24 chunks the loader never wrote, one fault each.
expect "$log" '\[touch\] TV-TEST touch: PASS' "RAM backed on first touch reads zero and keeps what is written"
expect "$log" 'vm touch: [0-9]+ exits: .*ram=24( |$)' "one nested page fault per chunk first touched"
expect "$log" 'vm touch: memory released: 50 of its 64 MiB had been backed' "what was never touched was never backed"
expect_poweroff "$rc" "$log" "host powered off when the good VMs finished"

# The admin's checker runs the same parser.
out=$("$B/host/vmcheck" "$bad" "$good" 2>&1)
vrc=$?
grep -q "bad.vmx:3: unknown key \"frobnicate\"" <<<"$out" &&
	grep -q "good.vmx: ok" <<<"$out" && [ "$vrc" = 1 ] &&
	pass "vmcheck reports the same problems and fails" || fail "vmcheck: rc $vrc, output: $out"
"$B/host/vmcheck" "$good" >/dev/null && pass "vmcheck accepts a good config" || fail "vmcheck rejects a good config"
finish
