#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and presses Ctrl+C once GO_FILE exists.

usage: ctrl-c.py GO_FILE OUT_FILE TIMEOUT_S COMMAND [ARGS...]
pwsh treats Ctrl+C as Ctrl+C only on a terminal; a signal to a redirected pwsh does nothing.
Everything the command prints goes to OUT_FILE; the exit code is the command's (124 on timeout).
"""
import os, pty, select, signal, sys, time

go_file, out_file, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    # A run started in the background by a non-interactive shell (CI, `cmd &`) inherits SIGINT ignored, and
    # .NET keeps an ignored SIGINT ignored: give the child what a terminal user's shell gives it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execvp(sys.argv[4], sys.argv[4:])

deadline = time.time() + timeout
pressed = False
with open(out_file, 'wb') as out:
    while time.time() < deadline:
        if not pressed and os.path.exists(go_file):
            os.write(fd, b'\x03')
            pressed = True
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:  # the command exited and closed the terminal
                break
            if not data:
                break
            # pwsh asks the terminal where the cursor is (progress bars); answer as a terminal would,
            # or it may wait for the reply.
            for _ in range(data.count(b'\x1b[6n')):
                os.write(fd, b'\x1b[1;1R')
            out.write(data)
            out.flush()
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        sys.exit(124)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
