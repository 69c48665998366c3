#!/usr/bin/python3
"""Hands an open file to another process over a unix socket (SCM_RIGHTS),
the way one user can give another a namespace's fd.

  pass_fd.py receive SOCKET CMD...  listens on SOCKET, takes one fd, runs CMD
                                    with it as fd 3 (so CMD may name it
                                    /proc/self/fd/3); exits with CMD's status
  pass_fd.py send SOCKET FILE       opens FILE and passes it to SOCKET
"""
import os
import socket
import subprocess
import sys
import time


def receive(path, cmd):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    os.chmod(path, 0o777)
    srv.listen(1)
    srv.settimeout(20)
    conn, _ = srv.accept()
    _, fds, _, _ = socket.recv_fds(conn, 1, 1)
    if len(fds) != 1:
        sys.exit("pass_fd.py: no fd came")
    os.dup2(fds[0], 3, inheritable=True)
    return subprocess.run(cmd, pass_fds=(3,), check=False).returncode


def send(path, file):
    fd = os.open(file, os.O_RDONLY | os.O_CLOEXEC)
    for _ in range(200):  # the receiver may still be binding: at most 10 s
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            break
        except OSError:
            s.close()
            time.sleep(0.05)
    else:
        sys.exit("pass_fd.py: nobody listens on " + path)
    socket.send_fds(s, [b"x"], [fd])
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "receive":
        sys.exit(receive(sys.argv[2], sys.argv[3:]))
    if len(sys.argv) == 4 and sys.argv[1] == "send":
        sys.exit(send(sys.argv[2], sys.argv[3]))
    sys.exit(__doc__)
