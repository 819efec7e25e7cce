#!/usr/bin/env bash
# bad_image.sh: a corrupt, truncated or missing kernel image is named with
# the reason by the loader, which returns to the firmware; the firmware then
# boots its next option (a sentinel app on a second disk) instead of hanging.
. "$(dirname "$0")/../lib.sh"

make_sentinel_disk "$WORK/sentinel.img"
good=$B/kernel.tvk
size=$(stat -c %s "$good")

run_case() { # name kernel-file expected-reason [delete]
	local name=$1 k=$2 reason=$3 del=${4:-}
	KERNEL_TVK=$k make_stick "$WORK/$name.img" 'hostname = "bad"'
	if [ -n "$del" ]; then
		mdel -i "$WORK/$name.img@@1M" ::/thinvisor/kernel.tvk
	fi
	qemu_boot "$WORK/$name.img" "$WORK/$name.log" 120 -- \
		-drive if=none,id=sentinel,format=raw,file="$WORK/sentinel.img" \
		-device ide-hd,drive=sentinel,bus=ide.1,bootindex=1
	local rc=$?
	expect "$WORK/$name.log" "thinvisor: error: kernel.tvk: $reason" "$name: loader names the file and the reason"
	expect "$WORK/$name.log" 'returning to the firmware' "$name: loader returns to the firmware"
	expect_not "$WORK/$name.log" 'kernel entered' "$name: the broken kernel is never entered"
	expect "$WORK/$name.log" 'thinvisor-test: firmware moved on' "$name: firmware boots the next option"
	[ "$rc" = 33 ] && pass "$name: QEMU ended through the sentinel" || fail "$name: QEMU exit code $rc"
}

# One flipped bit in the middle of the compressed payload.
cp "$good" "$WORK/flipped.tvk"
off=$((64 + (size - 64) / 2))
byte=$(od -An -tu1 -j $off -N1 "$good" | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 0x10)))" | dd of="$WORK/flipped.tvk" bs=1 seek=$off conv=notrunc status=none
run_case flipped "$WORK/flipped.tvk" 'compressed kernel is corrupt \(CRC mismatch\)'

head -c $((size / 2)) "$good" > "$WORK/truncated.tvk"
run_case truncated "$WORK/truncated.tvk" 'image is truncated'

run_case missing "$good" 'kernel image missing' delete
finish
