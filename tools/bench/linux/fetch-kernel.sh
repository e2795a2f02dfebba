#!/usr/bin/env bash
# Fetches the Linux kernel `make bench-linux` boots, without installing
# anything into the host system: Debian 12's kernel package at one pinned
# version is downloaded as a package file (apt-get download), its SHA-256
# checked against the one below, and its vmlinuz taken out of it with
# dpkg-deb into DIR (in the build tree). Prints the vmlinuz's path.
#
# Usage: fetch-kernel.sh DIR [MODULE...]
#
# With MODULE names (file names without .ko, e.g. ahci), those modules of the same package are
# taken out too (into DIR/lib/modules/...), and their paths printed after the image's, one a
# line, in the order given (make bench-disk's initramfs loads them in that order).
#
# The pin: linux-image-amd64's candidate on 2026-12-06 (apt-cache policy
# linux-image-amd64; bookworm-security), its SHA256 as apt-cache show gives
# it. To move to another version, change all three and re-measure
# (docs/ipc-performance.md names the version the figures are from).
set -euo pipefail

package=linux-image-6.1.0-57-amd64
version=6.1.192-3
sha256=14d219d01e1283261817d961dbb3895cb5b4288d0de10e0ba0632a0d993e15bf
# Where the package's data puts the image.
image=boot/vmlinuz-${package#linux-image-}

[ $# -ge 1 ] || { echo "usage: fetch-kernel.sh DIR [MODULE...]" >&2; exit 2; }
dir=$1
shift
deb=$dir/${package}_${version}_amd64.deb
mkdir -p "$dir"

verified() {
    [ -f "$deb" ] && echo "$sha256  $deb" | sha256sum --check --status
}

if ! verified; then
    rm -f "$deb"
    echo "fetch-kernel: downloading $package $version (about 70 MB)" >&2
    # apt-get download writes the file into the current directory; it needs
    # no root, only apt's package lists (apt-get update) to know the version.
    if ! (cd "$dir" && apt-get download -q "$package=$version" >&2); then
        echo "fetch-kernel: apt-get download $package=$version failed. If apt's lists are" \
            "old, run apt-get update; if Debian no longer serves this version, put the file" \
            "$(basename "$deb") from https://snapshot.debian.org/package/linux-signed-amd64/" \
            "into $dir, or boot another kernel with LINUX_KERNEL=PATH." >&2
        exit 1
    fi
    if ! verified; then
        echo "fetch-kernel: $deb does not have the pinned SHA-256 $sha256; removed" >&2
        rm -f "$deb"
        exit 1
    fi
fi

# Only the image: the package's 400 MB of modules are never loaded (the
# benchmark's initramfs has none and needs none), so rather than dpkg-deb -x
# of everything, dpkg-deb gives the data archive and tar takes the one file.
# The image is unpacked again whenever the package is newer than it.
if [ ! -f "$dir/$image" ] || [ "$deb" -nt "$dir/$image" ]; then
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" "./$image"
    touch "$dir/$image"
fi
echo "$dir/$image"

# The modules: one pass over the data archive for all that are missing or older than the
# package.
missing=()
for m in "$@"; do
    found=$(find "$dir/lib/modules" -name "$m.ko" 2>/dev/null | head -1) || true
    if [ -z "$found" ] || [ "$deb" -nt "$found" ]; then missing+=("*/$m.ko"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards "${missing[@]}"
    for m in "$@"; do find "$dir/lib/modules" -name "$m.ko" -exec touch {} +; done
fi
for m in "$@"; do
    found=$(find "$dir/lib/modules" -name "$m.ko" | head -1)
    [ -n "$found" ] || { echo "fetch-kernel: $package has no module $m.ko" >&2; exit 1; }
    echo "$found"
done
