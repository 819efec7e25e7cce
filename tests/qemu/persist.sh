#!/usr/bin/env bash
# persist.sh: a guest's fsync'd data on a datastore disk survives a host
# reset (docs/storage.md). Boot 1: a Debian Linux VM whose disk0 is
# "[ds1] p/data.disk" on QEMU's NVMe (formatted and created on first use)
# copies 4 MiB of random data from a read-only stick disk onto it with
# O_DIRECT and fsync; as soon as it says so, QEMU is killed with SIGKILL
# (the NVMe image is qcow2, which loses whatever was not flushed).
# Boot 2, same NVMe image: the VM finds the same 4 MiB on its disk0. A VM
# naming a datastore that does not exist is refused with file:line.
. "$(dirname "$0")/../lib.sh"

# qcow2, not raw: QEMU keeps qcow2's cluster mappings in memory until a flush
# reaches it, so if any layer between the guest's fsync and the NVMe device
# dropped the flush, the kill below would lose the data.
img=$WORK/nvme.qcow2
qemu-img create -q -f qcow2 "$img" 64M
nvme=(-drive "file=$img,if=none,id=nv0,format=qcow2" -device nvme,drive=nv0,serial=tv0)
head -c $((4 << 20)) /dev/urandom >"$WORK/vms/pattern.img"
sum=$(sha256sum <"$WORK/vms/pattern.img" | cut -d' ' -f1)

vm() { # PERSIST-OPTION
	vmx p 'memsize = "128"' 'guest.kernel = "vmlinuz"' 'guest.initrd = "initrd.img"' \
		"guest.cmdline = \"console=ttyS0 quiet tv.cpus=1 tv.mem=128 tv.hv=1 tv.virtio=1 tv.persist=$1\"" \
		'disk0.fileName = "[ds1] p/data.disk"' 'disk0.sizeMB = "16"' \
		'disk1.fileName = "pattern.img"' 'disk1.readOnly = "true"'
}

# ---- boot 1: write and fsync, then pull the plug ----
cfg=$(vm write)
nods=$(vmx_guest nods cpuid '' 'disk0.fileName = "[nope] x.disk"' 'disk0.sizeMB = "1"')
make_stick "$WORK/b1.img" 'kernel.cmdline = "datastore.format=auto datastore.name=ds1"' "$cfg" "$nods"
log=$WORK/b1.log
: >"$log"
"$TOP/scripts/qemu.sh" --batch --log "$log" --timeout 600 --mem 512 "$WORK/b1.img" -- "${nvme[@]}" &
sigkill_when "$log" '\[p\] TV-GUEST: persist written' 600 $!
rc=$?
[ "$rc" = 137 ] && pass "boot 1: QEMU killed with SIGKILL once the guest had synced" ||
	fail "boot 1: QEMU ended with $rc, not by SIGKILL (see $log)"
expect "$log" 'datastore \[ds1\]: created p/data.disk, 32768 sectors' "boot 1: the VM's disk created on the datastore"
expect "$log" '\[p\] TV-GUEST: persist written' "boot 1: the guest wrote 4 MiB with O_DIRECT and fsync"
expect "$log" 'vms/nods.vmx: disk0 "\[nope\] x.disk": no datastore \[nope\] mounted' \
	"a disk on a missing datastore: the VM is refused, with the reason"
expect_not "$log" 'vm nods: started' "that VM never ran"

# ---- boot 2: the same NVMe image ----
cfg=$(vm "check:$sum")
make_stick "$WORK/b2.img" 'kernel.cmdline = "test.poweroff_idle"' "$cfg"
qemu_boot "$WORK/b2.img" "$WORK/b2.log" 600 --mem 512 -- "${nvme[@]}"
rc=$?
log=$WORK/b2.log
expect_not "$log" 'created p/data.disk' "boot 2: the disk is found, not created again"
expect "$log" '\[p\] TV-VERDICT: PASS .*persist=ok' "boot 2: the 4 MiB written before the kill read back intact"
expect "$log" 'vm p: virtio-blk0: [0-9]+ notifies, [0-9]+ interrupts, [1-9][0-9]* KiB read' "boot 2: read through virtio-blk"
[ "$rc" = 0 ] && pass "boot 2: clean poweroff" || fail "boot 2: QEMU exit code $rc"
finish
