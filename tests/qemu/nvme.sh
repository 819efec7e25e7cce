#!/usr/bin/env bash
# nvme.sh: host storage under QEMU (-device nvme): a blank namespace is
# formatted as a datastore, test.blk writes a seeded pattern (half with FUA,
# half then a flush; or all with FUA) to a disk on it and reads it back; QEMU
# is then killed with SIGKILL, and a second boot finds the same data (raw and
# qcow2 images; on qcow2 a missing FUA or flush loses it). A wrong seed fails the
# check; a corrupt superblock, unknown data, device read and write errors
# (QEMU's blkdebug), a command timeout and a missing NVMe device give clear messages, nothing is
# written, and the host boots on. An i440FX machine (no MCFG) covers PCI
# configuration mechanism #1 and a namespace of 4 KiB blocks; a controller
# behind a root port of a second host bridge (QEMU pxb-pcie) is found.
. "$(dirname "$0")/../lib.sh"

SPEC='[ds1]t/disk'
nvme_args() { echo "-drive file=$1,if=none,id=nv0,format=${2:-raw} -device nvme,drive=nv0,serial=tv0"; }

# boot NAME IMAGE|- CMDLINE: a boot that powers off; an image of - means no NVMe device.
boot() {
	local name=$1 img=$2 extra=()
	make_stick "$WORK/$name.stick" "kernel.cmdline = \"$3\""
	[ "$img" != - ] && read -ra extra < <(nvme_args "$img")
	qemu_boot "$WORK/$name.stick" "$WORK/$name.log" 120 -- "${extra[@]}"
}

# The checksum a PASS or FAIL line of test.blk printed.
checksum() { clean_log "$1" | sed -n 's/.*test\.blk: .*checksum \([0-9a-f]*\).*/\1/p' | head -1; }

# persist NAME FORMAT [test.blk options]: boot 1 formats a blank image, writes and
# verifies the pattern, then QEMU gets SIGKILL; boot 2 reads the same checksum.
# On raw files QEMU writes through to the host at once; qcow2 keeps its cluster
# mappings in QEMU's memory until the guest's FUA or flush, so there a missing
# FUA or flush loses the data when QEMU is killed.
persist() {
	local name=$1 fmt=$2 opts=${3:-} img=$WORK/$1.$2 log=$WORK/$1-1.log dev rc sum1 sum2 mode
	mode='half FUA, half \+ flush'
	[[ "$opts" == *test.blk.fua* ]] && mode='all FUA, no flush'
	if [ "$fmt" = raw ]; then truncate -s 64M "$img"; else qemu-img create -q -f qcow2 "$img" 64M; fi
	make_stick "$WORK/$name.stick" "kernel.cmdline = \"datastore.format=auto datastore.name=ds1 test.blk=$SPEC test.blk.seed=42 $opts\""
	read -ra dev < <(nvme_args "$img" "$fmt")
	: > "$log"
	"$TOP/scripts/qemu.sh" --batch --log "$log" --timeout 180 "$WORK/$name.stick" -- "${dev[@]}" 2>/dev/null &
	# SIGKILL the emulator itself (qemu.sh -> timeout -> qemu): no clean shutdown of anything.
	sigkill_when "$log" 'test\.blk: (PASS|FAIL)' 180 $!
	rc=$?
	[ "$rc" = 137 ] && pass "$name: QEMU killed with SIGKILL after the check" ||
		fail "$name: QEMU ended with $rc, not by SIGKILL (see $log)"
	expect "$log" 'datastore: nvme0n1 was blank: formatted as \[ds1\]' "$name: blank namespace formatted"
	expect "$log" 'datastore \[ds1\]: created t/disk, 16384 sectors' "$name: disk created"
	expect "$log" "test\\.blk: wrote 8192 KiB to \\[ds1\\] t/disk \\(seed 42\\), $mode: durable" \
		"$name: pattern written ($mode)"
	expect "$log" 'test\.blk: PASS: 8192 KiB verified, checksum [0-9a-f]{16}' "$name: pattern reads back"
	sum1=$(checksum "$log")

	log=$WORK/$name-2.log
	make_stick "$WORK/$name.stick" "kernel.cmdline = \"test.blk=$SPEC test.blk.seed=42 test.blk.verify test.boot\""
	qemu_boot "$WORK/$name.stick" "$log" 120 -- "${dev[@]}"
	rc=$?
	expect "$log" 'datastore \[ds1\] on nvme0n1: 64 MiB, 1 disks, 55 MiB free, .* table B seq 2' \
		"$name: after the kill the datastore mounts with its disk"
	expect_not "$log" 'was blank: formatted' "$name: not formatted again"
	expect "$log" 'test\.blk: PASS: 8192 KiB verified' "$name: the pattern survived the kill"
	sum2=$(checksum "$log")
	[ -n "$sum1" ] && [ "$sum1" = "$sum2" ] && pass "$name: same checksum $sum2 after the kill" ||
		fail "$name: checksum '$sum2' after the kill differs from '$sum1' before"
	[ "$rc" = 0 ] && pass "$name: clean poweroff" || fail "$name: QEMU exit code $rc"
}

persist raw raw
log=$WORK/raw-1.log
expect "$log" 'pci: [0-9a-f]{2}:[0-9a-f]{2}\.[0-7] 1b36:0010 class 010802' "the NVMe controller on the PCI bus"
expect "$log" 'nvme0: .*"QEMU NVMe Ctrl" serial tv0, NVMe 1\.4, volatile write cache \(FUA by flush\)' \
	"NVMe controller identified; QEMU's FUA is made good by a flush"
expect "$log" 'nvme0n1: 131072 blocks of 512 bytes \(64 MiB\)' "namespace size"
persist qcow2-flush qcow2
persist qcow2-fua qcow2 test.blk.fua
img=$WORK/raw.raw

# The check can fail: another seed expects other data.
boot seed "$img" "test.blk=$SPEC test.blk.seed=43 test.blk.verify test.boot"
expect "$WORK/seed.log" 'test\.blk: FAIL: 16384 of 16384 sectors differ, first 0' \
	"a different seed is detected as different data"

# ---- damage ----
# The older table copy (A) torn: warned, copy B is used.
cp "$img" "$WORK/torn.img"
printf 'torn' | dd of="$WORK/torn.img" bs=1 seek=$((8 * 512 + 200)) conv=notrunc status=none
boot torn "$WORK/torn.img" "test.blk=$SPEC test.blk.seed=42 test.blk.verify test.boot"
expect "$WORK/torn.log" 'datastore \[ds1\]: table A unusable \(table CRC mismatch\); using B' \
	"a damaged table copy is named, the other one used"
expect "$WORK/torn.log" 'test\.blk: PASS: 8192 KiB verified' "the data is still there"

# A corrupt superblock: refused with the reason; not one byte written.
cp "$img" "$WORK/bad.img"
printf 'XX' | dd of="$WORK/bad.img" bs=1 seek=40 conv=notrunc status=none
before=$(md5sum < "$WORK/bad.img")
boot bad "$WORK/bad.img" "datastore.format=auto test.blk=$SPEC test.blk.verify test.boot"
rc=$?
log=$WORK/bad.log
expect "$log" 'datastore: nvme0n1: superblock CRC mismatch; not mounted, nothing written' \
	"corrupt superblock: clear message"
expect "$log" 'test\.blk: FAIL: \[ds1\]t/disk: no datastore \[ds1\] mounted' "corrupt superblock: no datastore"
expect "$log" 'timer: [0-9]+ ticks in' "corrupt superblock: the host boots on"
[ "$rc" = 0 ] && pass "corrupt superblock: clean poweroff" || fail "corrupt superblock: QEMU exit code $rc"
[ "$(md5sum < "$WORK/bad.img")" = "$before" ] && pass "corrupt superblock: image unchanged" ||
	fail "corrupt superblock: the image was written"

# Data that is not a datastore is left alone even with datastore.format=auto.
truncate -s 64M "$WORK/other.img"
printf 'some filesystem' | dd of="$WORK/other.img" bs=1 seek=$((1024 * 1024 - 100)) conv=notrunc status=none
before=$(md5sum < "$WORK/other.img")
boot other "$WORK/other.img" "datastore.format=auto test.boot"
expect "$WORK/other.log" 'datastore: nvme0n1 holds data that is not a datastore; left untouched' \
	"unknown data: not formatted"
[ "$(md5sum < "$WORK/other.img")" = "$before" ] && pass "unknown data: image unchanged" ||
	fail "unknown data: the image was written"

# A blank namespace without datastore.format=auto stays blank.
truncate -s 64M "$WORK/blank.img"
boot blank "$WORK/blank.img" "test.boot"
expect "$WORK/blank.log" 'datastore: nvme0n1 is blank; not formatted \(datastore.format=auto would\)' \
	"blank namespace without datastore.format=auto: left blank"
cmp -s "$WORK/blank.img" <(head -c 64M /dev/zero) && pass "blank namespace: still all zeroes" ||
	fail "blank namespace: written without datastore.format=auto"

# ---- device errors (QEMU's blkdebug fails every read, or every write, with EIO) ----
# errboot NAME EVENT IMAGE CMDLINE
errboot() {
	printf '[inject-error]\nevent = "%s"\nerrno = "5"\n' "$2" > "$WORK/$1.cfg"
	make_stick "$WORK/$1.stick" "kernel.cmdline = \"$4\""
	qemu_boot "$WORK/$1.stick" "$WORK/$1.log" 120 -- \
		-drive file="blkdebug:$WORK/$1.cfg:$3",if=none,id=nv0,format=raw -device nvme,drive=nv0,serial=tv0 \
		2>/dev/null
}
errboot rderr read_aio "$WORK/raw.raw" "test.boot"
rc=$?
log=$WORK/rderr.log
expect "$log" 'nvme0: opcode 0x2 on queue 1 failed: status 0x[0-9a-f]+' "read error: the failed command is logged"
expect "$log" 'datastore: nvme0n1: I/O error; not mounted' "read error: the datastore is not mounted"
expect "$log" 'timer: [0-9]+ ticks in' "read error: the host boots on"
[ "$rc" = 0 ] && pass "read error: clean poweroff" || fail "read error: QEMU exit code $rc"
cp "$WORK/raw.raw" "$WORK/wrerr.img"
errboot wrerr write_aio "$WORK/wrerr.img" "test.blk=[ds1]new/disk test.boot"
log=$WORK/wrerr.log
expect "$log" 'datastore \[ds1\]: table write failed \(I/O error\); the previous table stays' \
	"write error: a failed table write is reported"
expect "$log" 'test\.blk: FAIL: \[ds1\]new/disk: cannot create new/disk: I/O error' \
	"write error: the disk is not created"
expect "$log" 'timer: [0-9]+ ticks in' "write error: the host boots on"
boot wrerr2 "$WORK/wrerr.img" "test.blk=[ds1]t/disk test.blk.seed=42 test.blk.verify test.boot"
expect "$WORK/wrerr2.log" 'datastore \[ds1\] on nvme0n1: .* 1 disks, .* table B seq 2' \
	"write error: the datastore is as before"

# A controller that stops answering (QEMU throttled to 1 KiB/s): the command
# times out after 10 s, the controller is stopped, the host boots on.
truncate -s 64M "$WORK/slow.img"
make_stick "$WORK/slow.stick" 'kernel.cmdline = "datastore.format=auto test.boot"'
qemu_boot "$WORK/slow.stick" "$WORK/slow.log" 120 -- \
	-drive file="$WORK/slow.img",if=none,id=nv0,format=raw,throttling.bps-total=1024 \
	-device nvme,drive=nv0,serial=tv0
rc=$?
log=$WORK/slow.log
expect "$log" 'nvme0: command timed out; controller stopped, its disks now return errors' \
	"timeout: the controller is named and stopped"
expect "$log" 'datastore: nvme0n1: I/O error; not mounted' "timeout: the datastore is not mounted"
expect "$log" 'timer: [0-9]+ ticks in' "timeout: the host boots on"
[ "$rc" = 0 ] && pass "timeout: clean poweroff" || fail "timeout: QEMU exit code $rc"

# ---- an i440FX machine: no MCFG, so configuration mechanism #1; 4 KiB blocks ----
truncate -s 64M "$WORK/pc.img"
make_stick "$WORK/pc.stick" 'kernel.cmdline = "datastore.format=auto test.blk=[datastore1]x/y test.boot"'
qemu_boot "$WORK/pc.stick" "$WORK/pc.log" 120 -- -machine pc -drive file="$WORK/pc.img",if=none,id=nv0,format=raw \
	-device nvme,drive=nv0,serial=tv0,logical_block_size=4096,physical_block_size=4096
log=$WORK/pc.log
expect "$log" 'pci: segment 0 through ports 0xcf8/0xcfc' "i440FX: PCI through ports 0xcf8/0xcfc"
expect "$log" 'pci: 00:[0-9a-f]{2}\.0 1b36:0010 class 010802' "i440FX: the NVMe controller found"
expect "$log" 'nvme0n1: 16384 blocks of 4096 bytes \(64 MiB\)' "i440FX: a namespace of 4 KiB blocks"
expect "$log" 'datastore: nvme0n1 was blank: formatted as \[datastore1\]' "i440FX: default datastore name"
expect "$log" 'test\.blk: PASS: 8192 KiB verified' "i440FX: disk written and read back"

# ---- behind a root port of a second host bridge (root bus 0x40, reached from no bridge on bus 0) ----
truncate -s 64M "$WORK/pxb.img"
qemu_boot "$WORK/pc.stick" "$WORK/pxb.log" 120 -- -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1 \
	-device pxb-pcie,id=pxb,bus_nr=0x40,bus=pcie.0 -device pcie-root-port,id=rp2,bus=pxb,chassis=2 \
	-drive file="$WORK/pxb.img",if=none,id=nv0,format=raw -device nvme,drive=nv0,serial=tv0,bus=rp2
log=$WORK/pxb.log
expect "$log" 'pci: 00:01\.0 1b36:000c class 060400 bridge' "second host bridge: a root port on bus 0"
expect "$log" 'pci: 40:00\.0 1b36:000c class 060400 bridge' "second host bridge: its root bus 0x40 scanned"
expect "$log" 'nvme0: 41:00\.0 "QEMU NVMe Ctrl"' "second host bridge: the NVMe controller behind its root port"
expect "$log" 'test\.blk: PASS: 8192 KiB verified' "second host bridge: disk written and read back"

# ---- no NVMe device at all ----
boot none - "test.blk=$SPEC test.boot"
rc=$?
expect "$WORK/none.log" 'datastore: no NVMe namespaces, no datastores' "no NVMe: clear message"
expect "$WORK/none.log" 'timer: [0-9]+ ticks in' "no NVMe: the host boots on"
expect_not "$WORK/none.log" 'PANIC|panic' "no NVMe: no panic"
[ "$rc" = 0 ] && pass "no NVMe: clean poweroff" || fail "no NVMe: QEMU exit code $rc"
finish
