#!/usr/bin/env python3
"""Table and JSON for bench/impaired/run.sh: report.py RESULTS.tsv OUT.json"""
import json
import sys


def num(s):
    try:
        return float(s)
    except ValueError:
        return None


def main(tsv, out):
    meta, rates, cells, wan = {}, {}, [], {}
    for line in open(tsv):
        f = line.rstrip("\n").split("\t")
        if f[0] == "meta":
            meta = {"host": f[1], "cpus": int(f[2]), "load_average_at_start": f[3], "quick": f[4] == "1",
                    "commit": f[5], "offered_fps": int(f[6]), "frame_bytes": int(f[7]), "trial_s": int(f[8]),
                    "tcp_congestion_control": f[9] if len(f) > 9 else None, "proxy_version": f[10] if len(f) > 10 else None}
        elif f[0] == "rate":
            achieved = int(f[4]) if len(f) > 4 and f[4] else 0
            # generator-limited: the generator fell short of the rate tried, so the figure is what it offered
            rates.setdefault(f[1], {})[int(f[2])] = {"loss_free_fps": int(f[3]), "achieved_fps": achieved,
                                                     "generator_limited": 0 < achieved < int(f[3]) * 0.95,
                                                     "lower_bound": len(f) > 5 and f[5] == "1"}
        elif f[0] in ("wan", "cell", "repeat"):
            sent, uniq = int(f[5] or 0), int(f[6] or 0)
            row = {"kind": f[0], "transport": f[1], "loss_pct": float(f[2]), "rtt_ms": int(f[3]), "sent": sent,
                   "delivered": uniq, "delivered_fraction": round(uniq / sent, 5) if sent else 0.0,
                   "one_way_p50_ms": round(num(f[7]) / 1e3, 2) if num(f[7]) is not None and num(f[7]) >= 0 else None,
                   "one_way_p99_ms": round(num(f[8]) / 1e3, 2) if num(f[8]) is not None and num(f[8]) >= 0 else None,
                   "longest_stall_ms": num(f[9]), "one_way_max_ms": round(num(f[10]) / 1e3, 2) if num(f[10]) else None,
                   "wan_drops_nft_in_cell": int(f[11] or 0),
                   "longest_stall_ontime_ms": num(f[12]) if len(f) > 12 else None}
            if f[0] == "wan":
                wan[row["rtt_ms"]] = row
            else:
                cells.append(row)
    for c in cells:  # added latency: the proxy path's one-way minus the WAN's own at the same RTT
        w = wan.get(c["rtt_ms"])
        for p in ("p50", "p99"):
            v, b = c[f"one_way_{p}_ms"], w and w[f"one_way_{p}_ms"]
            c[f"added_{p}_ms"] = round(v - b, 2) if v is not None and b is not None else None

    lines = []
    lines.append(f"host {meta.get('host')} ({meta.get('cpus')} CPUs, load {meta.get('load_average_at_start')}), "
                 f"commit {meta.get('commit')}{', quick' if meta.get('quick') else ''}; "
                 f"pppoeproxy {meta.get('proxy_version')}; tunnel TCP congestion control {meta.get('tcp_congestion_control')}")
    lines.append("Clean path (no loss, no delay), loss-free rate in frames/s (< 0.01 % lost):")
    lines.append(f"  {'path':<22}{'1514 B':>10}{'64 B':>10}")
    names = {"direct": "WAN alone (no proxy)", "tcp": "tcp (TLS 1.3)", "udp": "udp (DTLS 1.2)"}
    def fig(r):
        if r is None:
            return "-"
        if r["generator_limited"]:
            return f"{r['achieved_fps']}*"
        return ("≥" if r.get("lower_bound") else "") + str(r["loss_free_fps"])
    for k in ("direct", "tcp", "udp"):
        if k in rates:
            lines.append(f"  {names[k]:<22}{fig(rates[k].get(1514)):>10}{fig(rates[k].get(64)):>10}")
    lines.append("  (* the generator could offer no more on this machine; ≥ loss-free at the highest rate tried: lower bounds)")
    ratio = None
    eff = lambda r: r["achieved_fps"] if r["generator_limited"] else r["loss_free_fps"]
    if rates.get("tcp", {}).get(1514) and rates.get("udp", {}).get(1514):
        ratio = round(eff(rates["udp"][1514]) / max(1, eff(rates["tcp"][1514])), 3)
        lines.append(f"  udp/tcp at 1514 B: {ratio} (done-when: >= 0.8)")
    lines.append("")
    lines.append(f"Impaired path: {meta.get('offered_fps')} frames/s of {meta.get('frame_bytes')} B offered for "
                 f"{meta.get('trial_s')} s per cell, each on a fresh tunnel after a warm-up (JIT); delivered = arrived by 5 s after")
    lines.append("  the last frame was sent; latency one way home->AC, added = minus the WAN's own one way at that RTT;")
    lines.append("  stall = the longest time no frame arrived while the generator was sending; on-time stall = the same")
    lines.append("  counting only frames at most 1 s later than the fastest (later ones the TCP inside has given up on)")
    lines.append(f"  WAN alone: " + ", ".join(
        f"RTT {r} ms: one way p50 {w['one_way_p50_ms']} / p99 {w['one_way_p99_ms']} ms, delivered {w['delivered_fraction']}, "
        f"stall {w['longest_stall_ms']} ms"
        for r, w in sorted(wan.items())))
    lines.append(f"  {'transport':<10}{'loss %':>7}{'RTT ms':>7}{'delivered':>11}{'added p50 ms':>14}{'added p99 ms':>14}{'stall ms':>10}{'on-time stall':>15}")
    for c in cells:
        tag = " (repeat)" if c["kind"] == "repeat" else ""
        lines.append(f"  {c['transport']:<10}{c['loss_pct']:>7g}{c['rtt_ms']:>7}{c['delivered_fraction']:>11.4f}"
                     f"{str(c['added_p50_ms']):>14}{str(c['added_p99_ms']):>14}{c['longest_stall_ms']:>10.1f}{c['longest_stall_ontime_ms'] or 0:>15.1f}{tag}")
    key_ratio = {}
    for metric, label in (("longest_stall_ms", "stall"), ("longest_stall_ontime_ms", "on-time stall")):
        key = {t: [c[metric] for c in cells if c["transport"] == t and c["loss_pct"] == 2 and c["rtt_ms"] == 20
                   and c[metric] is not None] for t in ("tcp", "udp")}
        if not (key["tcp"] and key["udp"]):
            continue
        worst = max(key["udp"]) / min(key["tcp"]) if min(key["tcp"]) > 0 else None
        best = min(key["udp"]) / max(key["tcp"]) if max(key["tcp"]) > 0 else None
        key_ratio[metric] = {"tcp_ms": key["tcp"], "udp_ms": key["udp"],
                             "ratio_best": round(best, 4) if best is not None else None,
                             "ratio_worst": round(worst, 4) if worst is not None else None}
        lines.append(("" if metric == "longest_stall_ms" else "") + f"Longest {label} at 2 % loss, 20 ms RTT: tcp {key['tcp']} ms, udp {key['udp']} ms; "
                     f"udp/tcp {key_ratio[metric]['ratio_best']}..{key_ratio[metric]['ratio_worst']} (done-when, on stall: < 0.1)")
    print("\n".join(lines))
    json.dump({"meta": meta, "clean_rates": {k: {str(s): v for s, v in r.items()} for k, r in rates.items()},
               "udp_to_tcp_1514": ratio, "wan_alone": [wan[r] for r in sorted(wan)], "cells": cells,
               "stall_2pct_20ms": key_ratio or None}, open(out, "w"), indent=1)
    print(f"JSON: {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
