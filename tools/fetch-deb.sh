#!/usr/bin/env bash
# fetch-deb.sh NAME PACKAGE VERSION SHA256 DIR: one Debian package file at a pinned version,
# downloaded into DIR with `apt-get download` (no root; nothing is installed on the host), its
# SHA-256 checked, and unpacked with dpkg-deb into DIR/x (emptied first). A file already in DIR
# with the right checksum is not fetched again. NAME prefixes the messages. Used by
# tools/fetch-font.sh and tools/pciids.sh.
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: fetch-deb.sh NAME PACKAGE VERSION SHA256 DIR" >&2; exit 2; }
name=$1 package=$2 version=$3 sha256=$4 dir=$(realpath -m "$5")
mkdir -p "$dir"
deb=$(find "$dir" -maxdepth 1 -name "${package}_*.deb" -print -quit)

verified() {
    [ -n "$deb" ] && echo "$sha256  $deb" | sha256sum -c --status 2>/dev/null
}

if ! verified; then
    echo "$name: fetching the Debian package $package $version (apt-get download)"
    rm -f "$dir/${package}_"*.deb
    # apt-get download writes into the current directory; a stale package list may not know
    # the version yet, so update once and retry.
    (cd "$dir" && { apt-get download -q "$package=$version" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null && apt-get download -q "$package=$version"; }; })
    deb=$(find "$dir" -maxdepth 1 -name "${package}_*.deb" -print -quit)
fi
if ! verified; then
    echo "$name: checksum mismatch for $package $version (expected $sha256)" >&2
    [ -n "$deb" ] && sha256sum "$deb" >&2
    exit 1
fi
rm -rf "$dir/x"
dpkg-deb -x "$deb" "$dir/x"
