#!/usr/bin/env python3
"""Soak of `tripline serve` under hostile load: clients keep posting large bodies of a
cardinality attack (random account names, ever new addresses) to POST /analyze, more at once
than the server has analysis workers, while another client probes GET /health. Prints the
server's RSS every --sample-every seconds (it must level off), how the analyses were answered
(200, or 503 when the queue was full) and the /health latency percentiles measured under that
load. Tooling only; Tripline never needs Python.

  scripts/soak_serve.py --minutes 10 --clients 6 --body-mb 4
"""
import argparse
import http.client
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def body(rng, mb):
    lines = []
    size = 0
    t0 = time.time() - 3600
    i = 0
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    while size < mb * 1_000_000:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 + i * 0.01)) + "Z"
        name = "".join(rng.choice(letters) for _ in range(10))
        ip = "%d.%d.%d.%d" % (rng.randrange(1, 224), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
        if i % 2:
            line = f"{ts} web sshd[{i % 60000}]: Invalid user {name} from 203.0.113.{i % 5 + 1} port {i % 60000}"
        else:
            line = f"{ts} web sshd[{i % 60000}]: Failed password for root from {ip} port {i % 60000} ssh2"
        lines.append(line)
        size += len(line) + 1
        i += 1
    return ("\n".join(lines) + "\n").encode()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/tripline")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--clients", type=int, default=6, help="clients posting bodies at once")
    ap.add_argument("--body-mb", type=float, default=4)
    ap.add_argument("--sample-every", type=float, default=10)
    ap.add_argument("--port", type=int, default=18791)
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="tripline-soak-")
    env = dict(os.environ, TRIPLINE_RATE_LIMIT="0")
    server = subprocess.Popen([a.binary, "serve", "--port", str(a.port), "--model-dir", os.path.join(work, "none"), "--rate-limit", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=2)
            c.request("GET", "/health/live")
            c.getresponse().read()
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        sys.exit("soak_serve: the server did not start")

    rng = random.Random(5)
    bodies = [body(rng, a.body_mb) for _ in range(4)]
    stop = time.time() + a.minutes * 60
    statuses = {}
    lock = threading.Lock()
    health = []

    def poster(k):
        n = k
        while time.time() < stop:
            try:
                c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=600)
                c.request("POST", "/analyze", body=bodies[n % len(bodies)], headers={"Content-Type": "text/plain"})
                r = c.getresponse()
                r.read()
                status = r.status
                if status == 503:
                    time.sleep(float(r.getheader("Retry-After", "1")))
            except OSError as e:
                status = type(e).__name__
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
            n += 1

    def prober():
        while time.time() < stop:
            t0 = time.time()
            try:
                c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
                c.request("GET", "/health")
                c.getresponse().read()
                health.append(time.time() - t0)
            except OSError:
                health.append(30.0)
            time.sleep(0.05)

    threads = [threading.Thread(target=poster, args=(k,), daemon=True) for k in range(a.clients)]
    threads.append(threading.Thread(target=prober, daemon=True))
    for t in threads:
        t.start()
    samples = []
    start = time.time()
    while time.time() < stop:
        samples.append((time.time() - start, rss_kb(server.pid)))
        time.sleep(a.sample_every)
    for t in threads:
        t.join(timeout=700)
    samples.append((time.time() - start, rss_kb(server.pid)))
    server.terminate()
    server.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)

    h = sorted(health)

    def pct(p):
        return h[min(len(h) - 1, int(round(p / 100 * (len(h) - 1))))] * 1000 if h else float("nan")

    print(f"analyses answered    {dict(sorted(statuses.items(), key=str))} ({a.clients} clients, {a.body_mb:g} MB bodies, {a.minutes:g} min)")
    print(f"/health latency ms   p50 {pct(50):.1f}  p90 {pct(90):.1f}  p99 {pct(99):.1f}  max {pct(100):.1f}  ({len(h)} probes)")
    print("RSS samples (s: MB)  " + ", ".join(f"{t:.0f}: {kb / 1024:.0f}" for t, kb in samples))
    print(f"RSS peak             {max(kb for _, kb in samples) / 1024:.0f} MB")


if __name__ == "__main__":
    main()
