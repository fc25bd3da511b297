#!/usr/bin/python3
"""Issue 12's connection probes, at the issue's scale, against a real `pppoeproxy server` (root; loopback
and one veth pair of its own, named under PPX_LAB_PREFIX, removed on exit). Prints one JSON line per mode.
  idle      1,000 v1 hellos from 100 sources kept open, close, then a second round of 850 (probe 1)
  legacy    2,000 connects to a legacy (Go-protocol) server from 100 sources (probe 1)
  slow      100 connections from 127.0.0.2 that never send a byte; a client from 127.0.0.1, then from
            127.0.0.2, retries until it is in; what the slow ones were told (probe 2)
  churnlog  2,000 v1 hellos: server log lines for the burst (probe 3)
usage: bench/soak/probe.py [MODE...]   (default: all; PPX_PROXY overrides the Release build's path)"""
import atexit, os, socket, struct, subprocess, sys, time, tempfile, json

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROXY = os.environ.get("PPX_PROXY", os.path.join(REPO, "src/PppoeProxy.Cli/bin/Release/net8.0/pppoeproxy"))
PREFIX = os.environ.get("PPX_LAB_PREFIX", "px")
IFACE = PREFIX + "probe0"
MODES = sys.argv[1:] or ["idle", "legacy", "slow", "churnlog"]
subprocess.run(["ip", "link", "add", IFACE, "type", "veth", "peer", "name", PREFIX + "probe1"], check=True)
atexit.register(lambda: subprocess.run(["ip", "link", "del", IFACE], check=False))
for ifname in (IFACE, PREFIX + "probe1"):
    subprocess.run(["ip", "link", "set", ifname, "up"], check=True)
PORT = 0
work = tempfile.mkdtemp(prefix=PREFIX + "-probe.")
sock_path = os.path.join(work, "s.sock")
env = dict(os.environ, DOTNET_ROLL_FORWARD="Major", DOTNET_CLI_TELEMETRY_OPTOUT="1")

def start(legacy=False, extra=()):
    global PORT
    free = socket.socket(); free.bind(("127.0.0.1", 0)); PORT = free.getsockname()[1]; free.close()
    log = open(os.path.join(work, f"server-{PORT}.log"), "w")
    if legacy:
        args = [PROXY, "-interface", IFACE, "-mode", "server", "-address", f"127.0.0.1:{PORT}", "-allow", "127.0.0.0/8"]
    else:
        args = [PROXY, "server", "-i", IFACE, "--listen", f"127.0.0.1:{PORT}", "--allow", "127.0.0.0/8", "--insecure",
                "--status-socket", sock_path, *extra]
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    for _ in range(200):
        if "listening" in open(log.name).read(): break
        time.sleep(0.1)
    time.sleep(0.5)
    return p, log.name

def field(pid, name):
    for l in open(f"/proc/{pid}/status"):
        if l.startswith(name): return int(l.split()[1])
def rss(pid): return field(pid, "VmRSS:") // 1024
def threads(pid): return field(pid, "Threads:")
def lines(path): return sum(1 for _ in open(path))

def src(i, n=100): return f"127.1.{i % n // 250}.{i % n % 250 + 1}"

def connect(source, timeout=5):
    s = socket.socket(); s.settimeout(timeout)
    if source: s.bind((source, 0))
    s.connect(("127.0.0.1", PORT)); return s

def hello(s, name=b"probe"):
    s.sendall(b"PPXY" + struct.pack(">HBB", 1, 0, len(name)) + name)
    try:
        r = s.recv(8)
    except OSError:
        return None
    return r[6] if len(r) == 8 else None  # status byte: 0 accepted, 5 busy

def told(s):
    s.settimeout(0.5)
    try:
        r = s.recv(64)
        return r[6] if len(r) >= 8 else ("closed" if r == b"" else len(r))
    except socket.timeout:
        return "open, waiting"
    except OSError as e:
        return str(e)

def flood_hellos(n):
    kept, busy, closed = [], 0, 0
    for i in range(n):
        try: s = connect(src(i))
        except OSError: closed += 1; continue
        st = hello(s)
        if st == 0: kept.append(s); continue
        if st == 5: busy += 1
        else: closed += 1
        s.close()
    return kept, busy, closed

def probe(MODE):
    out = {}
    if MODE == "idle":
        p, log = start()
        r0, t0, l0 = rss(p.pid), threads(p.pid), lines(log)
        t = time.monotonic(); kept, busy, closed = flood_hellos(1000); dt = time.monotonic() - t
        time.sleep(1.5)
        out["round1"] = dict(accepted=len(kept), busy=busy, closed_without_reply=closed, secs=round(dt, 1), threads=f"{t0}->{threads(p.pid)}",
                             rss=f"{r0}->{rss(p.pid)}", log_lines=lines(log) - l0)
        for s in kept: s.close()
        time.sleep(2); out["after_close"] = dict(rss=rss(p.pid), threads=threads(p.pid))
        l1 = lines(log); kept, busy, closed = flood_hellos(850); time.sleep(1.5)
        out["round2_850"] = dict(accepted=len(kept), busy=busy, rss=rss(p.pid), threads=threads(p.pid), log_lines=lines(log) - l1)
        for s in kept: s.close()
        time.sleep(2); out["after_close2"] = dict(rss=rss(p.pid), threads=threads(p.pid))
    elif MODE == "legacy":
        p, log = start(legacy=True)
        r0, t0, l0 = rss(p.pid), threads(p.pid), lines(log)
        socks = []
        for i in range(2000):
            try: socks.append(connect(src(i)))
            except OSError: pass
        time.sleep(2)
        def is_open(s):
            s.setblocking(False)
            try: return s.recv(1) != b""
            except BlockingIOError: return True
            except OSError: return False
        out["legacy_2000"] = dict(connected=len(socks), tunnels=sum(is_open(s) for s in socks), rss=f"{r0}->{rss(p.pid)}",
                                  threads=f"{t0}->{threads(p.pid)}", log_lines=lines(log) - l0)
        for s in socks: s.close()
    elif MODE == "slow":
        p, log = start()
        l0 = lines(log)
        slow = [connect("127.0.0.2") for _ in range(100)]
        # legitimate client from another address, then from the attacker's own address
        for name, source in (("other_address", "127.0.0.1"), ("same_address", "127.0.0.2")):
            t = time.monotonic(); st = None
            while time.monotonic() - t < 70:
                try:
                    s = connect(source); st = hello(s, b"legit")
                    if st == 0: s.close(); break
                    s.close()
                except OSError: pass
                time.sleep(0.2)
            out["legit_" + name] = dict(status=st, secs=round(time.monotonic() - t, 2))
        # What the slow ones were told: 5 = Busy, "closed" = dropped at the handshake timeout without a status.
        out["slow_first10_told"] = [told(s) for s in slow[:10]]
        out["slow_last10_told"] = [told(s) for s in slow[90:]]
        time.sleep(1.2); out["log_lines"] = lines(log) - l0
        for s in slow: s.close()
    elif MODE == "churnlog":
        p, log = start()
        l0 = lines(log)
        t = time.monotonic(); kept, busy, closed = flood_hellos(2000); dt = time.monotonic() - t
        time.sleep(1.5)
        out["burst_2000"] = dict(accepted=len(kept), busy=busy, closed=closed, secs=round(dt, 1), log_lines=lines(log) - l0)
        for s in kept: s.close()
    p.terminate(); p.wait(10)
    out["server_exit"] = p.returncode
    return out, log


for mode in MODES:
    result, log = probe(mode)
    print(json.dumps({mode: result, "log": log}), flush=True)
