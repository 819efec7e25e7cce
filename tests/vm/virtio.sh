#!/usr/bin/env bash
# virtio.sh: a Debian Linux VM with virtio-mmio devices from its config
# (docs/vmm.md, "virtio"): it finds them through the DSDT, loads Debian's
# virtio modules and checks from inside: disk0 (an image of random bytes
# made here) has the size and sha256 computed here; 1 MiB written into it
# reads back (the RAM overlay); disk1 is read-only; /dev/hwrng is
# virtio-rng's; a line on /dev/hvc0 reaches the host log as "[virtio] hvc0:";
# a virtio-balloon (test.balloon=16: every VM gets one, target 16 MiB) is
# inflated by Linux's driver: the host logs 4096 pages held, MemTotal drops.
# The image on the stick stays unchanged. The VM has 2 vCPUs, both free to
# touch the devices. Runs on both vendors: HV=svm (QEMU, ~25 s) or HV=vmx
# (Bochs, ~2 min, about a plain Linux boot there: only with VIRTIO_VMX=1, to keep make test
# near 17 min; virtio_hostile.sh runs on VT-x in make test).
. "$(dirname "$0")/../lib.sh"

if [ "$HV" = vmx ] && [ "${VIRTIO_VMX:-0}" = 0 ]; then
	echo "SKIP: virtio.sh under Bochs (~2 min; VIRTIO_VMX=1 runs it; virtio_hostile.sh covers virtio on VT-x)"
	finish
fi
MIB=${VIRTIO_DISK_MIB:-8}
head -c $((MIB << 20)) /dev/urandom >"$WORK/vms/disk.img"
head -c $((1 << 20)) /dev/urandom >"$WORK/vms/ro.img"
sum=$(sha256sum <"$WORK/vms/disk.img" | cut -d' ' -f1)
orig=$sum
# Two vCPUs: both may touch the devices at once; the VMM serializes them.
cfg=$(vmx virtio 'memsize = "256"' 'numvcpus = "2"' 'guest.kernel = "vmlinuz"' 'guest.initrd = "initrd.img"' \
	"guest.cmdline = \"console=ttyS0 quiet tv.cpus=2 tv.mem=256 tv.hv=1 tv.virtio=1 tv.vda=$sum:$((MIB << 20)):stick:disk.img tv.vdb=ro tv.rng=1 tv.hvc=1 tv.balloon=16\"" \
	'disk0.fileName = "disk.img"' 'disk1.fileName = "ro.img"' 'disk1.readOnly = "true"' \
	'virtioConsole.present = "true"' 'virtioRng.present = "true"')
vm_boot "$WORK/serial.log" 1200 'kernel.cmdline = "test.poweroff_idle test.balloon=16"' --mem 1024 "$cfg"
rc=$?
log=$WORK/serial.log

expect "$log" "vm virtio: started: 256 MiB, 2 vCPU, $HV_NAME" "VM with virtio devices started on $HV_NAME"
expect "$log" '\[virtio\] TV-GUEST: userspace reached' "Linux reaches userspace"
expect "$log" '\[virtio\] TV-VERDICT: PASS .*virtio=5devs' "the guest finds five virtio devices through ACPI (the balloon from test.balloon)"
expect "$log" '\[virtio\] TV-VERDICT: PASS .*vda=sum-ok' "disk0: size and sha256 as made by the test, serial (get-id) its name"
expect "$log" '\[virtio\] TV-VERDICT: PASS .*vda=write-ok' "disk0: 1 MiB written reads back (RAM overlay)"
expect "$log" '\[virtio\] TV-VERDICT: PASS .*vdb=ro-ok' "disk1: read-only, a write fails"
expect "$log" '\[virtio\] TV-VERDICT: PASS .*rng=ok' "/dev/hwrng is virtio-rng and gives random bytes"
expect "$log" '\[virtio\] hvc0: TV-HVC: hello from hvc0' "hvc0 output in the host log with the VM's name"
expect "$log" 'vm virtio: balloon: 4096 pages held, guest says 4096, target 4096' \
	"the guest's balloon driver inflated 16 MiB, every page accepted by the host"
expect "$log" '\[virtio\] TV-VERDICT: PASS .*balloon=1[0-9]{4}kB' "the guest's MemTotal dropped by the 16 MiB ballooned"
expect "$log" '\[virtio\] TV-VERDICT: PASS' "in-guest verdict"
expect "$log" 'vm virtio: virtio-blk0: [0-9]+ notifies, [0-9]+ interrupts, [0-9]+ KiB read, 1024 KiB written' \
	"host counts the disk's requests"
expect "$log" 'vm virtio: balloon: 0 pages held, guest says 0, target 4096' \
	"the guest's power-off resets the balloon: every page given back"
expect "$log" 'vm virtio: virtio-balloon: [0-9]+ notifies, [0-9]+ interrupts, target 4096 pages, guest says 0, 0 held \(4096 in, 0 out, 0 ignored\)' \
	"host counts the balloon's pages"
expect_not "$log" 'needs reset' "no device was marked broken"
[ "$(sha256sum <"$WORK/vms/disk.img" | cut -d' ' -f1)" = "$orig" ] &&
	pass "the image file itself is unchanged" || fail "the image file changed"
expect "$log" 'vm virtio: off \(guest powered off' "guest powers off"
expect_poweroff "$rc" "$log" "host powered off cleanly once no VM was left"
finish
