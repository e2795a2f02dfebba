#!/bin/sh
# asm_offsets.sh IN.s OUT.inc: turns the "#asm-constant NAME VALUE" markers in
# the compiler's assembly output of kernel/arch/x86_64/asm_offsets.c into
# NASM %defines (docs/abi.md, "asm-offsets"). Fails if a marker does not
# parse (a negative or non-numeric value), so no constant goes missing.
set -e
in=$1
out=$2
markers=$(grep -c '#asm-constant ' "$in" || true)
{
    echo "; Generated from kernel/arch/x86_64/asm_offsets.c by tools/asm_offsets.sh: do not edit."
    sed -n 's/^[[:space:]]*#asm-constant \([A-Z][A-Z0-9_]*\) \$\([0-9][0-9]*\)$/%define \1 \2/p' "$in"
} > "$out.tmp"
defines=$(grep -c '^%define ' "$out.tmp" || true)
if [ "$markers" -eq 0 ] || [ "$markers" -ne "$defines" ]; then
    echo "asm_offsets.sh: $in has $markers markers but $defines parse" >&2
    rm -f "$out.tmp"
    exit 1
fi
mv "$out.tmp" "$out"
