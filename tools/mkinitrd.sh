#!/usr/bin/env bash
# mkinitrd.sh BUILD_DIR OUT MANIFEST...: makes an initrd cpio archive (newc,
# GNU cpio) from the manifests. Each manifest line is "ARCHIVE-PATH SOURCE";
# SOURCE is relative to the repository, and "$BUILD/" in it means the build
# directory. The archive is reproducible: sorted names, owner root, mtime 0.
set -euo pipefail
build=$1 out=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
stage="$build/initrd-root"
rm -rf "$stage"
mkdir -p "$stage"
for manifest in "$@"; do
lineno=0
while read -r path source rest || [ -n "${path:-}" ]; do
    lineno=$((lineno + 1))
    case "$path" in ''|'#'*) continue ;; esac
    if [ -z "${source:-}" ] || [ -n "${rest:-}" ]; then
        echo "$manifest:$lineno: expected 'ARCHIVE-PATH SOURCE'" >&2; exit 1
    fi
    case "$path" in /*|*..*) echo "$manifest:$lineno: archive path must be relative: $path" >&2; exit 1 ;; esac
    source=${source//\$BUILD/$build}
    case "$source" in /*) ;; *) source="$top/$source" ;; esac
    [ -f "$source" ] || { echo "$manifest:$lineno: no such file: $source" >&2; exit 1; }
    mkdir -p "$stage/$(dirname "$path")"
    cp "$source" "$stage/$path"
done < "$manifest"
done
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) > "$out.tmp"
mv "$out.tmp" "$out"
