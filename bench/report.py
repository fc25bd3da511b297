#!/usr/bin/env python3
"""Turns bench/run.sh's results.tsv into the stdout table and bench/results/latest.json."""
import json
import statistics
import sys
from datetime import datetime, timezone

TARGETS = {("plain", 1514): 150_000, ("tls", 1514): 100_000, ("plain", 64): 150_000, ("tls", 64): 150_000}


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def median(values):
    return round(statistics.median(values), 1) if values else None


def parse(path):
    out = {"meta": {}, "rates": [], "latency": {}, "rss": {}, "overload": {}}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        kind = f[0]
        if kind == "meta":
            out["meta"] = {"host": f[1], "cpus": int(f[2]), "load_average_at_start": f[3], "quick": f[4] == "1", "commit": f[5]}
        elif kind == "rate":
            # loss_free_fps is what the generator measurably offered at the best loss-free step;
            # generator_limited: even the top of the search was loss-free, so it is a lower bound.
            out["rates"].append({"path": f[1], "frame_bytes": int(f[2]), "loss_free_fps": int(f[4]),
                                 "search_step_fps": int(f[3]), "loss_pct_at_2x": num(f[5]),
                                 "cpu_us_per_frame_client": num(f[6]), "cpu_us_per_frame_server": num(f[7]),
                                 "generator_limited": f[8] == "1"})
        elif kind == "latency":
            # One line per path: the p50s and p99s of LAT_REPS windows; the medians are the result.
            p50s = [v for v in map(num, f[2].split()) if v is not None]
            p99s = [v for v in map(num, f[3].split()) if v is not None]
            out["latency"][f[1]] = {"p50_us": median(p50s), "p99_us": median(p99s), "echoed": int(f[4] or 0),
                                    "windows": int(f[5]) if len(f) > 5 else 1, "p50_us_each": p50s, "p99_us_each": p99s}
        elif kind == "rss":
            out["rss"][f[1]] = {"client_start_kb": int(f[2]), "server_start_kb": int(f[3]), "client_end_kb": int(f[4]),
                                "server_end_kb": int(f[5]), "samples_client_server_kb": f[6].split(),
                                "soak_fps": int(f[7]), "soak_sent": int(f[8] or 0), "soak_received": int(f[9] or 0)}
        elif kind == "overload":
            out["overload"][f[1]] = {"offered_fps": int(f[2]), "sent": int(f[3] or 0), "received": int(f[4] or 0),
                                     "rss_max_client_kb": int(f[5]), "rss_max_server_kb": int(f[6]),
                                     "drops_before_client": f[7], "drops_before_server": f[8],
                                     "drops_after_client": f[9], "drops_after_server": f[10]}
    return out


def drops_total(text):
    return sum(int(p.split("=")[1]) for p in text.split() if "=" in p)


def main(tsv, json_path):
    r = parse(tsv)
    bridge = {x["frame_bytes"]: x for x in r["rates"] if x["path"] == "bridge"}
    lat_bridge = r["latency"].get("bridge", {})
    for x in r["rates"]:
        b = bridge.get(x["frame_bytes"])
        x["ratio_to_bridge"] = round(x["loss_free_fps"] / b["loss_free_fps"], 3) if b and b["loss_free_fps"] else None
        t = TARGETS.get((x["path"], x["frame_bytes"]))
        x["target_fps"] = t
        x["meets_target"] = None if t is None else x["loss_free_fps"] >= t
    for name, lat in r["latency"].items():
        if name != "bridge" and lat_bridge:
            lat["added_p50_us"] = round(lat["p50_us"] - lat_bridge["p50_us"], 1)
            lat["added_p99_us"] = round(lat["p99_us"] - lat_bridge["p99_us"], 1)
            lat["ratio_p99_to_bridge"] = round(lat["p99_us"] / lat_bridge["p99_us"], 2) if lat_bridge["p99_us"] else None
    lat_relay = r["latency"].get("relay", {})
    for name, lat in r["latency"].items():
        if name not in ("bridge", "relay") and lat_relay.get("p99_us"):
            lat["ratio_p50_to_relay"] = round(lat["p50_us"] / lat_relay["p50_us"], 2)
            lat["ratio_p99_to_relay"] = round(lat["p99_us"] / lat_relay["p99_us"], 2)
    for name, o in r["overload"].items():
        counted = (drops_total(o["drops_after_client"]) - drops_total(o["drops_before_client"])
                   + drops_total(o["drops_after_server"]) - drops_total(o["drops_before_server"]))
        o["lost"] = o["sent"] - o["received"]
        o["counted_drops"] = counted
        o["uncounted"] = o["lost"] - counted
    r["measured_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    r["note"] = "2-core machine; generator, sink and both proxy ends share it. Check load_average_at_start."
    with open(json_path, "w") as fh:
        json.dump(r, fh, indent=2)

    m = r["meta"]
    print(f"\nForwarding speed  host {m.get('host')} ({m.get('cpus')} CPUs), commit {m.get('commit')}, load avg at start {m.get('load_average_at_start')}"
          + (", QUICK run" if m.get("quick") else ""))
    print(f"{'path':7} {'frame':>6} {'loss-free fps':>14} {'x bridge':>9} {'loss @2x':>9} {'cpu us/frame cli':>17} {'srv':>6}  target")
    for x in r["rates"]:
        ratio = f"{x['ratio_to_bridge']:.2f}" if x["ratio_to_bridge"] is not None else "-"
        loss2 = f"{x['loss_pct_at_2x']:.2f}%" if x["loss_pct_at_2x"] is not None else "-"
        cc = f"{x['cpu_us_per_frame_client']:.2f}" if x["path"] != "bridge" else "-"
        cs = f"{x['cpu_us_per_frame_server']:.2f}" if x["path"] != "bridge" else "-"
        tgt = "" if x["target_fps"] is None else (f">= {x['target_fps']:,} " + ("ok" if x["meets_target"] else "MISSED"))
        fps = (">=" if x["generator_limited"] else "") + f"{x['loss_free_fps']:,}"
        print(f"{x['path']:7} {x['frame_bytes']:>6} {fps:>14} {ratio:>9} {loss2:>9} {cc:>17} {cs:>6}  {tgt}")
    print(f"\n{'RTT @1000 fps':13} {'p50 us':>8} {'p99 us':>8} {'added p50':>10} {'added p99':>10} {'x relay p50':>12} {'p99':>6}  p99 of each window")
    for name, lat in r["latency"].items():
        each = " ".join(f"{v:.0f}" for v in lat["p99_us_each"])
        print(f"{name:13} {lat['p50_us']:>8} {lat['p99_us']:>8} {lat.get('added_p50_us', '-'):>10} {lat.get('added_p99_us', '-'):>10}"
              f" {lat.get('ratio_p50_to_relay', '-'):>12} {lat.get('ratio_p99_to_relay', '-'):>6}  {each}")
    print("relay = bench/pxbench.c's one-thread C relay over the same loopback TCP: the floor for a userspace hop here.")
    for name, s in r["rss"].items():
        print(f"\nRSS {name}: client {s['client_start_kb'] // 1024} -> {s['client_end_kb'] // 1024} MB, "
              f"server {s['server_start_kb'] // 1024} -> {s['server_end_kb'] // 1024} MB; soak at {s['soak_fps']:,} fps lost "
              f"{(s['soak_sent'] - s['soak_received']) * 100 / max(s['soak_sent'], 1):.3f} % (samples kB client/server: {' '.join(s['samples_client_server_kb'])})")
    for name, o in r["overload"].items():
        print(f"overload {name}: offered {o['offered_fps']:,} fps (sent {o['sent']:,}), received {o['received']:,}, lost {o['lost']:,}, "
              f"counted by the proxies {o['counted_drops']:,} (uncounted {o['uncounted']:,}); RSS max client {o['rss_max_client_kb'] // 1024} MB "
              f"server {o['rss_max_server_kb'] // 1024} MB; drops now: client [{o['drops_after_client'].strip()}] server [{o['drops_after_server'].strip()}]")
    print("'>=' = loss-free at the top of the search: the generator's limit, a lower bound.")
    print(f"\nJSON: {json_path}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
