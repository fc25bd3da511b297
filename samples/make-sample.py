#!/usr/bin/python3
"""Writes samples/sample.pcap: the built-in demo capture for `pppoeproxy sessions --read`.

Two sessions on one line, as on an NTT FLET'S line with two routers:
  * session 0x1a2b: full discovery, LCP, PAP, IPCP, data, echoes - a healthy session;
  * session 0x0042: only the AC's unanswered LCP Echo-Requests - a ghost left by a router
    that lost power without sending a PADT.
Deterministic (fixed times), so the file in git only changes when this script does.
"""
import sys
from scapy.all import Ether, PPPoED, PPPoE, PPP, PPP_LCP, PPP_LCP_Echo, PPP_LCP_Configure, PPP_PAP_Request, PPP_PAP_Response, PPP_IPCP, IP, UDP, Raw, wrpcap
from scapy.layers.ppp import PPPoED_Tags, PPPoETag

AC = "00:1b:21:aa:00:01"
ROUTER = "02:00:5e:10:00:01"
DEAD = "02:00:5e:10:00:02"
HOST_UNIQ = b"\x12\x34\x56\x78"

def tags(*pairs):
    return PPPoED_Tags(tag_list=[PPPoETag(tag_type=t, tag_value=v) for t, v in pairs])

frames = []
t = 1763700000.0
def add(pkt, dt=0.01):
    global t
    t += dt
    pkt.time = t
    frames.append(pkt)

sid = 0x1a2b
add(Ether(src=ROUTER, dst="ff:ff:ff:ff:ff:ff") / PPPoED(code=0x09, sessionid=0) / tags((0x0101, b"internet"), (0x0103, HOST_UNIQ)))
add(Ether(src=AC, dst=ROUTER) / PPPoED(code=0x07, sessionid=0) / tags((0x0101, b"internet"), (0x0102, b"BRAS01-TOKYO"), (0x0104, bytes(range(16))), (0x0103, HOST_UNIQ)))
add(Ether(src=ROUTER, dst=AC) / PPPoED(code=0x19, sessionid=0) / tags((0x0101, b"internet"), (0x0104, bytes(range(16))), (0x0103, HOST_UNIQ)))
add(Ether(src=AC, dst=ROUTER) / PPPoED(code=0x65, sessionid=sid) / tags((0x0101, b"internet"), (0x0103, HOST_UNIQ)))
add(Ether(src=ROUTER, dst=AC) / PPPoE(sessionid=sid) / PPP(proto=0xc021) / PPP_LCP_Configure(code=1, id=1, options=[]))
add(Ether(src=AC, dst=ROUTER) / PPPoE(sessionid=sid) / PPP(proto=0xc021) / PPP_LCP_Configure(code=1, id=7, options=[]))
add(Ether(src=AC, dst=ROUTER) / PPPoE(sessionid=sid) / PPP(proto=0xc021) / PPP_LCP_Configure(code=2, id=1, options=[]))
add(Ether(src=ROUTER, dst=AC) / PPPoE(sessionid=sid) / PPP(proto=0xc021) / PPP_LCP_Configure(code=2, id=7, options=[]))
add(Ether(src=ROUTER, dst=AC) / PPPoE(sessionid=sid) / PPP(proto=0xc023) / PPP_PAP_Request(id=1, username=b"user@flets", password=b"not-a-real-secret"))
add(Ether(src=AC, dst=ROUTER) / PPPoE(sessionid=sid) / PPP(proto=0xc023) / PPP_PAP_Response(code=2, id=1, message=b"welcome"))
add(Ether(src=ROUTER, dst=AC) / PPPoE(sessionid=sid) / PPP(proto=0x8021) / PPP_IPCP(code=1, id=1, options=[]))
add(Ether(src=AC, dst=ROUTER) / PPPoE(sessionid=sid) / PPP(proto=0x8021) / PPP_IPCP(code=2, id=1, options=[]))
for i in range(5):
    add(Ether(src=ROUTER, dst=AC) / PPPoE(sessionid=sid) / PPP(proto=0x0021) / IP(src="198.51.100.7", dst="203.0.113.9") / UDP(sport=40000 + i, dport=9999) / Raw(b"q" * 20))
    add(Ether(src=AC, dst=ROUTER) / PPPoE(sessionid=sid) / PPP(proto=0x0021) / IP(src="203.0.113.9", dst="198.51.100.7") / UDP(sport=9999, dport=40000 + i) / Raw(b"a" * 40))
add(Ether(src=AC, dst=ROUTER) / PPPoE(sessionid=sid) / PPP(proto=0xc021) / PPP_LCP_Echo(code=9, id=3, magic_number=0x11223344), dt=1)
add(Ether(src=ROUTER, dst=AC) / PPPoE(sessionid=sid) / PPP(proto=0xc021) / PPP_LCP_Echo(code=10, id=3, magic_number=0x55667788))

# The ghost: the AC keeps probing a router that is gone; nobody answers.
for i in range(4):
    add(Ether(src=AC, dst=DEAD) / PPPoE(sessionid=0x0042) / PPP(proto=0xc021) / PPP_LCP_Echo(code=9, id=40 + i, magic_number=0x0a0b0c0d), dt=10)

wrpcap(sys.argv[1] if len(sys.argv) > 1 else "sample.pcap", frames)
