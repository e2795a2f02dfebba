#!/usr/bin/env bash
# Runs the picolibc check program on the host and verifies its output.
set -uo pipefail
prog=$1
out=$("$prog" one two 2>&1)
status=$?
echo "$out"
fail=0
expect() { grep -qxF "$1" <<<"$out" || { echo "picolibc-test: missing line: $1"; fail=1; }; }
expect "picolibc: snprintf gives '-42 beef str 3.14'"
expect "picolibc: malloc ok"
expect "picolibc: strtol overflow gives errno ERANGE"
expect "picolibc: thread-local 7, constructor ran"
expect "picolibc: all checks passed"
[ $status -eq 0 ] || { echo "picolibc-test: exit status $status"; fail=1; }
if [ $fail -eq 0 ]; then echo "picolibc-test: 1 passed, 0 failed"; else echo "picolibc-test: 0 passed, 1 failed"; fi
exit $fail
