#!/usr/bin/env bash
# The PCI vendor and device names for lspci: Debian's pci.ids package at a pinned,
# checksum-verified version, fetched as a package file into the build tree (never installed on
# the host) and cut to what lspci looks up (vendor lines and their device lines; no
# subsystems, no class list, no comments), written to $2. $1 keeps the download.
set -euo pipefail

VERSION=0.0~2023.04.11-1
SHA256=eac5f889128f3f53100be7f16f9a7dd5aade7499fa9571f53a6c1cfa0bf4565d

dir=$(realpath -m "${1:-build/pciids}")
out=$(realpath -m "${2:-build/pci.ids}")
bash "$(dirname "$0")/fetch-deb.sh" pciids pci.ids "$VERSION" "$SHA256" "$dir"
python3 - "$dir/x/usr/share/misc/pci.ids" "$out" <<'PY'
import sys
kept = []
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        line = line.rstrip("\n")
        if line.startswith("C "):
            break  # the class list: lspci names classes itself (lib/pci)
        if not line or line.startswith("#") or line.startswith("\t\t"):
            continue
        kept.append(line)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("\n".join(kept) + "\n")
PY
