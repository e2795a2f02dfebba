#!/usr/bin/env python3
"""Writes compile_commands.json for clangd from groups of
'COMMAND FILE... --' arguments: every FILE is compiled with COMMAND."""
import json
import shlex
import sys

top = sys.argv[1]
entries = []
args = sys.argv[2:]
while args:
    command, rest = args[0], args[1:]
    files = []
    while rest and rest[0] != "--":
        files.append(rest.pop(0))
    args = rest[1:]
    for f in files:
        entries.append({"directory": top, "file": f,
                        "arguments": shlex.split(command) + ["-c", f]})
json.dump(entries, sys.stdout, indent=1)
print()
