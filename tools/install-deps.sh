#!/usr/bin/env bash
# Installs the Debian packages Missive's build, run and tests need, and only the
# missing ones. Idempotent and quiet when nothing is missing, so `make` can call
# it on every build. Uses sudo when not run as root.
set -euo pipefail

packages=(
    build-essential nasm            # kernel and user space toolchain
    grub-pc-bin grub-common xorriso mtools   # grub-mkrescue for the BIOS ISO
    grub-efi-amd64-bin ovmf         # UEFI ISO and firmware for `make run-uefi`
    qemu-system-x86                 # the machine we run on
    cpio                            # initrd.cpio (newc)
    meson ninja-build               # picolibc's build
    python3 python3-pip             # pip fetches picolibc; the test harness
    libcmocka-dev                   # host unit tests
    gdb                             # make debug
    clang-format                    # make format, make format-check
    acpica-tools                    # iasl: the AML test tables (tests/aml)
    clang libclang-rt-14-dev        # libFuzzer: make fuzz, make fuzz-check
    libfuse3-dev fuse3 pkg-config   # hmfs-fuse (tools/hmfs) and its test
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing missing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q "${missing[@]}"
