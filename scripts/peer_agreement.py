#!/usr/bin/env python3
"""Which addresses a default fail2ban sshd jail would ban in a log, and what Tripline says
about each, side by side (issue 15).

    python3 scripts/peer_agreement.py LOG [--year 2025] [--binary .build/release/tripline] [--mode normal]

fail2ban: `fail2ban-regex --raw -o row LOG sshd[mode=MODE]` lists every failure it matches; the
default jail (maxretry 5, findtime 10 min, bantime 10 min; failures during a ban do not count) is
simulated over them. Tripline: `tripline train` on the same log (as a user would; the incidents
in it are left out of the model), then `tripline analyze --output json`. Prints, per address
fail2ban bans, Tripline's worst finding for it, then the addresses only Tripline flags at medium
or above, and a summary line for BENCHMARKS.md.
"""
import argparse, ast, collections, json, os, subprocess, sys, tempfile

RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def fail2ban_bans(log, year, mode):
    cmd = ["fail2ban-regex", "--raw", "-o", "row"]
    if year:
        # fail2ban has no year option: the filter's date pattern takes the file's year from
        # the current one; the rows' times are only compared with each other.
        pass
    cmd += [log, f"sshd[mode={mode}]"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    failures = collections.defaultdict(list)
    for line in out.splitlines():
        line = line.strip().rstrip(",")
        if not line.startswith("["):
            continue
        try:
            row = ast.literal_eval(line.replace("\t", " "))
        except Exception:
            continue
        ip, t = row[0], float(row[1])
        failures[ip].append(t)
    bans = {}
    for ip, times in failures.items():
        times.sort()
        window, banned_until, n = [], -1.0, 0
        for t in times:
            if t < banned_until:
                continue
            window = [x for x in window if x > t - 600] + [t]
            if len(window) >= 5:
                n += 1
                banned_until = t + 600
                window = []
        if n:
            bans[ip] = (n, len(times))
    return bans, sum(len(v) for v in failures.values())


def tripline(binary, log, year):
    with tempfile.TemporaryDirectory() as d:
        extra = ["--year", str(year)] if year else []
        subprocess.run([binary, "train", "--data-path", log, "--model-dir", d] + extra, capture_output=True, check=True, timeout=1800)
        out = subprocess.run([binary, "analyze", log, "--model-dir", d, "--output", "json"] + extra,
                             capture_output=True, text=True, timeout=1800).stdout
    doc = json.loads(out)
    worst = {}
    for a in doc["anomalies"]:
        ip = a.get("source_ip")
        if not ip:
            continue
        cur = worst.get(ip)
        if cur is None or RANK[a["severity"]] > RANK[cur["severity"]]:
            worst[ip] = a
    return worst, doc


def main():
    p = argparse.ArgumentParser()
    p.add_argument("log")
    p.add_argument("--year", type=int)
    p.add_argument("--binary", default=".build/release/tripline")
    p.add_argument("--mode", default="normal")
    a = p.parse_args()
    log = os.path.abspath(a.log)
    bans, matched = fail2ban_bans(log, a.year, a.mode)
    worst, doc = tripline(a.binary, log, a.year)
    print(f"{a.log}: fail2ban ({a.mode}) matched {matched} failures, its default jail bans {len(bans)} addresses")
    agree = 0
    for ip, (n, fails) in sorted(bans.items(), key=lambda kv: -kv[1][1]):
        w = worst.get(ip)
        mark = "flagged" if w and RANK[w["severity"]] >= 1 else "not at medium+"
        if w and RANK[w["severity"]] >= 1:
            agree += 1
        what = f"{w['severity']} {w['kind']}: {w['reasons'][0]}" if w else "nothing"
        print(f"  ban  {ip:<18} {fails:>4} failures, {n} ban(s) | Tripline {mark}: {what[:150]}")
    others = [(ip, w) for ip, w in worst.items() if ip not in bans and RANK[w["severity"]] >= 1]
    for ip, w in sorted(others, key=lambda kv: -RANK[kv[1]["severity"]]):
        print(f"  only {ip:<18} Tripline {w['severity']} {w['kind']}: {w['reasons'][0][:150]}")
    print(f"SUMMARY {os.path.basename(a.log)}: fail2ban bans {len(bans)}; Tripline flags {agree} of them at medium+; "
          f"{len(others)} more addresses at medium+; {len(doc['anomalies'])} anomalies in all")


if __name__ == "__main__":
    main()
