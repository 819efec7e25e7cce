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

# The serial log without carriage returns or ANSI escapes. Never pipe it into
# grep -q: with pipefail, grep leaving early makes the pipeline fail (SIGPIPE).
clean_log() { tr -d '\r' < "$1" | sed 's/\x1b\[[0-9;=]*[a-zA-Z]//g'; }

# expect LOG REGEX NAME: pass if an extended regex matches a line of LOG.
expect() {
	if clean_log "$1" | grep -E -- "$2" >/dev/null; then pass "$3"; else
		fail "$3: no line matching /$2/ in $1"; return 1; fi
}
expect_not() {
	if clean_log "$1" | grep -E -- "$2" >/dev/null; then fail "$3: unexpected /$2/ in $1"; return 1
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

# ---- VMs on a test stick ----
# Guest files live next to the configs in $WORK/vms, as mkstick expects.
mkdir -p "$WORK/vms"
ln -sf "$B"/guests/*.elf "$WORK/vms/" 2>/dev/null
ln -sf "$TOP/assets/guest/vmlinuz" "$WORK/vms/vmlinuz"
ln -sf "$TOP/assets/guest/initrd.img" "$WORK/vms/initrd.img"

# vmx NAME [key = "value" lines...]: write $WORK/vms/NAME.vmx, print its path.
vmx() {
	local name=$1
	shift
	{
		echo "displayName = \"$name\""
		for line in "$@"; do echo "$line"; done
	} > "$WORK/vms/$name.vmx"
	echo "$WORK/vms/$name.vmx"
}

# A VM running one of the test guests (tests/guests):
# vmx_guest NAME PROGRAM [CMDLINE [more key = "value" lines...]].
vmx_guest() {
	local name=$1 prog=$2 cmd=${3:-}
	shift 2
	[ $# -gt 0 ] && shift
	vmx "$name" 'memsize = "64"' "guest.kernel = \"$prog.elf\"" "guest.cmdline = \"$cmd\"" "$@"
}

# A Debian Linux VM with the checking initramfs: vmx_linux NAME MEM [extra cmdline [lines...]].
vmx_linux() {
	vmx_linux_smp "$1" "$2" 1 "${3:-}" "${@:4}"
}

# The same with CPUS vCPUs, which the guest must all see online:
# vmx_linux_smp NAME MEM CPUS [extra cmdline [more key = "value" lines...]].
vmx_linux_smp() {
	vmx "$1" "memsize = \"$2\"" "numvcpus = \"$3\"" 'guest.kernel = "vmlinuz"' \
		'guest.initrd = "initrd.img"' \
		"guest.cmdline = \"console=ttyS0 quiet tv.cpus=$3 tv.mem=$2 tv.hv=1 ${4:-}\"" "${@:5}"
}

# sigkill_when LOG REGEX TIMEOUT PID: wait until a line of LOG matches REGEX (or PID ends,
# or TIMEOUT seconds pass), then SIGKILL the innermost child of PID (the emulator under
# qemu.sh and timeout): nothing shuts down cleanly, as when power fails. Returns PID's
# exit code: 137 when the kill ended it.
sigkill_when() {
	local log=$1 re=$2 t=$3 pid=$4 p
	for _ in $(seq "$t"); do
		clean_log "$log" | grep -E -- "$re" >/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	p=$pid
	while k=$(pgrep -P "$p" | head -1) && [ -n "$k" ]; do p=$k; done
	[ "$p" != "$pid" ] && kill -9 "$p" 2>/dev/null
	wait "$pid"
}

# run_until LOG REGEX CMD...: run CMD in the background and stop it as soon as a
# line of LOG matches REGEX. Returns 0 if it matched, else CMD's exit code.
run_until() {
	local log=$1 re=$2 pid rc=124
	shift 2
	: > "$log"
	"$@" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if clean_log "$log" | grep -E -- "$re" >/dev/null; then
			rc=0
			break
		fi
		sleep 1
	done
	if [ "$rc" = 0 ]; then
		sleep 1 # let the next lines reach the log
		pkill -P "$pid" 2>/dev/null
		sleep 0.2
		pkill -9 -P "$pid" 2>/dev/null
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	else
		wait "$pid"
		rc=$?
	fi
	return "$rc"
}

# qemu_until IMG LOG TIMEOUT REGEX [qemu.sh options...]: boot under QEMU until REGEX.
qemu_until() {
	local img=$1 log=$2 t=$3 re=$4
	shift 4
	run_until "$log" "$re" "$TOP/scripts/qemu.sh" --batch --log "$log" --timeout "$t" "$@" "$img"
}

# ---- the same VM tests on both vendors (tests/vm) ----
# HV picks the platform: svm = QEMU's AMD-V booting the UEFI stick image,
# vmx = Bochs' VT-x booting a GRUB multiboot2 ISO with the same files.
HV=${HV:-svm}
case "$HV" in
svm) HV_NAME="AMD-V" ;;
vmx) HV_NAME="Intel VT-x" ;;
*) echo "lib.sh: HV must be svm or vmx, not $HV" >&2; exit 2 ;;
esac

# vm_boot LOG TIMEOUT SETTINGS_TEXT [--until REGEX] [--mem MiB] [--cpus N] [--nic MODEL] VMX...:
# build the boot medium for $HV with these VMs and run it; returns the emulator's exit code
# (124 on timeout), or 0 once REGEX matched. --nic gives QEMU a host NIC of that model on
# QEMU's user network (10.0.2.0/24, the host's loopback is 10.0.2.2); Bochs gets none.
vm_boot() {
	local log=$1 t=$2 settings=$3 re= mem=1024 cpus= nic=()
	shift 3
	while [ $# -gt 0 ]; do
		case "$1" in
		--until) re=$2; shift 2 ;;
		--mem) mem=$2; shift 2 ;;
		--cpus) cpus=$2; shift 2 ;;
		--nic) nic=(-- -netdev user,id=n0 -device "$2,netdev=n0,mac=52:54:00:12:34:56"); shift 2 ;;
		*) break ;;
		esac
	done
	local run
	if [ "$HV" = svm ]; then
		# One CPU unless the test asks: QEMU's TCG fails page walks now and
		# then when two CPUs run SVM guests (docs/testing.md).
		cpus=${cpus:-1}
		make_stick "$WORK/stick.img" "$settings" "$@"
		run=("$TOP/scripts/qemu.sh" --batch --log "$log" --timeout "$t" --mem "$mem" \
			${cpus:+--smp "$cpus"} "$WORK/stick.img" "${nic[@]}")
	else
		printf '%s\n' "$settings" > "$WORK/settings.cfg"
		"$TOP/scripts/mkiso.sh" "$WORK/vms.iso" "$B/kernel.elf" "$WORK/settings.cfg" "$@" ||
			return 2
		run=("$TOP/scripts/bochs.sh" --iso "$WORK/vms.iso" --log "$log" --timeout "$t" --mem "$mem" \
			${cpus:+--cpus "$cpus"})
	fi
	if [ -n "$re" ]; then
		run_until "$log" "$re" "${run[@]}" 2>>"$WORK/emulator.err"
	else
		: > "$log"
		"${run[@]}" 2>>"$WORK/emulator.err"
	fi
}

# expect_poweroff RC LOG NAME: the emulator ended through the host's ACPI poweroff
# (QEMU exits 0 on it, Bochs 1, as on a panic: the log tells them apart).
expect_poweroff() {
	local want=0
	[ "$HV" = vmx ] && want=1
	if [ "$1" = "$want" ] && clean_log "$2" | grep -F 'power: ACPI S5 soft-off' >/dev/null; then
		pass "$3"
	else
		fail "$3: emulator exit code $1 (timeout 124), see $2"
	fi
}

# Seconds on the host's log clock of the first line matching REGEX.
host_time() {
	clean_log "$1" | grep -E -- "$2" | head -1 | sed -n 's/^\[ *\([0-9]*\.[0-9]*\)\].*/\1/p'
}
