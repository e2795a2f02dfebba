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
# Two entries: the text console (default: the VGA error screen stays readable) and the
# graphics one, for the compositor (docs/boot.md); MISSIVE_GRAPHICS=1 makes the graphics
# entry the default, with the mode MISSIVE_GFXMODE (1024x768x32).
default=0
[ "${MISSIVE_GRAPHICS:-0}" = 1 ] && default=1
gfxmode=${MISSIVE_GFXMODE:-1024x768x32}
# The graphics entry starts the desktop (etc/gui.manifest) unless the command line names what
# init gets after "--" itself (the tests' own manifests).
gfx_cmdline=$cmdline
case " $cmdline " in *" -- "*) ;; *) gfx_cmdline="$cmdline -- manifest=etc/gui.manifest" ;; esac
cat > "$root/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=$default
# UEFI: the GOP driver gives the framebuffer (GRUB loads no video driver by itself).
if [ "\$grub_platform" = "efi" ]; then insmod efi_gop; fi
menuentry "Missive" {
    # BIOS: keep VGA text mode so the screen shows early messages. UEFI has
    # no text mode; GRUB sets the graphics mode the kernel's header asks for.
    # gfxpayload comes after multiboot2, which sets it from the header's
    # framebuffer tag.
    multiboot2 /boot/kernel.elf $cmdline
    if [ "\$grub_platform" = "pc" ]; then set gfxpayload=text; fi
    $module
    boot
}
menuentry "Missive (graphics)" {
    multiboot2 /boot/kernel.elf $gfx_cmdline
    set gfxpayload=$gfxmode,auto
    $module
    boot
}
CFG
if ! grub-mkrescue -o "$out.tmp" "$root" > "$root.log" 2>&1; then
    cat "$root.log" >&2; rm -f "$root.log"; exit 1
fi
rm -f "$root.log"
mv "$out.tmp" "$out"
