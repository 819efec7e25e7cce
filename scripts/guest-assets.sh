#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# guest-assets.sh: build the real Linux guest the tests and the demo boot:
# Debian's current linux-image-amd64 kernel and a busybox-static initramfs
# whose /init is tests/guest/init.
#
#   scripts/guest-assets.sh [--update]
#     --update   run `apt-get update` first, so a newer Debian kernel is picked up
#
# Output (git-ignored):
#   assets/guest/vmlinuz     the kernel's bzImage (from /boot in the .deb)
#   assets/guest/config      the kernel's build configuration (for reference)
#   assets/guest/initrd.img  gzip'ed cpio (newc): /init + static busybox + the virtio modules
#   assets/guest/modules/    those modules (*.ko, in load order in modules/order), from the .deb
#   assets/guest/VERSION     shell-sourceable: KERNEL_PACKAGE, KERNEL_VERSION, KERNEL_RELEASE
#   assets/cache/            the downloaded .deb and the up-to-date stamps
#
# Idempotent. When everything is up to date it runs no apt command at all (apt-cache
# alone takes ~0.6 s here, because Debian's container images disable apt's binary
# cache): the kernel is re-resolved only when the apt package lists change, and the
# initramfs is rebuilt only when its sources (tests/guest/init, the busybox binary,
# this script) change. The network is used only to fetch a missing or newer kernel.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=$TOP/assets/guest
CACHE=$TOP/assets/cache
INIT_SRC=$TOP/tests/guest/init
SELF=$TOP/scripts/guest-assets.sh
BUSYBOX=/bin/busybox
META=linux-image-amd64

update=
case "${1:-}" in
--update) update=1 ;;
"") ;;
-h | --help) sed -n '3,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "guest-assets: unknown option $1" >&2; exit 2 ;;
esac

say() { echo "guest-assets: $*"; }
die() { echo "guest-assets: error: $*" >&2; exit 1; }

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

mkdir -p "$OUT" "$CACHE"
# Tests may run this concurrently; one builder at a time.
exec 9>"$CACHE/.lock"
flock 9

apt_update() {
	say "apt-get update"
	# apt-get update exits 0 even when some index could not be fetched; the
	# caller checks that the package is known afterwards.
	$SUDO apt-get update -qq || die "apt-get update failed (offline? no mirror in /etc/apt/sources.list*?)"
}

# ---- tools: busybox-static (the initramfs' only binary) and cpio ----
missing=()
for p in busybox-static cpio; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	apt_update
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
		die "could not install ${missing[*]}"
fi
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing after installing busybox-static"

# ---- the kernel ----
APT_LISTS=/var/lib/apt/lists
eval "$(apt-config shell APT_LISTS Dir::State::Lists/d 2>/dev/null)" || true
# A cheap fingerprint of the apt package lists: if they have not changed since
# the last resolution, neither has the metapackage's dependency.
lists_key() {
	stat -c '%n %s %Y' "$APT_LISTS"/*_Packages* 2>/dev/null | sha256sum | cut -d' ' -f1
}

# Prints "PACKAGE VERSION" for the metapackage's candidate, e.g.
# "linux-image-6.1.0-56-amd64 6.1.192-2" (Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)).
resolve_kernel() {
	apt-cache show --no-all-versions "$META" 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*\) (= \([^)]*\)).*/\1 \2/p' | head -1
}

kernel_ready() { [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/VERSION" ]; }

kernel_stamp=$CACHE/kernel.stamp
if [ -n "$update" ]; then
	apt_update
fi
key=$(lists_key)
if kernel_ready && [ -f "$kernel_stamp" ] && [ "$(cat "$kernel_stamp")" = "$key" ]; then
	: # resolved against these very lists before: up to date, no apt call
else
	if ! apt-cache show --no-all-versions "$META" >/dev/null 2>&1; then
		apt_update
		key=$(lists_key)
	fi
	read -r pkg ver <<<"$(resolve_kernel)" || true
	[ -n "${pkg:-}" ] && [ -n "${ver:-}" ] ||
		die "cannot resolve $META to a versioned linux-image package (apt-cache show $META)"

	have=
	if kernel_ready; then
		have=$(. "$OUT/VERSION" && echo "$KERNEL_PACKAGE $KERNEL_VERSION")
	fi
	if [ "$have" != "$pkg $ver" ]; then
		# apt-get download names the file PKG_VERSION_ARCH.deb with ':' as %3a.
		deb=$CACHE/${pkg}_${ver//:/%3a}_amd64.deb
		if ! dpkg-deb --info "$deb" >/dev/null 2>&1; then
			say "downloading $pkg $ver (~70 MB) into assets/cache/"
			dl=$(mktemp -d "$CACHE/download.XXXXXX")
			trap 'rm -rf "$dl"' EXIT
			# apt fetches as the unprivileged _apt user; let it write here.
			if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$dl"; fi
			if ! (cd "$dl" && apt-get download -q "$pkg=$ver"); then
				if kernel_ready; then
					echo "guest-assets: warning: could not download $pkg $ver (offline?);" \
						"keeping the existing kernel: $have" >&2
					pkg= # keep the old kernel; retry next run (no stamp written)
				else
					die "could not download $pkg $ver (offline? see apt's messages above). To work" \
						"offline, put ${deb##*/} into assets/cache/ and re-run."
				fi
			else
				f=$(ls "$dl"/*.deb 2>/dev/null | head -1)
				[ -n "$f" ] || die "apt-get download produced no .deb"
				rm -f "$CACHE"/linux-image-*.deb
				mv "$f" "$deb"
			fi
			rm -rf "$dl"
			trap - EXIT
		fi
		if [ -n "$pkg" ]; then
			say "extracting the kernel from ${deb##*/}"
			x=$(mktemp -d "$CACHE/extract.XXXXXX")
			trap 'rm -rf "$x"' EXIT
			# Only /boot is needed; this is `dpkg -x` without the ~400 MB of modules.
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" --wildcards './boot/*'
			rel=$(cd "$x/boot" && ls vmlinuz-* | head -1)
			rel=${rel#vmlinuz-}
			[ -n "$rel" ] && [ -s "$x/boot/vmlinuz-$rel" ] || die "no /boot/vmlinuz-* in ${deb##*/}"
			rm -f "$OUT/VERSION" # written last: a half-done update is redone next run
			mv "$x/boot/vmlinuz-$rel" "$OUT/vmlinuz"
			if [ -f "$x/boot/config-$rel" ]; then mv "$x/boot/config-$rel" "$OUT/config"; fi
			printf 'KERNEL_PACKAGE=%s\nKERNEL_VERSION=%s\nKERNEL_RELEASE=%s\n' "$pkg" "$ver" "$rel" \
				>"$OUT/VERSION.tmp"
			mv "$OUT/VERSION.tmp" "$OUT/VERSION"
			rm -rf "$x"
			trap - EXIT
		fi
	fi
	if [ -n "$pkg" ]; then echo "$key" >"$kernel_stamp"; fi
fi

# ---- the virtio modules ----
# Debian's kernel has virtio-mmio and the virtio drivers as modules. The .deb
# carries no modules.dep (depmod writes it at install time), so dependencies
# come from each module's own "depends=" field; the load order puts them first.
# virtio_pci is for the bare-QEMU comparison (scripts/bench.sh); under
# thinvisor it finds no PCI bus and stays idle. virtio_balloon (needs only
# virtio and virtio_ring) idles in VMs without a balloon.
WANT_MODULES="virtio_mmio virtio_blk virtio_console virtio-rng virtio_pci virtio_net virtio_balloon"
MODDIR=$OUT/modules
. "$OUT/VERSION"
if [ ! -s "$MODDIR/order" ] || [ "$(cat "$MODDIR/release" 2>/dev/null)" != "$KERNEL_RELEASE $WANT_MODULES" ]; then
	deb=$(ls "$CACHE"/linux-image-*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		echo "guest-assets: warning: no kernel .deb in assets/cache/: initramfs without virtio modules" >&2
	else
		say "extracting the virtio modules from ${deb##*/}"
		x=$(mktemp -d "$CACHE/modules.XXXXXX")
		trap 'rm -rf "$x"' EXIT
		# virtio_net needs net_failover and failover, which live elsewhere.
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" --wildcards \
			"./lib/modules/$KERNEL_RELEASE/kernel/drivers/*virtio*.ko" \
			"./lib/modules/$KERNEL_RELEASE/kernel/drivers/net/net_failover.ko" \
			"./lib/modules/$KERNEL_RELEASE/kernel/net/core/failover.ko"
		kdir=$x/lib/modules/$KERNEL_RELEASE/kernel
		rm -rf "$MODDIR.tmp"
		mkdir -p "$MODDIR.tmp"
		: >"$MODDIR.tmp/order"
		# add NAME: its dependencies first, then itself, each once.
		add() {
			local f deps d
			grep -qx "$1.ko" "$MODDIR.tmp/order" && return 0
			f=$(find "$kdir" -name "$1.ko" | head -1)
			[ -n "$f" ] || die "module $1 not in ${deb##*/}"
			deps=$(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | head -1 | tr ',' ' ')
			for d in $deps; do add "$d"; done
			cp "$f" "$MODDIR.tmp/"
			echo "$1.ko" >>"$MODDIR.tmp/order"
		}
		for m in $WANT_MODULES; do add "$m"; done
		echo "$KERNEL_RELEASE $WANT_MODULES" >"$MODDIR.tmp/release"
		rm -rf "$MODDIR" "$x"
		mv "$MODDIR.tmp" "$MODDIR"
		trap - EXIT
	fi
fi

# ---- the initramfs ----
[ -f "$INIT_SRC" ] || die "missing $INIT_SRC"
initrd_key=$(cat "$INIT_SRC" "$BUSYBOX" "$SELF" "$MODDIR"/order 2>/dev/null | sha256sum | cut -d' ' -f1)
initrd_stamp=$CACHE/initrd.stamp
if [ -s "$OUT/initrd.img" ] && [ -f "$initrd_stamp" ] && [ "$(cat "$initrd_stamp")" = "$initrd_key" ]; then
	:
else
	say "building initrd.img"
	s=$(mktemp -d "$CACHE/initrd.XXXXXX")
	trap 'rm -rf "$s"' EXIT
	mkdir -p "$s"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,root,etc}
	cp "$BUSYBOX" "$s/bin/busybox"
	# One symlink per applet, at the path busybox itself would install it.
	"$BUSYBOX" --list-full | while read -r applet; do
		[ "$applet" = bin/busybox ] && continue
		[ -e "$s/$applet" ] || ln -s /bin/busybox "$s/$applet"
	done
	install -m 0755 "$INIT_SRC" "$s/init"
	if [ -s "$MODDIR/order" ]; then
		mkdir -p "$s/lib/modules"
		cp "$MODDIR"/*.ko "$MODDIR/order" "$s/lib/modules/"
	fi
	# The kernel opens /dev/console for init's stdio before /init runs. Its
	# built-in initramfs has one too, but do not depend on that. (Needs root.)
	mknod -m 600 "$s/dev/console" c 5 1 2>/dev/null || true
	# Reproducible archive: fixed owner, order and timestamps.
	find "$s" -exec touch -h -d @0 {} +
	(cd "$s" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -n -9 >"$OUT/initrd.img.tmp"
	mv "$OUT/initrd.img.tmp" "$OUT/initrd.img"
	echo "$initrd_key" >"$initrd_stamp"
	rm -rf "$s"
	trap - EXIT
fi

. "$OUT/VERSION"
say "ready: $KERNEL_PACKAGE $KERNEL_VERSION, vmlinuz $(stat -c %s "$OUT/vmlinuz") bytes," \
	"initrd.img $(stat -c %s "$OUT/initrd.img") bytes (assets/guest/)"
