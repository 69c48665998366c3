#!/usr/bin/env python3
"""pty-run SCREEN KEYS COMMAND...: runs COMMAND on a terminal of its own, as
a person at a terminal would: everything it draws is appended to SCREEN, and
whenever the file KEYS appears, what it holds (q when it is empty) is typed
and the file removed.  Ends with COMMAND (its exit status, 128+N for a
signal N), or after 300 s (kills it: a bounded wait)."""
import os
import pty
import select
import signal
import sys
import time

screen, keys, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
deadline = time.time() + 300
with open(screen, "ab", buffering=0) as out:
    while True:
        if time.time() > deadline:
            os.kill(pid, signal.SIGKILL)
            break
        if os.path.exists(keys):
            with open(keys, "rb") as f:
                os.write(fd, f.read() or b"q")
            os.unlink(keys)
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the terminal's last holder closed it
                break
            if not data:
                break
            out.write(data)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.exit(128 - code if code < 0 else code)
