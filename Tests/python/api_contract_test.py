#!/usr/bin/env python3
"""The REST API against its own OpenAPI document, on a live `tripline serve`.

1. GET /openapi.json and validate it as OpenAPI 3.1 (openapi-spec-validator).
2. Fuzz every operation with schemathesis (all checks: no 5xx, answers match the schemas and
   documented status codes, auth is enforced).
3. With --sigterm PID: start a large request, send SIGTERM while it is in flight, and check
   that it still gets its full answer (graceful shutdown).

  python3 Tests/python/api_contract_test.py http://127.0.0.1:PORT TOKEN [--sigterm PID]
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request

try:
    from openapi_spec_validator import validate
except ImportError:
    sys.exit("api_contract_test: openapi-spec-validator is missing: pip install -r Tests/python/requirements.txt")

from checks import ROOT


def main():
    base, token = sys.argv[1], sys.argv[2]
    sigterm_pid = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--sigterm" else None
    doc = json.load(urllib.request.urlopen(base + "/openapi.json", timeout=10))
    validate(doc)
    print("ok   /openapi.json is valid OpenAPI", doc["openapi"])

    cli = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    if not os.path.exists(cli):
        cli = shutil.which("schemathesis") or cli
    cmd = [cli, "run", base + "/openapi.json",
           "--checks", "all", "--max-examples", os.environ.get("FUZZ_EXAMPLES", "40"),
           "-H", f"Authorization: Bearer {token}", "--no-color", "--seed", "1"]
    print("run  schemathesis " + " ".join(cmd[1:]))
    fuzz = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    tail = "\n".join(fuzz.stdout.splitlines()[-40:])
    print(tail)
    if fuzz.returncode != 0:
        print("FAIL schemathesis found problems")
        return 1
    print("ok   schemathesis: no failures")

    if sigterm_pid:
        with open(os.path.join(ROOT, "test_logs", "auth.log"), "rb") as fh:
            sample = fh.read()
        body = sample * 45  # ~28 MB (under the default 32 MiB limit): takes a while to send and analyse
        result = {}

        # In flight for certain: SIGTERM is sent once the server has taken the headers and the
        # first megabytes (a socket's buffers hold far less, so it has been reading), and the
        # rest of the body follows the signal.
        import http.client
        from urllib.parse import urlparse
        u = urlparse(base)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        conn.putrequest("POST", "/analyze/file")
        conn.putheader("Content-Type", "text/plain")
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        head = 4 * 1024 * 1024
        conn.send(body[:head])
        os.kill(sigterm_pid, signal.SIGTERM)
        try:
            conn.send(body[head:])
            r = conn.getresponse()
            result["status"] = r.status
            result["doc"] = json.loads(r.read())
        except Exception as e:  # noqa: BLE001 - reported below
            result["error"] = repr(e)
        expected = body.count(b"\n")
        ok = result.get("status") == 200 and result["doc"]["lines_read"] == expected
        print(("ok   " if ok else "FAIL ") + f"a request in flight at SIGTERM still gets its whole answer ({result.get('status', result.get('error'))}, {expected} lines)")
        if not ok:
            return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main())
