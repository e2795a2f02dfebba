#!/usr/bin/env bash
# Fetches picolibc (user space's C library) from PyPI at a pinned, checksum-
# verified version and builds it for x86_64 freestanding (static, no PIC) into
# $1 (default build/picolibc). A stamp file makes later builds skip both the
# fetch and the build; the wheel is kept in $1/download so a rebuild with a
# changed configuration does not refetch.
set -euo pipefail

VERSION=1.7.9.post181
WHEEL=pythondata_software_picolibc-${VERSION}-py3-none-any.whl
SHA256=75122e28be9aeb6311fd6de36bdac38921ea18cda4f4e0a330375ba4d4e9e566
CONFIG_ID=3   # bump when the meson options below change

out=$(realpath -m "${1:-build/picolibc}")
top=$(cd "$(dirname "$0")/.." && pwd)
stamp="$out/install/.stamp-$VERSION-$CONFIG_ID"
[ -f "$stamp" ] && exit 0

mkdir -p "$out/download"
if ! echo "$SHA256  $out/download/$WHEEL" | sha256sum -c --status 2>/dev/null; then
    echo "picolibc: fetching $WHEEL from PyPI"
    rm -f "$out/download/$WHEEL"
    python3 -m pip download --quiet --no-deps --only-binary :all: --no-cache-dir \
        -d "$out/download" "pythondata-software-picolibc==$VERSION"
fi
if ! echo "$SHA256  $out/download/$WHEEL" | sha256sum -c --status; then
    echo "picolibc: checksum mismatch for $WHEEL (expected $SHA256)" >&2
    sha256sum "$out/download/$WHEEL" >&2
    exit 1
fi

echo "picolibc: building $VERSION for x86_64 freestanding"
rm -rf "$out/src" "$out/build" "$out/install"
python3 - "$out/download/$WHEEL" "$out/src" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for m in z.infolist():
        if m.filename.startswith("pythondata_software_picolibc/data/"):
            z.extract(m, sys.argv[2])
PY
src="$out/src/pythondata_software_picolibc/data"
# Meson runs a few of picolibc's helper scripts; wheels do not keep modes.
find "$src" -name '*.sh' -exec chmod +x {} +
chmod +x "$src"/scripts/* 2>/dev/null || true

meson setup --cross-file "$top/tools/picolibc-cross.txt" \
    -Dmultilib=false -Dpicocrt=false -Dsemihost=false -Dtests=false \
    -Dspecsdir=none -Dposix-console=true -Dthread-local-storage=true -Dtls-model=local-exec \
    -Dprefix="$out/install" -Dincludedir=include -Dlibdir=lib \
    "$out/build" "$src" > "$out/meson-setup.log" 2>&1 ||
    { cat "$out/meson-setup.log" >&2; exit 1; }
ninja -C "$out/build" install > "$out/ninja.log" 2>&1 || { tail -40 "$out/ninja.log" >&2; exit 1; }
touch "$stamp"
echo "picolibc: installed in $out/install"
