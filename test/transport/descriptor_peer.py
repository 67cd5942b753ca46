# An independent peer for descriptor-passing.test.ts: the standard library's socket.send_fds and
# recv_fds (Python 3.9+) on the UNIX stream socket it inherits as descriptor 3.
#  1. sends the write end of a pipe of its own, with one byte;
#  2. receives a descriptor from ioreactor and writes "via python" into it;
#  3. prints what ioreactor wrote into its pipe (read to end of file: every copy was closed).
import os
import socket
import sys

if not hasattr(socket, "send_fds"):
    sys.exit(3)

peer = socket.socket(fileno=3)
peer.setblocking(True)  # inherited non-blocking from the socketpair; its own end, so ours is unaffected
read_end, write_end = os.pipe()
socket.send_fds(peer, [b"P"], [write_end])
os.close(write_end)

message, fds, _flags, _address = socket.recv_fds(peer, 16, 4)
for fd in fds:
    os.write(fd, b"via python")
    os.close(fd)

chunks = []
while True:
    chunk = os.read(read_end, 4096)
    if not chunk:
        break
    chunks.append(chunk)
os.close(read_end)
sys.stdout.write(b"".join(chunks).decode() + " " + message.decode() + " " + str(len(fds)))
peer.close()
