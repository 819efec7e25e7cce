#!/usr/bin/env bash
# vm_console.sh: input typed on the host's serial console reaches the attached
# VM's 16550 (receive interrupt through the I/O APIC into Linux's 8250 driver),
# and the guest's answer comes back on the host console with the VM's prefix.
. "$(dirname "$0")/../lib.sh"

make_stick "$WORK/stick.img" 'kernel.cmdline = "test.poweroff_idle console.attach=echo"' \
	"$(vmx_linux echo 256 tv.test=echo)"
mkfifo "$WORK/ser.in" "$WORK/ser.out"
: > "$WORK/serial.log"
cat "$WORK/ser.out" > "$WORK/serial.log" &
reader=$!
"$TOP/scripts/qemu.sh" --batch --serial-pipe "$WORK/ser" --timeout 300 "$WORK/stick.img" &
qemu=$!
exec 3> "$WORK/ser.in"
typed=
for _ in $(seq 300); do
	kill -0 "$qemu" 2>/dev/null || break
	if [ -z "$typed" ] && clean_log "$WORK/serial.log" | grep -F 'TV-GUEST: type a line' >/dev/null; then
		printf 'hello from the host\r' >&3
		typed=1
	fi
	sleep 1
done
wait "$qemu"
rc=$?
exec 3>&-
wait "$reader" 2>/dev/null
log=$WORK/serial.log

expect "$log" 'console: input goes to VM echo' "host console attached to the VM"
expect "$log" '\[echo\] TV-GUEST: type a line' "guest asks for input"
expect "$log" "\\[echo\\] TV-GUEST: got 'hello from the host'" "typed line reaches the guest"
expect "$log" '\[echo\] TV-VERDICT: PASS' "guest passes"
[ "$rc" = 0 ] && pass "host powered off after the VM" || fail "QEMU exit code $rc"
finish
