# Run by tools/bench/diskpath.sh inside gdb: attaches to QEMU on PORT, stops at the SKIP-th
# call of diskbench's db_queue (a hardware breakpoint whose condition checks the code bytes
# there, since every program is linked at the same address), then single-steps STEPS
# instructions and writes each one's RIP and CR3 to OUT, one "rip cr3" pair a line.
import os

import gdb

address = int(os.environ["ADDRESS"], 16)
code = int(os.environ["CODE"], 16)
skip = int(os.environ.get("SKIP", "140"))
steps = int(os.environ.get("STEPS", "30000"))
gdb.execute("set pagination off")
gdb.execute("target remote :" + os.environ["PORT"])
gdb.execute(f"hbreak *{address:#x} if *(unsigned long long *){address:#x} == {code:#x}")
gdb.execute(f"ignore 1 {skip}")
gdb.execute("continue")
gdb.execute("delete")
with open(os.environ["OUT"], "w") as out:
    for _ in range(steps):
        rip = int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF
        cr3 = int(gdb.parse_and_eval("$cr3")) & 0xFFFFFFFFFFFFF000
        out.write(f"{rip:x} {cr3:x}\n")
        gdb.execute("stepi", to_string=True)
gdb.execute("kill")
