#!/usr/bin/env bash
# Installs Debian's linux-image-amd64 (the kernel `make bench-linux` boots) when
# it is missing, and prints the path of the newest /boot/vmlinuz-* on stdout.
# Only the Linux comparison needs it, so it is not in tools/install-deps.sh.
# Uses sudo when not run as root; the kernel image is readable by root only.
set -euo pipefail

package=linux-image-amd64
if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    echo "install-kernel: installing $package" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "install-kernel: not root and no sudo; install $package" >&2; exit 1; }
        sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    # The package's hooks build an initramfs for the host and may try to
    # update a boot loader; neither is needed here, but neither does harm.
    $sudo apt-get update -q >&2
    $sudo apt-get install -y -q --no-install-recommends "$package" >&2
fi

# The newest installed kernel image (version order, not name order).
image=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$image" ] || { echo "install-kernel: no /boot/vmlinuz-* after installing $package" >&2; exit 1; }
echo "$image"
