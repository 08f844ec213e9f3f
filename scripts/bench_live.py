#!/usr/bin/env python3
"""Dashboard latency benchmark: lines appended to a followed file -> anomaly on screen.

Runs the real `tripline dashboard` (release build) in tmux on a file this script appends to at
a steady rate (default 10,000 lines/s) with ordinary sshd/PAM/cron traffic from a few hundred
users. Every `--attack-every` seconds it appends a burst of failed logins from a fresh source
address; a second thread polls the pane (`tmux capture-pane`) and notes when that address is
drawn. Latency = time the pane first shows the address - time the burst's write() returned.
At the end it prints p50/p90/p99/max, the attacks seen and missed, and the dashboard process's
CPU time and RSS (from /proc). Tooling only; Tripline never needs Python.

  scripts/bench_live.py --lines 10000000 --rate 10000 --model-dir anomaly_outputs
  scripts/bench_live.py --lines 6000000 --rate 10000 --traffic cardinality   # ten minutes of a flood

With --traffic cardinality the traffic is a cardinality attack (random names from a few
addresses, one name from ever new addresses, logins by new names from new addresses) and the
dashboard's RSS is sampled every --sample-every seconds: it must level off, not climb.
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SOCK = "tripline-bench"


def tmux(*args, capture=False):
    cmd = ["tmux", "-L", SOCK, "-f", "/dev/null", *args]
    if capture:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL).stdout.decode("utf-8", "replace")
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, check=False)
    return ""


def stamp(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06d+00:00" % int((t % 1) * 1e6)


class Traffic:
    """Ordinary auth-log lines: key logins, sessions, cron, the odd typo."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.users = ["user%03d" % i for i in range(300)]
        self.nets = ["10.%d.%d.%d" % (self.r.randrange(1, 30), self.r.randrange(256), self.r.randrange(1, 255)) for _ in range(400)]
        self.pid = 1000

    def line(self, t):
        r = self.r
        self.pid = self.pid + 1 if self.pid < 60000 else 1000
        u = r.choice(self.users)
        host = "srv-%02d" % r.randrange(12)
        ts = stamp(t)
        k = r.random()
        if k < 0.30:
            return f"{ts} {host} sshd[{self.pid}]: Accepted publickey for {u} from {r.choice(self.nets)} port {r.randrange(1024, 65535)} ssh2: ED25519 SHA256:abc"
        if k < 0.55:
            return f"{ts} {host} sshd[{self.pid}]: pam_unix(sshd:session): session opened for user {u}(uid=1000) by (uid=0)"
        if k < 0.80:
            return f"{ts} {host} sshd[{self.pid}]: pam_unix(sshd:session): session closed for user {u}"
        if k < 0.998:
            return f"{ts} {host} CRON[{self.pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"
        # A typo from anywhere in a large office/VPN range (not a brute force).
        ip = "10.%d.%d.%d" % (r.randrange(100, 200), r.randrange(256), r.randrange(1, 255))
        return f"{ts} {host} sshd[{self.pid}]: Failed password for {u} from {ip} port {r.randrange(1024, 65535)} ssh2"


class Flood:
    """A cardinality attack: random account names tried from a few addresses (enumeration),
    one name from ever new addresses (a botnet), and logins by ever new names from ever new
    addresses, so that every table keyed by a name or an address keeps growing."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.pid = 1000
        self.letters = "abcdefghijklmnopqrstuvwxyz0123456789"

    def name(self):
        return "".join(self.r.choice(self.letters) for _ in range(10))

    def address(self):
        r = self.r
        return "%d.%d.%d.%d" % (r.randrange(1, 224), r.randrange(256), r.randrange(256), r.randrange(1, 255))

    def line(self, t):
        r = self.r
        self.pid = self.pid + 1 if self.pid < 60000 else 1000
        ts = stamp(t)
        k = r.random()
        if k < 0.45:
            return f"{ts} srv-01 sshd[{self.pid}]: Invalid user {self.name()} from 203.0.113.{r.randrange(1, 6)} port {r.randrange(1024, 65535)}"
        if k < 0.90:
            return f"{ts} srv-01 sshd[{self.pid}]: Failed password for root from {self.address()} port {r.randrange(1024, 65535)} ssh2"
        return f"{ts} srv-01 sshd[{self.pid}]: Accepted password for {self.name()} from {self.address()} port {r.randrange(1024, 65535)} ssh2"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/tripline")
    ap.add_argument("--model-dir", default=None, help="model to load (default: none, rules only)")
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--rate", type=int, default=10_000, help="lines per second appended")
    ap.add_argument("--attack-every", type=float, default=2.0, help="seconds between attack bursts")
    ap.add_argument("--failures", type=int, default=8, help="failed logins per burst")
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--show", action="store_true", help="print the last screen")
    ap.add_argument("--traffic", choices=["ordinary", "cardinality"], default="ordinary",
                    help="ordinary server traffic, or a cardinality attack (random names and addresses)")
    ap.add_argument("--sample-every", type=float, default=10.0, help="seconds between RSS samples")
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="tripline-live-")
    log = os.path.join(work, "live.log")
    open(log, "w").close()
    models = a.model_dir or os.path.join(work, "no-model")
    tmux("kill-server")
    tmux("new-session", "-d", "-s", "live", "-x", str(a.cols), "-y", str(a.rows),
         f"env LANG=C.UTF-8 TERM=xterm-256color {os.path.abspath(a.binary)} dashboard {log} --model-dir {models}; sleep 5")
    # Find the dashboard's pid for /proc figures.
    pid = None
    binary = os.path.realpath(a.binary)
    for _ in range(100):
        for p in subprocess.run(["pgrep", "-f", f"dashboard {log}"], stdout=subprocess.PIPE).stdout.split():
            try:
                if os.path.realpath(f"/proc/{int(p)}/exe") == binary:
                    pid = int(p)
            except OSError:
                pass
        if pid:
            break
        time.sleep(0.05)
    if pid is None:
        sys.exit("bench_live: the dashboard did not start")
    time.sleep(1.0)

    pending = {}  # address -> write time
    latencies = []
    lock = threading.Lock()
    done = threading.Event()
    captures = [0]

    def watch():
        while not done.is_set() or pending:
            with lock:
                waiting = dict(pending)
            if waiting:
                screen = tmux("capture-pane", "-p", "-t", "live", capture=True)
                now = time.time()
                captures[0] += 1
                with lock:
                    for ip, t0 in waiting.items():
                        if ip in screen:
                            latencies.append(now - t0)
                            del pending[ip]
                        elif now - t0 > 10:
                            del pending[ip]  # missed
            else:
                if done.is_set():
                    break
            time.sleep(0.005)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()

    traffic = Flood(7) if a.traffic == "cardinality" else Traffic(7)
    samples = []  # (seconds since start, RSS KB)
    next_sample = time.time()
    batch = max(1, a.rate // 100)
    interval = batch / a.rate
    written = 0
    attacks = 0
    next_attack = time.time() + a.attack_every
    start = time.time()
    tick = start
    ticks0 = None
    with open(log, "a", buffering=1 << 20) as fh:
        while written < a.lines:
            now = time.time()
            lines = [traffic.line(now) for _ in range(min(batch, a.lines - written))]
            ip = None
            if now >= next_attack:
                attacks += 1
                ip = "198.18.%d.%d" % (attacks // 250, attacks % 250 + 1)
                user = "root" if attacks % 2 else "admin"
                for i in range(a.failures):
                    lines.append(f"{stamp(now)} srv-00 sshd[{70000 + attacks}]: Failed password for {user} from {ip} port {40000 + i} ssh2")
                next_attack += a.attack_every
            fh.write("\n".join(lines) + "\n")
            fh.flush()
            if ip:
                with lock:
                    pending[ip] = time.time()
            written += len(lines)
            if time.time() >= next_sample:
                samples.append((time.time() - start, mem(pid)[0]))
                next_sample += a.sample_every
            if ticks0 is None and written >= a.rate * 5:
                ticks0 = (cpu_ticks(pid), time.time())  # after warm-up
            tick += interval
            delay = tick - time.time()
            if delay > 0:
                time.sleep(delay)
    elapsed = time.time() - start
    done.set()
    watcher.join(timeout=15)
    time.sleep(0.5)
    t1 = (cpu_ticks(pid), time.time())
    if a.show:
        print(tmux("capture-pane", "-p", "-t", "live", capture=True))
    rss, hwm = mem(pid)
    tmux("send-keys", "-t", "live", "q")
    time.sleep(0.5)
    tmux("kill-server")
    shutil.rmtree(work, ignore_errors=True)

    hz = os.sysconf("SC_CLK_TCK")
    cpu = (t1[0] - ticks0[0]) / hz / (t1[1] - ticks0[1]) * 100 if ticks0 else float("nan")
    lat = sorted(latencies)

    def pct(p):
        return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] * 1000 if lat else float("nan")

    print(f"lines appended       {written:,} in {elapsed:.1f} s ({written / elapsed:,.0f} lines/s)")
    print(f"attack bursts        {attacks}, on screen {len(lat)}, missed {attacks - len(lat)}")
    print(f"latency ms           p50 {pct(50):.0f}  p90 {pct(90):.0f}  p99 {pct(99):.0f}  max {pct(100):.0f}")
    print(f"dashboard CPU        {cpu:.1f} % of one core (after warm-up)")
    print(f"dashboard RSS        {rss / 1024:.1f} MB now, {hwm / 1024:.1f} MB peak")
    print(f"screen captures      {captures[0]}")
    if samples:
        print("RSS samples (s: MB)  " + ", ".join(f"{t:.0f}: {kb / 1024:.0f}" for t, kb in samples))


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def mem(pid):
    rss = hwm = 0
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


if __name__ == "__main__":
    main()
