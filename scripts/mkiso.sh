#!/usr/bin/env bash
# mkiso.sh: a GRUB (legacy BIOS) ISO that boots the kernel ELF through
# multiboot2 with the same files the stick carries, as modules named like
# the UEFI loader names them. The VT-x test path under Bochs uses it.
#
#   scripts/mkiso.sh OUT.iso KERNEL.elf SETTINGS [VM.vmx ...]
set -euo pipefail
out=$1 kernel=$2 settings=$3
shift 3
here=$(cd "$(dirname "$0")/.." && pwd)
mkstick=$here/build/host/mkstick

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub" "$root/thinvisor/vms"
cp "$kernel" "$root/thinvisor/kernel.elf"
modules=()
if [ -n "$settings" ] && [ "$settings" != "none" ]; then
	cp "$settings" "$root/thinvisor/settings.cfg"
	modules+=("settings.cfg")
fi
for vmx in "$@"; do
	cp "$vmx" "$root/thinvisor/vms/"
	modules+=("vms/$(basename "$vmx")")
	# the guest files it names, where the UEFI loader would find them
	while IFS=$'\t' read -r src dst; do
		mkdir -p "$root/thinvisor/$(dirname "$dst")"
		cp "$src" "$root/thinvisor/$dst"
		modules+=("$dst")
	done < <("$mkstick" --list "$vmx")
done

{
	echo "set timeout=0"
	echo "set default=0"
	echo "serial --unit=0 --speed=115200"
	echo "terminal_output serial console"
	echo 'menuentry "thinvisor" {'
	echo "  multiboot2 /thinvisor/kernel.elf"
	for m in "${modules[@]}"; do
		echo "  module2 /thinvisor/$m $m"
	done
	echo "  boot"
	echo "}"
} > "$root/boot/grub/grub.cfg"

grub-mkrescue -d /usr/lib/grub/i386-pc -o "$out" "$root" 2>/dev/null ||
	{ echo "mkiso: grub-mkrescue failed (needs grub-pc-bin, xorriso, mtools)" >&2; exit 1; }
