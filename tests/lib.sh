# tests/lib.sh: helpers for integration tests (sourced). Each test script
# prints "PASS: name" or "FAIL: name: why" lines and exits non-zero on failure.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$TOP/build
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tvtest.XXXXXX")
FAILED=0
trap '[ "$FAILED" = 0 ] && [ -z "${KEEP:-}" ] && rm -rf "$WORK"' EXIT

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILED=1; }

# The serial log without carriage returns or ANSI escapes.
clean_log() { tr -d '\r' < "$1" | sed 's/\x1b\[[0-9;=]*[a-zA-Z]//g'; }

# expect LOG REGEX NAME: pass if an extended regex matches a line of LOG.
expect() {
	if clean_log "$1" | grep -Eq -- "$2"; then pass "$3"; else
		fail "$3: no line matching /$2/ in $1"; return 1; fi
}
expect_not() {
	if clean_log "$1" | grep -Eq -- "$2"; then fail "$3: unexpected /$2/ in $1"; return 1
	else pass "$3"; fi
}

# make_stick OUT SETTINGS_TEXT [VMX...]: a stick image with this settings file.
make_stick() {
	local out=$1 settings=$2
	shift 2
	printf '%s\n' "$settings" > "$WORK/settings.cfg"
	"$B/host/mkstick" -o "$out" --efi "$B/BOOTX64.EFI" --kernel "${KERNEL_TVK:-$B/kernel.tvk}" \
		--settings "$WORK/settings.cfg" "$@" >/dev/null
}

# qemu_boot IMG LOG TIMEOUT [qemu.sh options...] [-- qemu args]: returns QEMU's exit code.
qemu_boot() {
	local img=$1 log=$2 t=$3 opts=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
	"$TOP/scripts/qemu.sh" --batch --log "$log" --timeout "$t" "${opts[@]}" "$img" "$@"
}

# A FAT disk whose EFI/BOOT/BOOTX64.EFI is the sentinel app (tests/efi/sentinel.c).
make_sentinel_disk() {
	local out=$1
	rm -f "$out"
	truncate -s 8M "$out"
	mformat -i "$out" -v SENTINEL :: >/dev/null
	mmd -i "$out" ::/EFI ::/EFI/BOOT
	mcopy -i "$out" "$B/tests/sentinel.efi" ::/EFI/BOOT/BOOTX64.EFI
}

finish() { exit "$FAILED"; }
