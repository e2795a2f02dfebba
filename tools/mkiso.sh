#!/usr/bin/env bash
# mkiso.sh OUT KERNEL INITRD|- [CMDLINE...]: makes a bootable ISO with
# grub-mkrescue (BIOS, plus UEFI when grub-efi-amd64-bin is installed).
# INITRD "-" makes an ISO without the initrd module (a test case).
set -euo pipefail
out=$1 kernel=$2 initrd=$3
shift 3
cmdline="$*"
root=$(mktemp -d "${TMPDIR:-/tmp}/missive-iso.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$kernel" "$root/boot/kernel.elf"
module=""
if [ "$initrd" != "-" ]; then
    cp "$initrd" "$root/boot/initrd.cpio"
    module="module2 /boot/initrd.cpio initrd"
fi
cat > "$root/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "Missive" {
    # BIOS: keep VGA text mode so the screen shows early messages. UEFI has
    # no text mode; GRUB sets the graphics mode the kernel's header asks for.
    if [ "\$grub_platform" = "pc" ]; then set gfxpayload=text; fi
    multiboot2 /boot/kernel.elf $cmdline
    $module
    boot
}
CFG
if ! grub-mkrescue -o "$out.tmp" "$root" > "$root.log" 2>&1; then
    cat "$root.log" >&2; rm -f "$root.log"; exit 1
fi
rm -f "$root.log"
mv "$out.tmp" "$out"
