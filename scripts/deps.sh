#!/usr/bin/env bash
# deps.sh: install the Debian packages thinvisor needs to build, run and test,
# if any is missing. Uses sudo when not root. Safe to run repeatedly.
set -euo pipefail

PKGS=(
	# build
	gcc make binutils gnu-efi libfdt-dev zlib1g-dev mtools dosfstools
	# run (make run) and the AMD-V tests
	qemu-system-x86 ovmf
	# qcow2 images for the storage crash tests
	qemu-utils
	# the multiboot2 ISO and the VT-x tests under Bochs
	grub-pc-bin grub-common xorriso bochs bochsbios vgabios
	# guest assets and console tests
	cpio busybox-static expect python3
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
