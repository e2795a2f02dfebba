#!/usr/bin/env bash
# mkinitrd.sh BUILD_DIR OUT MANIFEST...: makes an initrd cpio archive (newc,
# GNU cpio) from the manifests. Each manifest line is "ARCHIVE-PATH SOURCE";
# SOURCE is relative to the repository, and "$BUILD/" in it means the build
# directory. The archive is reproducible: sorted names, owner root, mtime 0.
# Programs go in without their debug information (objcopy --strip-debug): the
# kernel hands the root task every initrd page, so the boot pays for each
# byte; gdb reads the symbols from the unstripped copies in BUILD/bin. A file
# objcopy cannot read (data, or a test's deliberately broken ELF) goes in as
# it is.
set -euo pipefail
build=$1 out=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
stage="$build/initrd-root-$(basename "$out" .cpio)" # one per archive: make -j builds two at once
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
    if [ "$(head -c 4 "$source" | od -An -c | tr -d ' ')" = '177ELF' ] &&
        objcopy --strip-debug "$source" "$stage/$path" 2>/dev/null; then
        :
    else
        cp "$source" "$stage/$path"
    fi
done < "$manifest"
done
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) > "$out.tmp"
mv "$out.tmp" "$out"
