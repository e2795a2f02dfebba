# Run by tools/bench/diskpath.sh inside gdb: attaches to QEMU on PORT, stops at the SKIP-th
# call of diskbench's db_queue (a hardware breakpoint whose condition checks the code bytes
# there, since every program is linked at the same address), then single-steps STEPS
# instructions and writes each one's RIP and CR3 to OUT, one "rip cr3" pair a line.
#
# QEMU holds interrupts and timers back while gdb steps (its default; letting them through
# makes a timer tick or a time-polling server fill the trace), so waiting for the disk is not
# stepped through: when the client's idle spinner
# (SPIN_START..SPIN_END) runs, the guest continues freely to the kernel's next interrupt entry
# (TRAP, trap_common), where stepping goes on; the spinner's own instructions are not part of
# the path anyway. Likewise a program that is neither the client nor the server (SERVER_ADDRESS,
# SERVER_CODE: a function of the server, whose address space is learnt at its first call after
# the start): a console writing a line polls its UART, whose timer does not run while gdb steps,
# and would fill the trace; it runs freely to the next interrupt entry too.
import os

import gdb

address = int(os.environ["ADDRESS"], 16)
code = int(os.environ["CODE"], 16)
spin_start, spin_end = int(os.environ["SPIN_START"], 16), int(os.environ["SPIN_END"], 16)
trap = int(os.environ["TRAP"], 16)
skip = int(os.environ.get("SKIP", "140"))
steps = int(os.environ.get("STEPS", "30000"))
gdb.execute("set pagination off")
gdb.execute("target remote :" + os.environ["PORT"])
gdb.execute(f"hbreak *{address:#x} if *(unsigned long long *){address:#x} == {code:#x}")
gdb.execute(f"ignore 1 {skip}")
gdb.execute("continue")
gdb.execute("delete")
path_cr3s = None
if os.environ.get("SERVER_ADDRESS"):
    server = int(os.environ["SERVER_ADDRESS"], 16)
    server_code = int(os.environ["SERVER_CODE"], 16)
    client_cr3 = int(gdb.parse_and_eval("$cr3")) & 0xFFFFFFFFFFFFF000
    gdb.execute(f"hbreak *{server:#x} if *(unsigned long long *){server:#x} == {server_code:#x}")
    gdb.execute("continue")
    gdb.execute("delete")
    path_cr3s = {client_cr3, int(gdb.parse_and_eval("$cr3")) & 0xFFFFFFFFFFFFF000}
    gdb.execute(f"hbreak *{address:#x} if *(unsigned long long *){address:#x} == {code:#x}")
    gdb.execute("continue")
    gdb.execute("delete")
with open(os.environ["OUT"], "w") as out:
    for _ in range(steps):
        rip = int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF
        cr3 = int(gdb.parse_and_eval("$cr3")) & 0xFFFFFFFFFFFFF000
        other = (path_cr3s is not None and rip < 0xFFFF800000000000 and
                 cr3 not in path_cr3s)
        if spin_start <= rip < spin_end or other:
            out.write(f"{rip:x} {cr3:x}\n")
            gdb.execute(f"hbreak *{trap:#x}", to_string=True)
            gdb.execute("continue", to_string=True)
            gdb.execute("delete", to_string=True)
            continue
        out.write(f"{rip:x} {cr3:x}\n")
        gdb.execute("stepi", to_string=True)
gdb.execute("kill")
