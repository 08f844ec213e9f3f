#!/usr/bin/env python3
"""Alert delivery, measured: `tripline batch --once` (release build) over a log with N brute
forces from N addresses, once with no sink and once with each sink pointed at a loopback
receiver (Python's threading HTTP server, answering 200 or, for Elasticsearch, a bulk answer).
Prints the batch run's wall time, the alerts received and the requests they came in.

    python3 scripts/bench_alerts.py [--attacks 2000] [--binary .build/release/tripline]
"""
import argparse, http.server, json, os, subprocess, sys, tempfile, threading, time

class Receiver(http.server.ThreadingHTTPServer):
    daemon_threads = True
    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests, self.alerts, self.lock = 0, 0, threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else its two writes per answer meet delayed ACKs (40 ms each)
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.endswith("/_bulk"):
            n = body.count(b"\n") // 2
            answer = json.dumps({"took": 1, "errors": False, "items": [{"create": {"status": 201}}] * n}).encode()
        elif "collector" in self.path:
            n = body.count(b"\n")
            answer = b'{"text":"Success","code":0}'
        elif self.path.startswith("/slack"):
            n = len(json.loads(body)["blocks"]) // 2 + 1
            answer = b"ok"
        else:
            n = len(json.loads(body)["alerts"])
            answer = b"{}"
        with self.server.lock:
            self.server.requests += 1
            self.server.alerts += n
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
    def log_message(self, *a):
        pass

def write_log(path, attacks):
    with open(path, "w") as f:
        for a in range(attacks):
            ip = f"198.{18 + a // 65536 % 2}.{a // 256 % 256}.{a % 256}"
            minute = a // 60
            for i in range(10):
                f.write(f"2026-03-06T{10 + minute // 60 % 12:02d}:{minute % 60:02d}:{(a % 60):02d}.{i:06d}+00:00 web-01 sshd[{1000 + a}]: "
                        f"Failed password for root from {ip} port {40000 + i} ssh2\n")

def run(binary, logs, out, env):
    t = time.perf_counter()
    r = subprocess.run([binary, "batch", "--log-dir", logs, "--output-dir", out, "--once", "--model-dir", out + "/nomodel"],
                       env=env, capture_output=True, text=True)
    return time.perf_counter() - t, r

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--attacks", type=int, default=2000)
    p.add_argument("--binary", default=".build/release/tripline")
    a = p.parse_args()
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRIPLINE_")}
    with tempfile.TemporaryDirectory() as d:
        logs = os.path.join(d, "logs"); os.makedirs(logs)
        write_log(os.path.join(logs, "auth.log"), a.attacks)
        print(f"log: {a.attacks} brute forces from {a.attacks} addresses, {a.attacks * 10} lines")
        secs, r = run(a.binary, logs, os.path.join(d, "none"), base)
        print(f"no sink        : batch {secs:6.2f} s  ({r.returncode})")
        for sink, url_path in [("webhook", "/hook"), ("slack", "/slack/T/B/X"), ("splunk", ""), ("elasticsearch", "")]:
            rcv = Receiver()
            threading.Thread(target=rcv.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{rcv.server_address[1]}{url_path}"
            env = dict(base)
            env.update({"webhook": {"TRIPLINE_WEBHOOK_URL": url}, "slack": {"TRIPLINE_SLACK_WEBHOOK_URL": url},
                        "splunk": {"TRIPLINE_SPLUNK_HEC_URL": url, "TRIPLINE_SPLUNK_HEC_TOKEN": "t"},
                        "elasticsearch": {"TRIPLINE_ELASTICSEARCH_URL": url}}[sink])
            secs, r = run(a.binary, logs, os.path.join(d, sink), env)
            rcv.shutdown()
            print(f"{sink:15s}: batch {secs:6.2f} s  ({r.returncode}), {rcv.alerts} alerts in {rcv.requests} requests, "
                  f"{rcv.alerts / secs:,.0f} alerts/s end to end")
            if r.returncode != 0:
                print(r.stderr[-2000:], file=sys.stderr)

if __name__ == "__main__":
    main()
