# Run by tools/bench/pathtrace.sh inside gdb: attaches to QEMU on :1234, lets
# the guest run to the SKIP-th entry to syscall_entry (past warm-up), then
# single-steps STEPS instructions and writes each RIP to OUT, one per line.
import os

import gdb

skip = int(os.environ.get("SKIP", "400"))
steps = int(os.environ.get("STEPS", "1000"))
gdb.execute("set pagination off")
gdb.execute("target remote :" + os.environ.get("PORT", "1234"))
gdb.execute("break syscall_entry")
gdb.execute("continue")
gdb.execute(f"ignore 1 {skip}")
gdb.execute("continue")
gdb.execute("delete")
with open(os.environ["OUT"], "w") as out:
    for _ in range(steps):
        out.write("%x\n" % (int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF))
        gdb.execute("stepi", to_string=True)
gdb.execute("kill")
