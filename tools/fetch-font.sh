#!/usr/bin/env bash
# Fetches the Terminus console fonts from Debian's console-setup-linux package at a pinned,
# checksum-verified version and unpacks them into $1 (default build/font): the package file
# is downloaded with `apt-get download` (nothing is installed into the host system), unpacked
# with `dpkg-deb -x` into the build tree, and two fonts are decompressed there:
#   ter-10x20.psf  Uni2-Terminus20x10 (PSF2, 10x20): the terminal window's and the title
#                  bars' font, put into the initrd as etc/font.psf
#   ter-8x16.psf   Uni2-Terminus16 (PSF1, 8x16): for the parser's host tests
# Terminus is under the SIL Open Font License 1.1 (console-setup's copyright file, shipped in
# Debian's keyboard-configuration package). A stamp makes later builds skip everything.
set -euo pipefail

PACKAGE=console-setup-linux
VERSION=1.221
SHA256=65fac4777b0d36e48d90c577ba296c9ceeb051210aa1bf405925e2bf6bc6fecd

out=$(realpath -m "${1:-build/font}")
stamp="$out/.stamp-$VERSION"
[ -f "$stamp" ] && exit 0

bash "$(dirname "$0")/fetch-deb.sh" font "$PACKAGE" "$VERSION" "$SHA256" "$out/download"
fonts="$out/download/x/usr/share/consolefonts"
gunzip -c "$fonts/Uni2-Terminus20x10.psf.gz" > "$out/ter-10x20.psf"
gunzip -c "$fonts/Uni2-Terminus16.psf.gz" > "$out/ter-8x16.psf"
touch "$stamp"
echo "font: $out/ter-10x20.psf and ter-8x16.psf from $PACKAGE $VERSION"
