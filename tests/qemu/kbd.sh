#!/usr/bin/env bash
# kbd.sh: the console's keys (test.kbd): keys pressed on the PS/2 keyboard
# (QEMU monitor sendkey, through the i8042 with translation, IRQ 1 on the I/O
# APIC) and escape sequences typed on the serial line each come out as the
# named key; Ctrl-] from both ends the test and the host powers off.
. "$(dirname "$0")/../lib.sh"

make_stick "$WORK/stick.img" 'kernel.cmdline = "test.kbd test.poweroff_idle"'
mkfifo "$WORK/ser.in" "$WORK/ser.out" "$WORK/mon.in" "$WORK/mon.out"
log=$WORK/serial.log
: > "$log"
cat "$WORK/ser.out" > "$log" &
reader=$!
timeout 60 cat "$WORK/mon.out" > /dev/null &
"$TOP/scripts/qemu.sh" --batch --serial-pipe "$WORK/ser" --timeout 50 "$WORK/stick.img" \
	-- -chardev pipe,id=mon,path="$WORK/mon" -mon chardev=mon &
qemu=$!
exec 3> "$WORK/ser.in"
exec 4> "$WORK/mon.in"
sent=
for _ in $(seq 50); do
	kill -0 "$qemu" 2>/dev/null || break
	if [ -z "$sent" ] && clean_log "$log" | grep -F 'test.kbd: logging keys' >/dev/null; then
		for k in f2 shift-a a up delete f12 ret ctrl-c ctrl-bracket_right; do
			echo "sendkey $k" >&4
			sleep 0.3
		done
		# F2 (xterm), F1 (SS3), Up, x, DEL, CR LF, Linux-console F5, a lone ESC, F12, Ctrl-]
		printf '\033[12~\033OP\033[Ax\177\r\n\033[[E\033' >&3
		sleep 0.5
		printf '\033[24~\035' >&3
		sent=1
	fi
	sleep 1
done
wait "$qemu"
rc=$?
exec 3>&- 4>&-
wait "$reader" 2>/dev/null

expect "$log" 'kbd: PS/2 keyboard on IRQ 1' "i8042 found, keyboard on IRQ 1"
kbd_keys=(F2 A a Up Delete F12 Enter Ctrl-C 'Ctrl-]')
serial_keys=(F2 F1 Up x Backspace Enter F5 Esc F12 'Ctrl-]')
got_kbd=$(clean_log "$log" | sed -n 's/.*test\.kbd: key \(.*\) (kbd)$/\1/p' | tr '\n' ' ')
got_serial=$(clean_log "$log" | sed -n 's/.*test\.kbd: key \(.*\) (serial)$/\1/p' | tr '\n' ' ')
[ "$got_kbd" = "${kbd_keys[*]} " ] && pass "PS/2 keys: $got_kbd" ||
	fail "PS/2 keys: got '$got_kbd', want '${kbd_keys[*]} '"
[ "$got_serial" = "${serial_keys[*]} " ] && pass "serial keys: $got_serial" ||
	fail "serial keys: got '$got_serial', want '${serial_keys[*]} '"
expect "$log" 'test\.kbd: done' "test ends on Ctrl-] from both"
expect_not "$log" 'PANIC|panic' "no panic"
[ "$rc" = 0 ] && pass "host powered off after the test" || fail "QEMU exit code $rc"
finish
