#!/usr/bin/env python3
"""Which addresses a default fail2ban sshd jail would ban in a log, and what Tripline says
about each, side by side (issue 15).

    python3 scripts/peer_agreement.py LOG [--year 2025] [--binary .build/release/tripline] [--mode normal] [--crowdsec]

fail2ban: `fail2ban-regex --raw -o row LOG sshd[mode=MODE]` lists every failure it matches; the
default jail (maxretry 5, findtime 10 min, bantime 10 min; failures during a ban do not count) is
simulated over them. Tripline: `tripline train` on the same log (as a user would; the incidents
in it are left out of the model), then `tripline analyze --output json`. Prints, per address
fail2ban bans, Tripline's worst finding for it, then the addresses only Tripline flags at medium
or above, and a summary line for BENCHMARKS.md.

--crowdsec also replays the log through CrowdSec (set up as ../shared/PEERS.md says: its local
database is emptied first, so run it only where CrowdSec serves nothing else) and compares the
addresses its alerts name with Tripline's.
"""
import argparse, ast, collections, json, os, subprocess, sys, tempfile, time

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


def crowdsec_alerts(log):
    """Addresses CrowdSec alerts on, with the scenarios, after a replay of `log`."""
    subprocess.run(["pkill", "-x", "crowdsec"], capture_output=True)
    for f in os.listdir("/var/lib/crowdsec/data"):
        if f.startswith("crowdsec.db"):
            os.remove(os.path.join("/var/lib/crowdsec/data", f))
    subprocess.run(["cscli", "machines", "add", "--auto", "--force"], capture_output=True, check=True)
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as out:
        proc = subprocess.Popen(["crowdsec", "-c", "/etc/crowdsec/config.yaml", "-dsn", f"file://{log}", "-type", "syslog"],
                                stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + 600
        while time.time() < deadline and proc.poll() is None:
            time.sleep(1)
            with open(out.name) as f:
                if "Bucket routine exiting" in f.read():
                    break
        time.sleep(2)
        alerts = json.loads(subprocess.run(["cscli", "alerts", "list", "-l", "0", "-o", "json"], capture_output=True, text=True).stdout or "[]")
        proc.terminate()
        proc.wait()
    by_ip = collections.defaultdict(collections.Counter)
    for a in alerts:
        ip = a.get("source", {}).get("ip")
        if ip:
            by_ip[ip][a.get("scenario", "?").split("/")[-1]] += 1
    return by_ip


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
    p.add_argument("--crowdsec", action="store_true", help="also replay the log through CrowdSec")
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
    if a.crowdsec:
        cs = crowdsec_alerts(log)
        both = 0
        print(f"{a.log}: CrowdSec alerts on {len(cs)} addresses")
        for ip, scen in sorted(cs.items(), key=lambda kv: -sum(kv[1].values())):
            w = worst.get(ip)
            hit = w is not None and RANK[w["severity"]] >= 1
            both += hit
            what = f"{w['severity']} {w['kind']}" if w else "nothing"
            print(f"  crowdsec {ip:<18} {dict(scen)} | Tripline: {what}")
        extra = [ip for ip, w in worst.items() if ip not in cs and RANK[w["severity"]] >= 1]
        for ip in extra:
            w = worst[ip]
            print(f"  only Tripline {ip:<18} {w['severity']} {w['kind']}: {w['reasons'][0][:140]}")
        print(f"SUMMARY-CROWDSEC {os.path.basename(a.log)}: CrowdSec alerts on {len(cs)} addresses; Tripline flags {both} of them at medium+; "
              f"{len(extra)} more addresses at medium+")


if __name__ == "__main__":
    main()
