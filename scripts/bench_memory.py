#!/usr/bin/env python3
"""Resident memory of the dashboard and of `tripline serve` after many attacks.

The shape: a botnet's short brute forces, each from a new address (six failed passwords for
root in half a minute), N of them over five hours of log time; then the same again for each
further day (the dashboard keeps following the file) to show that memory levels off.

    python3 scripts/bench_memory.py [--attacks 60000] [--days 3] [--binary .build/release/tripline]

The dashboard runs in tmux (120x30) on the file with --from-start; RSS is read from
/proc/PID/status once its header shows every event and 15 s have passed (it hands freed
memory back every 10 s). serve gets the first day's file as one POST /analyze, three times.
"""
import argparse, os, random, re, shutil, subprocess, sys, tempfile, time, urllib.request


def day(attacks, date, seed):
    rng = random.Random(seed)
    out = []
    span = 5 * 3600
    for i in range(attacks):
        ip = f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        start = i * span / attacks
        for k in range(6):
            t = int(start + k * 5)
            stamp = f"{date}T{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}Z"
            out.append(f"{stamp} web sshd[{1000 + (i * 6 + k) % 60000}]: Failed password for root from {ip} port {1024 + k} ssh2\n")
    return "".join(out)


def status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                fields[k] = int(v.split()[0]) // 1024
    return fields


def tmux(*args):
    return subprocess.run(["tmux", "-L", "tripline-mem", *args], capture_output=True, text=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--attacks", type=int, default=60000)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--binary", default=".build/release/tripline")
    ap.add_argument("--serve-only", action="store_true", help="measure serve only, not the dashboard")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    work = tempfile.mkdtemp(prefix="tripline-mem-")
    log = os.path.join(work, "auth.log")
    days = [day(a.attacks, f"2026-01-{10 + d:02d}", d) for d in range(a.days)]
    with open(log, "w") as f:
        f.write(days[0])
    if a.serve_only:
        serve(binary, work, days)
        return
    print(f"| log | events | anomalies on screen | dashboard RSS | peak (VmHWM) |")
    print(f"|---|---|---|---|---|")
    tmux("kill-server")
    tmux("new-session", "-d", "-x", "120", "-y", "30", f"{binary} dashboard {log} --from-start --model-dir {work}")
    pid = None
    total = 0
    try:
        for d in range(a.days):
            if d > 0:
                with open(log, "a") as f:
                    f.write(days[d])
            total += a.attacks * 6
            deadline = time.time() + 300
            screen = ""
            while time.time() < deadline:
                screen = tmux("capture-pane", "-p")
                m = re.search(r"events ([\d.]+)([kM]?)", screen)
                if m:
                    n = float(m.group(1)) * {"": 1, "k": 1e3, "M": 1e6}[m.group(2)]
                    if n >= total * 0.999:
                        break
                time.sleep(1)
            time.sleep(15)
            if pid is None:
                out = subprocess.run(["pgrep", "-f", f"^{binary} dashboard"], capture_output=True, text=True).stdout.split()
                pid = int(out[0])
            st = status(pid)
            head = re.search(r"anomalies (\S+)", tmux("capture-pane", "-p"))
            print(f"| day {d + 1} ({a.attacks:,} brute forces) | {total:,} | {head.group(1) if head else '?'} | {st['VmRSS']} MB | {st['VmHWM']} MB |")
    finally:
        tmux("kill-server")
    serve(binary, work, days)


def serve(binary, work, days):
    """serve: the first day's file in one body, three times."""
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen([binary, "serve", "--port", str(port), "--model-dir", work, "--max-body-bytes", str(200 << 20), "--rate-limit", "0"],
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        body = days[0].encode()
        print()
        print("| serve: POST /analyze of day 1 | RSS 15 s later | peak (VmHWM) |")
        print("|---|---|---|")
        time.sleep(2)
        st = status(server.pid)
        print(f"| started, no request yet | {st['VmRSS']} MB | {st['VmHWM']} MB |")
        for i in range(3):
            req = urllib.request.Request(f"http://127.0.0.1:{port}/analyze", data=body, headers={"Content-Type": "text/plain"}, method="POST")
            urllib.request.urlopen(req, timeout=600).read()
            time.sleep(15)
            st = status(server.pid)
            print(f"| request {i + 1} | {st['VmRSS']} MB | {st['VmHWM']} MB |")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
