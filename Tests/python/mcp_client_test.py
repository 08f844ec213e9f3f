#!/usr/bin/env python3
"""End-to-end test of `tripline mcp` with the official MCP Python SDK as the client.

Starts the real binary over stdio, lists the tools, calls each one and checks the answers,
including refusals (paths outside the allowed folders, a symlink escape, unknown ids) after
which the server must still answer. Exit status 0 when everything holds.

  python3 Tests/python/mcp_client_test.py .build/debug/tripline
"""
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
except ImportError:
    sys.exit("mcp_client_test: the MCP Python SDK is missing: pip install -r Tests/python/requirements.txt")

from checks import ROOT, check, summary


def text(result):
    return "".join(getattr(c, "text", "") for c in result.content)


async def main(binary):
    work = tempfile.mkdtemp(prefix="tripline-mcp-")
    logs = os.path.join(work, "logs")
    os.makedirs(logs)
    shutil.copy(os.path.join(ROOT, "test_logs", "auth.log"), os.path.join(logs, "auth.log"))
    os.symlink("/etc/passwd", os.path.join(logs, "escape.log"))
    models = os.path.join(work, "models")
    subprocess.run([binary, "train", "--data-path", os.path.join(logs, "auth.log"), "--baseline-days", "1", "--model-dir", models],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    outside = tempfile.mkdtemp(prefix="tripline-outside-")
    shutil.copy(os.path.join(ROOT, "test_logs", "auth.log"), os.path.join(outside, "auth.log"))
    # Hostile files inside the allowed folder: a FIFO nobody writes to, and a folder whose files
    # include a link out of it.
    os.mkfifo(os.path.join(logs, "stall.log"))
    sub = os.path.join(logs, "sub")
    os.makedirs(sub)
    with open(os.path.join(ROOT, "test_logs", "auth.log")) as f:
        head = [next(f) for _ in range(20)]
    with open(os.path.join(sub, "inside.log"), "w") as f:
        f.writelines(head)
    os.symlink(os.path.join(outside, "auth.log"), os.path.join(sub, "link.log"))
    # The working directory is not a root unless named.
    shutil.copy(os.path.join(ROOT, "test_logs", "auth.log"), os.path.join(work, "cwd.log"))

    params = StdioServerParameters(command=binary, args=["mcp", "--model-dir", models, "--allow", logs, "--max-input-mb", "1"], cwd=work,
                                   env={"PATH": os.environ.get("PATH", ""), "TZ": "UTC"})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            check(init.server_info.name == "tripline", f"server says it is tripline ({init.server_info.name})")
            tools = {t.name: t for t in (await session.list_tools()).tools}
            expected = {"load_anomaly_models", "analyze_logs", "analyze_log_file", "get_detection_stats", "list_anomalies", "explain_anomaly"}
            check(set(tools) == expected, f"the six tools are listed: {sorted(tools)}")
            for name, t in tools.items():
                check(t.input_schema.get("type") == "object" and len(t.description or "") > 40, f"{name} has an input schema and a description")
            check(tools["analyze_log_file"].input_schema.get("required") == ["file_path"], "analyze_log_file takes file_path")

            r = await session.call_tool("load_anomaly_models", {})
            loaded = json.loads(text(r))
            check(not r.is_error and loaded["loaded"] and loaded["trained_events"] > 0, "load_anomaly_models loads the trained model")

            records = [{"timestamp": f"2026-03-06T10:00:{i:02d}Z", "user": "root", "source_ip": "203.0.113.45", "event_type": "login",
                        "action": "failed", "message": "Failed password for root"} for i in range(12)]
            r = await session.call_tool("analyze_logs", {"logs": json.dumps(records)})
            doc = json.loads(text(r))
            check(not r.is_error and doc["anomalies_detected"] == 1 and doc["anomalies"][0]["kind"] == "brute_force",
                  "analyze_logs finds the brute force in a JSON array")
            raw = "\n".join(f"2026-03-06T11:00:{i:02d}+00:00 web-01 sshd[{700 + i}]: Failed password for invalid user admin{i} from 198.51.100.9 port {40000 + i} ssh2"
                            for i in range(10))
            r = await session.call_tool("analyze_logs", {"logs": raw, "min_severity": "low"})
            doc = json.loads(text(r))
            check(not r.is_error and any(a["kind"] == "user_enumeration" for a in doc["anomalies"]), "analyze_logs reads raw syslog text")
            # Spraying: one source, many of the sample's real accounts, one try each.
            accounts = ["alice", "ansible", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "jenkins", "judy"]
            csv = "timestamp,user,source_ip,event_type,action,message\n" + "\n".join(
                f"2026-03-06T12:00:{i:02d}Z,{u},192.0.2.77,login,failed,Failed password" for i, u in enumerate(accounts))
            r = await session.call_tool("analyze_logs", {"logs": csv})
            doc = json.loads(text(r))
            check(not r.is_error and any(a["kind"] == "password_spraying" for a in doc["anomalies"]), "analyze_logs reads CSV (spraying)")
            r = await session.call_tool("analyze_logs", {"logs": "[{\"timestamp\": \"not a time\"}]"})
            check(r.is_error and "timestamp" in text(r), "a bad record is a tool error naming the field")

            r = await session.call_tool("analyze_log_file", {"file_path": os.path.join(logs, "auth.log")})
            doc = json.loads(text(r))
            check(not r.is_error and doc["anomalies_detected"] >= 5 and doc["events_analyzed"] > 5000, "analyze_log_file reads an allowed file")
            r = await session.call_tool("analyze_log_file", {"file_path": os.path.join(outside, "auth.log")})
            check(r.is_error and "outside" in text(r), "a file outside the allowed folders is refused")
            r = await session.call_tool("analyze_log_file", {"file_path": os.path.join(logs, "escape.log")})
            check(r.is_error and "outside" in text(r), "a symlink that escapes the allowed folders is refused")
            r = await session.call_tool("analyze_log_file", {"file_path": os.path.join(logs, "..", "..", os.path.basename(outside), "auth.log")})
            check(r.is_error, "a .. path out of the allowed folders is refused")
            r = await session.call_tool("analyze_log_file", {"file_path": os.path.join(logs, "missing.log")})
            check(r.is_error and "no such file" in text(r), "a missing file is a clear tool error")
            r = await session.call_tool("analyze_log_file", {"file_path": os.path.join(work, "cwd.log")})
            check(r.is_error and "outside" in text(r), "the working directory is not an allowed folder unless named")
            r = await asyncio.wait_for(session.call_tool("analyze_log_file", {"file_path": os.path.join(logs, "stall.log")}), 20)
            check(r.is_error and "regular file" in text(r), f"a FIFO is refused at once, not waited on ({text(r)[:80]})")
            r = await session.call_tool("analyze_log_file", {"file_path": sub})
            doc = json.loads(text(r)) if not r.is_error else {}
            check(not r.is_error and doc.get("lines_read") == 20, f"a folder's link out of the allowed folders is not read ({text(r)[:120]})")
            r = await session.call_tool("analyze_logs", {"logs": "x" * (2 << 20)})
            check(r.is_error and "MiB" in text(r), "a logs argument over --max-input-mb is a tool error")
            r = await asyncio.wait_for(session.call_tool("analyze_logs", {"logs": '[{"timestamp":"2026-01-01T00:00:00Z","user":"a"}}]'}), 20)
            check(r is not None, "a stray bracket in a JSON array ends")

            r = await session.call_tool("get_detection_stats", {})
            stats = json.loads(text(r))
            check(not r.is_error and stats["model_loaded"] and stats["analyses"] == 6 and stats["anomalies_kept"] >= 5,
                  f"get_detection_stats counts the analyses ({stats.get('analyses')})")

            r = await session.call_tool("list_anomalies", {"source_ip": "203.0.113.45"})
            found = json.loads(text(r))
            check(not r.is_error and found["count"] >= 1 and all(a["source_ip"] == "203.0.113.45" for a in found["anomalies"]),
                  "list_anomalies filters by source")
            r = await session.call_tool("list_anomalies", {"severity": "critical", "limit": 3})
            crit = json.loads(text(r))
            check(not r.is_error and crit["count"] <= 3 and all(a["severity"] == "critical" for a in crit["anomalies"]), "list_anomalies filters by severity")
            r = await session.call_tool("list_anomalies", {"kind": "no_such_kind"})
            check(r.is_error and "kind" in text(r), "a bad filter is a tool error naming it")

            r = await session.call_tool("list_anomalies", {"kind": "brute_force", "limit": 50})
            from_file = [a for a in json.loads(text(r))["anomalies"] if any("auth.log:" in l for l in a["evidence"]["locations"])]
            check(len(from_file) >= 1, "the file's brute force is kept")
            if from_file:
                r = await session.call_tool("explain_anomaly", {"id": from_file[0]["id"]})
                ex = json.loads(text(r))
                check(not r.is_error and ex["anomaly"]["reasons"] and "T1110" in " ".join(ex["anomaly"]["techniques"]), "explain_anomaly gives reasons and techniques")
                check(any("sshd" in l for l in ex["evidence_lines"]), "explain_anomaly shows the log lines behind it")
                check(any(l.startswith("source ") for l in ex["baseline"]), "explain_anomaly shows the source's baseline")
            r = await session.call_tool("explain_anomaly", {"id": "TL-nope"})
            check(r.is_error and "list_anomalies" in text(r), "an unknown id is a tool error that says what to do")
            r = await session.call_tool("get_detection_stats", {})
            check(not r.is_error, "the server still answers after errors")
    # Started from / with nothing allowed (as desktop assistants start servers): /var/log only.
    params = StdioServerParameters(command=binary, args=["mcp", "--model-dir", models], cwd="/",
                                   env={"PATH": os.environ.get("PATH", ""), "TZ": "UTC"})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            for secret in ["/etc/passwd", "/etc/shadow", os.path.join(logs, "auth.log")]:
                r = await session.call_tool("analyze_log_file", {"file_path": secret})
                check(r.is_error and ("outside" in text(r) or "no such" in text(r)), f"started from / with no --allow, {secret} is refused")
            # The documented largest logs argument, 32 MiB, in one message: the transport reads it
            # in time linear in its size (the SDK's stdio transport took minutes at 8 MB).
            line = "2026-03-06T10:00:00Z web sshd[1]: Accepted publickey for alice from 10.0.0.1 port 22 ssh2\n"
            big = line * ((31 << 20) // len(line))
            r = await asyncio.wait_for(session.call_tool("analyze_logs", {"logs": big}), 240)
            doc = json.loads(text(r)) if not r.is_error else {}
            check(not r.is_error and doc.get("lines_read") == big.count("\n"), f"a 31 MiB logs argument is analysed ({text(r)[:120]})")
            r = await session.call_tool("get_detection_stats", {})
            check(not r.is_error, "the server answers after a 31 MiB message")
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(outside, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    asyncio.run(asyncio.wait_for(main(os.path.abspath(sys.argv[1])), timeout=600))
    sys.exit(summary())
