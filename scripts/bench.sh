#!/usr/bin/env bash
# bench.sh: print the figures the issues ask for, one per line as
# "name: value unit". Figures report; nothing here passes or fails.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

fig() { printf '%-44s %s\n' "$1:" "$2"; }

# ---- sizes ----
efi=$(stat -c %s "$B/BOOTX64.EFI")
kz=$(stat -c %s "$B/kernel.tvk")
fig "size BOOTX64.EFI" "$efi bytes"
fig "size compressed kernel (kernel.tvk)" "$kz bytes"
fig "size stick payload (loader + kernel)" "$((efi + kz)) bytes (goal <= 262144)"

# ---- instructions from loader entry to the kernel banner ----
# Under -icount shift=7 the guest TSC advances 128 per instruction.
printf 'kernel.cmdline = "test.boot"\n' > "$W/settings.cfg"
"$B/host/mkstick" -o "$W/stick.img" --efi "$B/BOOTX64.EFI" --kernel "$B/kernel.tvk" \
	--settings "$W/settings.cfg" >/dev/null
"$TOP/scripts/qemu.sh" --batch --icount --log "$W/icount.log" --timeout 300 "$W/stick.img" >/dev/null 2>&1
cyc=$(tr -d '\r' < "$W/icount.log" | sed -n 's/.*boot: \([0-9]*\) TSC cycles from loader entry.*/\1/p' | head -1)
if [ -n "$cyc" ]; then
	fig "instructions loader entry -> kernel banner" "$((cyc / 128)) instructions (QEMU -icount shift=7)"
else
	fig "instructions loader entry -> kernel banner" "not measured (no boot line)"
fi
