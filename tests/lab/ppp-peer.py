#!/usr/bin/python3
"""Minimal PPP peer (LCP, PAP, IPCP) over async-HDLC for the PppoeProxy netns lab.

Stands in for pppd, which cannot run here (no /dev/ppp). It runs a pppd-style
`pty` command (an rp-pppoe `pppoe` process) and speaks RFC 1662 framed PPP on
that child's stdin/stdout.

  --role ac      used as `pppoe-server -q` program. pppoe-server passes pppd
                 arguments: `pty "CMD" file OPTS LOCAL:REMOTE nodetach ...`.
                 It starts us with fds 0-2 CLOSED, so never touch stdio.
                 Reads `logdir DIR`, `lcp-echo-interval N`, `require-pap`, `mru N` from
                 the OPTS file (the `-O` file given to pppoe-server).
  --role client  --pty-cmd "pppoe -I IF ...": the home (CPE) side.

Logs go to --log / $PPX_PEER_LOG (ac: DIR/ac-SID-PID.log). Lines tests rely on:
  SESSION sid=N peer=MAC pid=P child=C     LCP OPENED     PAP ACKED
  IPCP OPENED local=A remote=B             EXIT reason=...
"""
import argparse, os, re, select, shlex, signal, struct, subprocess, sys, time

# Keep fds 0-2 occupied so files we open never land on them (pppoe-server closes them).
for _fd in range(3):
    try:
        os.fstat(_fd)
    except OSError:
        os.open(os.devnull, os.O_RDWR)

LCP, PAP, IPCP = 0xC021, 0xC023, 0x8021
CONF_REQ, CONF_ACK, CONF_NAK, CONF_REJ, TERM_REQ, TERM_ACK, CODE_REJ, PROTO_REJ, \
    ECHO_REQ, ECHO_REP, DISC_REQ = range(1, 12)

LOG = None


def log(msg):
    if LOG:
        LOG.write("%.3f %s\n" % (time.time(), msg))
        LOG.flush()


# ---- RFC 1662 framing -------------------------------------------------------
def _fcs_table():
    t = []
    for b in range(256):
        v = b
        for _ in range(8):
            v = (v >> 1) ^ 0x8408 if v & 1 else v >> 1
        t.append(v)
    return t


FCSTAB = _fcs_table()


def fcs16(data, fcs=0xFFFF):
    for b in data:
        fcs = (fcs >> 8) ^ FCSTAB[(fcs ^ b) & 0xFF]
    return fcs


def hdlc_encode(proto, payload):
    body = b"\xff\x03" + struct.pack(">H", proto) + payload  # noaccomp/nopcomp
    body += struct.pack("<H", fcs16(body) ^ 0xFFFF)
    out = bytearray(b"\x7e")
    for b in body:  # default asyncmap: escape all control chars
        if b < 0x20 or b in (0x7D, 0x7E):
            out += bytes((0x7D, b ^ 0x20))
        else:
            out.append(b)
    out.append(0x7E)
    return bytes(out)


class Deframer:
    def __init__(self):
        self.buf, self.esc = bytearray(), False

    def feed(self, data):
        frames = []
        for b in data:
            if b == 0x7E:
                if len(self.buf) >= 4:
                    frames.append(bytes(self.buf))
                self.buf, self.esc = bytearray(), False
            elif b == 0x7D:
                self.esc = True
            else:
                self.buf.append(b ^ 0x20 if self.esc else b)
                self.esc = False
        out = []
        for f in frames:
            if fcs16(f) != 0xF0B8:
                log("RX bad FCS len=%d" % len(f))
                continue
            f = f[:-2]
            if f[:2] == b"\xff\x03":
                f = f[2:]
            if f[0] & 1:  # compressed 1-byte protocol field
                proto, f = f[0], f[1:]
            else:
                proto, f = struct.unpack(">H", f[:2])[0], f[2:]
            out.append((proto, f))
        return out


def opts_parse(data):
    res = []
    while len(data) >= 2 and data[1] >= 2:
        res.append((data[0], data[2:data[1]]))
        data = data[data[1]:]
    return res


def opts_build(opts):
    return b"".join(bytes((t, len(v) + 2)) + v for t, v in opts)


# ---- the peer ---------------------------------------------------------------
class Peer:
    def __init__(self, a, child):
        self.a, self.child, self.fr = a, child, Deframer()
        self.magic = struct.unpack(">I", os.urandom(4))[0] | 1
        self.ident = 0
        self.lcp_opts = [(1, struct.pack(">H", a.mru)), (5, struct.pack(">I", self.magic))]
        if a.role == "ac" and a.require_pap:
            self.lcp_opts.insert(1, (3, struct.pack(">H", PAP)))
        self.lcp = {"acked": False, "ack_sent": False, "open": False, "next": 0.0}
        self.ipcp_opts = [(3, bytes(map(int, a.local_ip.split("."))))]
        self.ipcp = {"acked": False, "ack_sent": False, "open": False, "next": 0.0}
        self.peer_wants_pap = False
        self.pap = {"done": True, "next": 0.0}  # client re-arms it once LCP opens
        self.next_echo = 0.0
        self.echo_sent = self.echo_replies = 0

    def send(self, proto, code, ident, data=b""):
        pkt = struct.pack(">BBH", code, ident, 4 + len(data)) + data
        try:
            os.write(self.child.stdin.fileno(), hdlc_encode(proto, pkt))
        except OSError as e:
            log("TX failed: %s" % e)

    def nid(self):
        self.ident = (self.ident + 1) & 0xFF
        return self.ident

    def tick(self, now):
        if not self.lcp["acked"] and now >= self.lcp["next"]:
            self.send(LCP, CONF_REQ, self.nid(), opts_build(self.lcp_opts))
            self.lcp["next"] = now + 1.0
        if not self.lcp["open"]:
            return
        if self.a.echo_interval > 0 and now >= self.next_echo:
            self.send(LCP, ECHO_REQ, self.nid(), struct.pack(">I", self.magic))
            self.echo_sent += 1
            self.next_echo = now + self.a.echo_interval
        if not self.pap["done"] and now >= self.pap["next"]:
            u, p = self.a.pap_user.encode(), self.a.pap_password.encode()
            self.send(PAP, 1, self.nid(), bytes((len(u),)) + u + bytes((len(p),)) + p)
            self.pap["next"] = now + 1.0
        if self.a.ipcp and self.pap["done"] and not self.ipcp["acked"] and now >= self.ipcp["next"]:
            self.send(IPCP, CONF_REQ, self.nid(), opts_build(self.ipcp_opts))
            self.ipcp["next"] = now + 1.0

    def handle(self, proto, pkt):
        if len(pkt) < 4:
            return
        code, ident, ln = struct.unpack(">BBH", pkt[:4])
        data = pkt[4:ln]
        if proto == LCP:
            self.on_lcp(code, ident, data)
        elif proto == PAP:
            self.on_pap(code, ident, data)
        elif proto == IPCP:
            self.on_ipcp(code, ident, data)
        else:  # e.g. IPv6CP/CCP: reject like pppd does
            log("RX proto 0x%04x -> Protocol-Reject" % proto)
            # RFC 1661 5.7: the rejected packet is truncated to fit the MRU (a full-size one would not fit
            # PPPoE's 1492 with the reject's 6 bytes on top, and pppoe would end the session).
            self.send(LCP, PROTO_REJ, self.nid(), struct.pack(">H", proto) + pkt[:1400])

    def on_lcp(self, code, ident, data):
        s = self.lcp
        if code == CONF_REQ:
            opts = opts_parse(data)
            self.peer_wants_pap = any(t == 3 and v[:2] == b"\xc0\x23" for t, v in opts)
            self.send(LCP, CONF_ACK, ident, data)  # accept whatever the peer asks
            s["ack_sent"] = True
            log("LCP RX Conf-Req %s -> Ack" % [(t, v.hex()) for t, v in opts])
        elif code == CONF_ACK:
            s["acked"] = True
            log("LCP RX Conf-Ack")
        elif code in (CONF_NAK, CONF_REJ):
            got = dict(opts_parse(data))
            if code == CONF_REJ:
                self.lcp_opts = [(t, v) for t, v in self.lcp_opts if t not in got]
            else:
                self.lcp_opts = [(t, got.get(t, v)) for t, v in self.lcp_opts]
            s["next"] = 0.0
            log("LCP RX %s %s" % ("Rej" if code == CONF_REJ else "Nak", sorted(got)))
        elif code == ECHO_REQ:
            self.send(LCP, ECHO_REP, ident, struct.pack(">I", self.magic) + data[4:])
            log("LCP RX Echo-Req id=%d -> Reply" % ident)
        elif code == ECHO_REP:
            self.echo_replies += 1
        elif code == TERM_REQ:
            self.send(LCP, TERM_ACK, ident)
            log("LCP RX Terminate-Request -> Ack")
            raise SystemExit("peer-terminate")
        elif code in (TERM_ACK, CODE_REJ, PROTO_REJ, DISC_REQ):
            log("LCP RX code %d" % code)
        else:
            self.send(LCP, CODE_REJ, self.nid(), struct.pack(">BBH", code, ident, 4 + len(data)) + data)
        if s["acked"] and s["ack_sent"] and not s["open"]:
            s["open"] = True
            self.next_echo = time.time() + self.a.echo_interval
            log("LCP OPENED magic=%08x" % self.magic)
            if self.a.role == "client" and (self.a.pap or self.peer_wants_pap):
                self.pap["done"] = False

    def on_pap(self, code, ident, data):
        if code == 1 and self.a.role == "ac":
            ul = data[0] if data else 0
            user = data[1:1 + ul].decode(errors="replace")
            msg = b"Login ok"
            self.send(PAP, 2, ident, bytes((len(msg),)) + msg)
            log("PAP RX Authenticate-Request user=%s -> Ack" % user)
        elif code == 2 and not self.pap["done"]:
            self.pap["done"] = True
            log("PAP ACKED")
        elif code == 3:
            log("PAP NAKED")
            raise SystemExit("pap-nak")

    def on_ipcp(self, code, ident, data):
        s = self.ipcp
        if code == CONF_REQ:
            self.a.ipcp = True  # AC side: answer the client's IPCP with our own
            opts = opts_parse(data)
            addr = dict(opts).get(3, b"\0\0\0\0")
            if self.a.role == "ac" and addr == b"\0\0\0\0":
                want = bytes(map(int, self.a.remote_ip.split(".")))
                self.send(IPCP, CONF_NAK, ident, opts_build([(3, want)]))
                log("IPCP RX Conf-Req 0.0.0.0 -> Nak %s" % self.a.remote_ip)
                return
            self.send(IPCP, CONF_ACK, ident, data)
            s["ack_sent"], s["peer"] = True, ".".join(map(str, addr))
        elif code == CONF_ACK:
            s["acked"] = True
        elif code == CONF_NAK:
            got = dict(opts_parse(data))
            if 3 in got:
                self.ipcp_opts = [(3, got[3])]
                self.a.local_ip = ".".join(map(str, got[3]))
            s["next"] = 0.0
        elif code == CONF_REJ:
            s["acked"] = True  # nothing left to negotiate
        elif code == TERM_REQ:
            self.send(IPCP, TERM_ACK, ident)
        if s["acked"] and s["ack_sent"] and not s["open"]:
            s["open"] = True
            log("IPCP OPENED local=%s remote=%s" % (self.a.local_ip, s.get("peer")))


def parse_pppd_args(a, rest):
    """pppoe-server passes: pty CMD file OPTS LOCAL:REMOTE nodetach ... mru N."""
    i = 0
    while i < len(rest):
        w = rest[i]
        if w == "pty" and i + 1 < len(rest):
            a.pty_cmd = rest[i + 1]; i += 1
        elif w == "file" and i + 1 < len(rest):
            a.options_file = rest[i + 1]; i += 1
        elif re.match(r"^[\d.]*:[\d.]*$", w):
            l, r = w.split(":")
            a.local_ip, a.remote_ip = l or a.local_ip, r or a.remote_ip
        i += 1
    if a.options_file and os.path.exists(a.options_file):
        for line in open(a.options_file):
            p = line.split("#")[0].split()
            if p and p[0] == "logdir" and len(p) > 1:
                a.logdir = p[1]
            elif p and p[0] == "lcp-echo-interval" and len(p) > 1:
                a.echo_interval = float(p[1])
            elif p and p[0] == "require-pap":
                a.require_pap = True
            elif p and p[0] == "mru" and len(p) > 1:
                a.mru = int(p[1])


def main():
    global LOG
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--role", choices=["ac", "client"], default="ac")
    ap.add_argument("--pty-cmd", help="command speaking HDLC PPP on stdin/stdout")
    ap.add_argument("--log", default=os.environ.get("PPX_PEER_LOG"))
    ap.add_argument("--pidfile", help="write 'SCRIPT_PID CHILD_PID' here")
    ap.add_argument("--pap", action="store_true", help="client: authenticate with PAP after LCP")
    ap.add_argument("--pap-user", default="user")
    ap.add_argument("--pap-password", default="secret")
    ap.add_argument("--ipcp", action="store_true", help="client: negotiate IPCP after LCP/PAP")
    ap.add_argument("--echo-interval", type=float, default=None, help="LCP echo seconds (ac default 1, client 0=off)")
    ap.add_argument("--require-pap", action="store_true", help="ac: ask for PAP in LCP")
    ap.add_argument("--mru", type=int, default=1492, help="the MRU we ask for in LCP (ac: 'mru N' in the OPTS file)")
    a, rest = ap.parse_known_args()
    a.options_file, a.logdir, a.local_ip, a.remote_ip = None, None, "0.0.0.0", "10.67.15.1"
    if a.role == "ac":
        a.local_ip = "10.0.0.1"
        parse_pppd_args(a, rest)
    if a.echo_interval is None:
        a.echo_interval = 1.0 if a.role == "ac" else 0.0
    if not a.pty_cmd:
        ap.error("no pty command (--pty-cmd, or pppd-style 'pty CMD')")

    m = re.search(r"-e\s+(\d+):([0-9a-fA-F:]{17})", a.pty_cmd)
    sid, peer = (int(m.group(1)), m.group(2).lower()) if m else (None, None)
    if not a.log and a.logdir:
        # pid in the name: pppoe-server reuses session ids, each instance needs its own log.
        a.log = os.path.join(a.logdir, "ac-%s-%d.log" % (sid, os.getpid()))
    if a.log:
        LOG = open(a.log, "a", buffering=1)
    log("START role=%s argv=%s" % (a.role, sys.argv[1:]))

    # exec: the child pid is pppoe itself, so the lab can SIGKILL it directly.
    errf = LOG if LOG else subprocess.DEVNULL
    child = subprocess.Popen(["/bin/sh", "-c", "exec " + a.pty_cmd], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=errf, bufsize=0)
    log("SESSION sid=%s peer=%s pid=%d child=%d" % (sid, peer, os.getpid(), child.pid))
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write("%d %d\n" % (os.getpid(), child.pid))

    def on_signal(signum, _frame):
        # pppoe-server may signal again (one SIGTERM per PADT it sees); finish cleanup once.
        for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(s, signal.SIG_IGN)
        raise SystemExit("signal %d" % signum)
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, on_signal)

    peer_obj, reason = Peer(a, child), "child-exit"
    try:
        fd = child.stdout.fileno()
        while True:
            peer_obj.tick(time.time())
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                data = os.read(fd, 4096)
                if not data:
                    break  # pppoe exited: PADT, -T timeout, or killed
                for proto, pkt in peer_obj.fr.feed(data):
                    peer_obj.handle(proto, pkt)
    except SystemExit as e:
        reason = str(e.code)
    finally:
        if child.poll() is None:
            # pppoe sends a PADT when it gets SIGTERM, like when pppd hangs up.
            child.terminate()
            try:
                child.wait(3)
            except subprocess.TimeoutExpired:
                child.kill()
        rc = child.wait()
        log("EXIT reason=%s child_rc=%s echo_sent=%d echo_replies=%d" %
            (reason, rc, peer_obj.echo_sent, peer_obj.echo_replies))


if __name__ == "__main__":
    main()
