#!/usr/bin/env python3
"""Checks the deployment files without a Docker engine or a cluster (none runs here): the
Dockerfile's stages, user and paths; docker-compose.yml's three services, ports and volumes;
the Kubernetes probes; the systemd units; and that every tripline command they run exists and
accepts its flags (each is run with --help through the real binary).

  python3 Tests/python/deployment_test.py .build/debug/tripline
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    sys.exit("deployment_test: PyYAML is missing: pip install -r Tests/python/requirements.txt")

from checks import ROOT, check, summary


def runs(binary, args, where):
    """The tripline command line exists: `tripline ARGS --help` succeeds and names the subcommand."""
    r = subprocess.run([binary, *args, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(r.returncode == 0 and f"tripline {args[0]}" in r.stdout, f"{where}: 'tripline {' '.join(args)}' is a real command")


def main(binary):
    # Dockerfile
    text = open(os.path.join(ROOT, "Dockerfile")).read()
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    froms = [l for l in lines if l.startswith("FROM ")]
    check(len(froms) == 2 and " AS build" in froms[0] and "slim" in froms[1], "Dockerfile: a build stage and a slim runtime stage")
    final = text[text.index(froms[1]):]
    check(re.search(r"^USER tripline$", final, re.M) is not None and "useradd --system --uid 10001" in final, "Dockerfile: runs as the non-root user tripline")
    check("COPY --from=build /out/ /" in final and "swift" not in final.split("COPY --from=build")[1], "Dockerfile: the runtime gets only what the build put in /out")
    check("install -D -m 0755 .build/release/tripline /out/usr/local/bin/tripline" in text and 'ENTRYPOINT ["/usr/local/bin/tripline"]' in text,
          "Dockerfile: the entrypoint is the installed binary")
    check("/out/usr/local/share/tripline" in text, "Dockerfile: themes where the binary looks for them (../share/tripline/themes)")
    for src in re.findall(r"^COPY (?!--)(\S+)", text, re.M):
        check(os.path.exists(os.path.join(ROOT, src)), f"Dockerfile: COPY {src} exists in the repository")
    # The build stage sees only what it copies: that must be a package SwiftPM can load (every
    # target's folder, test targets included), or `docker build` fails before compiling.
    with tempfile.TemporaryDirectory() as ctx:
        for src in re.findall(r"^COPY (?!--)(\S+)", text, re.M):
            (shutil.copytree if os.path.isdir(os.path.join(ROOT, src)) else shutil.copy)(os.path.join(ROOT, src), os.path.join(ctx, src))
        swift = shutil.which("swift")
        r = subprocess.run([swift, "package", "describe", "--type", "json"], cwd=ctx, capture_output=True, text=True, timeout=120) if swift else None
        check(r is not None and r.returncode == 0, "Dockerfile: the files it copies form a package SwiftPM loads" +
              ("" if r is None or r.returncode == 0 else f" ({r.stderr.strip()[:300]})"))
    check("EXPOSE 8000" in final and "API_HOST=0.0.0.0" in final, "Dockerfile: the API listens on 8000 on all interfaces")
    cmd = re.search(r'^CMD \[(.*)\]$', final, re.M)
    runs(binary, [a.strip().strip('"') for a in cmd.group(1).split(",")], "Dockerfile CMD")

    # docker-compose.yml
    compose = yaml.safe_load(open(os.path.join(ROOT, "docker-compose.yml")))
    services = compose["services"]
    check(set(services) == {"api", "mcp", "batch"}, f"compose: the prototype's three services ({sorted(services)})")
    check("8000:8000" in services["api"].get("ports", []), "compose: api publishes 8000")
    check("TRIPLINE_API_TOKEN" in services["api"]["environment"], "compose: api gets a token (it listens beyond loopback)")
    for name, svc in services.items():
        vols = svc.get("volumes", [])
        check(any(v.startswith("models:/var/lib/tripline/models") for v in vols), f"compose: {name} shares the models volume")
        check(any(v.endswith("/var/log/tripline:ro") for v in vols), f"compose: {name} reads the logs read-only")
        runs(binary, svc["command"], f"compose {name}")
    check(set(compose["volumes"]) >= {"models", "reports"}, "compose: named volumes declared")
    for name in ("api", "batch"):
        env = services[name]["environment"]
        check(all(k in env for k in ("TRIPLINE_SLACK_WEBHOOK_URL", "TRIPLINE_SPLUNK_HEC_URL", "TRIPLINE_SPLUNK_HEC_TOKEN",
                                      "TRIPLINE_ELASTICSEARCH_URL", "TRIPLINE_WEBHOOK_URL", "TRIPLINE_ALERT_MIN_SEVERITY")),
              f"compose: {name} passes the alert sink variables through")
    check(services["batch"]["environment"]["OUTPUT_DIR"] == "/var/lib/tripline/reports" and
          any(v.startswith("reports:") for v in services["batch"]["volumes"]), "compose: batch writes its reports to a volume")

    # Kubernetes
    dep = yaml.safe_load(open(os.path.join(ROOT, "k8s", "deployment.yaml")))
    svc = yaml.safe_load(open(os.path.join(ROOT, "k8s", "service.yaml")))
    pod = dep["spec"]["template"]["spec"]
    c = pod["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    check(ports.get("http") == 8000, "k8s: the container port http is 8000")
    check(c["livenessProbe"]["httpGet"]["path"] == "/health/live" and c["readinessProbe"]["httpGet"]["path"] == "/health/ready",
          "k8s: liveness on /health/live, readiness on /health/ready")
    check(c["livenessProbe"]["httpGet"]["port"] == "http" and c["readinessProbe"]["httpGet"]["port"] == "http", "k8s: probes on the http port")
    check(pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] == 10001, "k8s: non-root, the image's uid")
    check(any(e["name"] == "TRIPLINE_API_TOKEN" and "secretKeyRef" in e["valueFrom"] for e in c["env"]), "k8s: the token comes from a Secret")
    check(dep["spec"]["selector"]["matchLabels"].items() <= dep["spec"]["template"]["metadata"]["labels"].items(), "k8s: the selector matches the pods")
    check(svc["spec"]["selector"].items() <= dep["spec"]["template"]["metadata"]["labels"].items() and svc["spec"]["ports"][0]["targetPort"] == "http",
          "k8s: the service selects the pods and targets http")
    runs(binary, c["args"], "k8s container")

    # systemd: units that start on a fresh machine (no user to create, their folders made by
    # systemd), hardened, batch as a oneshot service started by a timer.
    for unit in ["tripline-api.service", "tripline-batch.service", "tripline-train.service"]:
        text = open(os.path.join(ROOT, "deploy", unit)).read()
        fields = dict(re.findall(r"^(\w+)=(.*)$", text, re.M))
        exec_start = shlex.split(fields["ExecStart"])
        check(exec_start[0] == "/usr/local/bin/tripline", f"{unit}: runs the installed binary (install.sh rewrites the prefix)")
        check("User" not in fields and fields.get("DynamicUser") == "yes", f"{unit}: a user systemd makes (no 217/USER on a fresh machine)")
        check(fields.get("StateDirectory") == "tripline" and fields.get("ConfigurationDirectory") == "tripline",
              f"{unit}: /var/lib/tripline and /etc/tripline made by systemd (no 226/NAMESPACE)")
        check("ReadWritePaths" not in fields, f"{unit}: no ReadWritePaths naming a folder that may not exist")
        check(fields.get("ProtectSystem") == "strict" and fields.get("NoNewPrivileges") == "yes" and fields.get("ProtectHome") == "yes",
              f"{unit}: hardening kept")
        check("/var/lib/tripline" in text, f"{unit}: state under /var/lib/tripline")
        runs(binary, exec_start[1:], unit)
    api = open(os.path.join(ROOT, "deploy", "tripline-api.service")).read()
    check("WantedBy=multi-user.target" in api, "tripline-api.service: installable")
    batch = dict(re.findall(r"^(\w+)=(.*)$", open(os.path.join(ROOT, "deploy", "tripline-batch.service")).read(), re.M))
    check(batch.get("Type") == "oneshot" and "--once" in batch["ExecStart"], "tripline-batch.service: one run (--once), not a sleep loop")
    timer = dict(re.findall(r"^(\w+)=(.*)$", open(os.path.join(ROOT, "deploy", "tripline-batch.timer")).read(), re.M))
    check(timer.get("OnCalendar") and timer.get("Persistent") == "true" and timer.get("WantedBy") == "timers.target",
          "tripline-batch.timer: hourly, catches up after downtime, installable")
    verify = shutil.which("systemd-analyze")
    if verify:
        with tempfile.TemporaryDirectory() as d:
            fake = os.path.join(d, "tripline")
            os.symlink(binary, fake)
            for u in os.listdir(os.path.join(ROOT, "deploy")):
                if u.endswith((".service", ".timer")):
                    open(os.path.join(d, u), "w").write(open(os.path.join(ROOT, "deploy", u)).read().replace("/usr/local/bin/tripline", fake))
            r = subprocess.run([verify, "verify", "--man=no", *[os.path.join(d, u) for u in sorted(os.listdir(d)) if u.endswith((".service", ".timer"))]],
                               capture_output=True, text=True)
            check(r.returncode == 0, "systemd-analyze verify: the units are valid" + ("" if r.returncode == 0 else f" ({(r.stdout + r.stderr).strip()[:400]})"))
    else:
        print("notice: systemd-analyze not installed; the units were not verified by systemd")

    # Containers: a health check, an image built from the Dockerfile, a way to train a model.
    docker = open(os.path.join(ROOT, "Dockerfile")).read()
    check(re.search(r"^HEALTHCHECK .*\n?.*CMD curl -fsS \"http://127.0.0.1:\$\{API_PORT\}/health/live\"", docker, re.M) is not None,
          "Dockerfile: a HEALTHCHECK on /health/live")
    check(re.search(r"libcurl4 curl", docker) is not None, "Dockerfile: curl for the health check, libcurl4 for the binary")
    compose = yaml.safe_load(open(os.path.join(ROOT, "docker-compose.yml")))
    for name in ["mcp", "batch"]:
        check(compose["services"][name].get("healthcheck", {}).get("disable") is True, f"compose: {name} does not inherit the API's health check")
    images = [compose["services"][n]["image"] for n in compose["services"]] + [c["image"]]
    job = yaml.safe_load(open(os.path.join(ROOT, "k8s", "train-job.yaml")))
    jc = job["spec"]["template"]["spec"]["containers"][0]
    images.append(jc["image"])
    check(all(not i.endswith(":latest") for i in images), f"images are the version built from the Dockerfile, not :latest ({images})")
    check(job["kind"] == "Job" and jc["args"][0] == "train", "k8s: a Job trains the model")
    mounts = {m["name"]: m["mountPath"] for m in jc["volumeMounts"]}
    vols = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in job["spec"]["template"]["spec"]["volumes"]}
    dep_vols = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in pod["volumes"]}
    check(mounts.get("models") == "/var/lib/tripline/models" and vols.get("models") == dep_vols.get("models"),
          "k8s: the Job writes the model into the volume the API reads")
    check("--model-dir" in jc["args"] and jc["args"][jc["args"].index("--model-dir") + 1] == mounts["models"], "k8s: the Job's --model-dir is the mounted volume")
    runs(binary, jc["args"], "k8s train Job")
    return summary()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(os.path.abspath(sys.argv[1])))
