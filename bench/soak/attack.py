#!/usr/bin/python3
"""Hostile peer for the daemon soak (bench/soak/run.sh): what the issue-12 probe did, for minutes.

Speaks wire protocol v1 in plain text (the server runs --insecure) to HOST:PORT, from loopback only.
Modes run side by side, each in its own thread; every 10 s one JSON line of counters goes to stdout.
  churn N      N connects per second: hello, then close
  idle N       keep N tunnels that finish the hello and then say nothing (reopened when closed)
  slow N       keep N connections that never send a byte (slowloris)
  sessions N   one tunnel sending session frames with a new session id each, N per second
  padi N       one tunnel sending PADIs from a new random unicast MAC each, N per second
  garbage N    one tunnel sending malformed frames, N per second
"""
import json, os, random, socket, struct, sys, threading, time

HOST, PORT = sys.argv[1], int(sys.argv[2])
AC_MAC = bytes.fromhex(sys.argv[3].replace(":", ""))
MODES = [(sys.argv[i], int(sys.argv[i + 1])) for i in range(4, len(sys.argv), 2)]
MODE_INDEX = {"churn": 0, "idle": 1, "slow": 2}
SENDER_SOURCES = {"sessions": "127.30.0.1", "padi": "127.30.0.2", "garbage": "127.30.0.3"}
stats = {"connects": 0, "accepted": 0, "refused": 0, "errors": 0, "frames": 0}
lock = threading.Lock()


def count(key, n=1):
    with lock:
        stats[key] += n


def hello(name=b"soak"):
    return b"PPXY" + struct.pack(">HBB", 1, 0, len(name)) + name


def source(mode):
    """A 127.x address per connection: from one address the per-source limit (4 tunnels) kept most modes,
    the frame senders included, from ever getting a tunnel. The senders keep one address each."""
    if mode in SENDER_SOURCES:
        return SENDER_SOURCES[mode]
    return f"127.{20 + MODE_INDEX[mode]}.{random.randrange(256)}.{random.randrange(1, 255)}"


def connect(send_hello=True, mode="churn"):
    src = source(mode) if HOST.startswith("127.") else None
    s = socket.create_connection((HOST, PORT), timeout=5, source_address=(src, 0) if src else None)
    count("connects")
    if not send_hello:
        return s
    s.sendall(hello())
    reply = s.recv(8)
    if len(reply) == 8 and reply[6] == 0:
        count("accepted")
        return s
    count("refused")
    s.close()
    return None


def frame_record(frame):
    return struct.pack(">BBH", 1, 0, len(frame)) + frame


def churn(rate):
    while True:
        t = time.monotonic()
        try:
            s = connect(mode="churn")
            if s: s.close()
        except OSError:
            count("errors")
        time.sleep(max(0, 1 / rate - (time.monotonic() - t)))


def keep(n, send_hello):
    held = []
    while True:
        held = [s for s in held if alive(s)]
        while len(held) < n:
            try:
                s = connect(send_hello, mode="idle" if send_hello else "slow")
            except OSError:
                count("errors"); break
            if s is None: break
            held.append(s)
        time.sleep(1)


def alive(s):
    try:
        s.setblocking(False)
        data = s.recv(4096)
        if data == b"":
            s.close(); return False
        return True
    except BlockingIOError:
        return True
    except OSError:
        s.close(); return False


def sender(rate, make, mac_byte, mode):
    src = bytes([0x02, 0x50, 0x58, 0x59, 0x00, mac_byte])  # each sending tunnel speaks for its own MAC
    s = None
    i = 0
    while True:
        if s is None:
            try:
                s = connect(mode=mode)
            except OSError:
                count("errors")
            if s is None:
                time.sleep(1); continue
        t = time.monotonic()
        batch = b"".join(frame_record(make(src, i + k)) for k in range(max(1, rate // 100)))
        i += max(1, rate // 100)
        try:
            s.sendall(batch); count("frames", max(1, rate // 100))
            alive(s)
            s.setblocking(True)
        except OSError:
            s = None
        time.sleep(max(0, 0.01 - (time.monotonic() - t)))


def session_frame(src, i):
    lcp = struct.pack(">HBBH", 0xC021, 9, 1, 8) + b"\0\0\0\0"  # LCP Echo-Request
    return AC_MAC + src + struct.pack(">HBBHH", 0x8864, 0x11, 0, 1 + i % 65534, len(lcp)) + lcp


def padi_frame(_src, i):
    mac = bytes([0x02]) + random.randbytes(5)
    tags = struct.pack(">HH", 0x0101, 0)
    return b"\xff" * 6 + mac + struct.pack(">HBBHH", 0x8863, 0x11, 0x09, 0, len(tags)) + tags


def garbage_frame(src, i):
    kind = i % 4
    if kind == 0:  # PPPoE length past the frame end
        return AC_MAC + src + struct.pack(">HBBHH", 0x8864, 0x11, 0, 7, 1400) + b"\xc0\x21"
    if kind == 1:  # PADI tag past the end
        return b"\xff" * 6 + src + struct.pack(">HBBHH", 0x8863, 0x11, 0x09, 0, 8) + struct.pack(">HH", 0x0101, 200) + b"xxxx"
    if kind == 2:  # non-zero code on a session frame
        return AC_MAC + src + struct.pack(">HBBHH", 0x8864, 0x11, 0xA7, 7, 2) + b"\xc0\x21"
    return AC_MAC + src + struct.pack(">HBBHH", 0x8863, 0x11, 0x5A, 7, 0)  # unknown discovery code


workers = {"churn": churn, "idle": lambda n: keep(n, True), "slow": lambda n: keep(n, False),
           "sessions": lambda n: sender(n, session_frame, 1, "sessions"), "padi": lambda n: sender(n, padi_frame, 2, "padi"),
           "garbage": lambda n: sender(n, garbage_frame, 3, "garbage")}
# The frame senders first: once the floods hold every tunnel slot (--max-tunnels) they would get none.
for mode, n in sorted(MODES, key=lambda m: m[0] not in SENDER_SOURCES):
    threading.Thread(target=workers[mode], args=(n,), daemon=True).start()
    if mode in SENDER_SOURCES: time.sleep(0.5)
while True:
    time.sleep(10)
    with lock:
        print(json.dumps(stats), flush=True)
