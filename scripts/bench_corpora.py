#!/usr/bin/env python3
"""Builds the benchmark corpora of issue 16: real public samples replicated with shifted days,
the generator at several population sizes, and streams whose time is out of order.

    python3 scripts/bench_corpora.py [--out bench_data/corpora] [--copies 200]
        [--loghub DIR] [--binary .build/release/tripline]

Real samples are loghub's OpenSSH_2k.log and Linux_2k.log (https://github.com/logpai/loghub).
They are read from --loghub (a checkout or a folder holding OpenSSH/OpenSSH_2k.log), else from
../shared/loghub, else fetched from GitHub's raw files; without them the real corpora are skipped
with a notice.

Files written (one line each in corpora.txt: name, lines, what it is):
  real_sshd.log      OpenSSH_2k, N copies, each a day later (classic syslog, no year)
  real_sshd_iso.log  the same with RFC 3339 stamps (rsyslog's file format)
  real_sshd_back.log the same, each copy a day EARLIER than the one before (time runs backwards)
  real_sshd_mixed.log two hosts in one stream, line by line, the second 100 days behind
  real_linux.log     Linux_2k (pam_unix, ftpd, kernel, …), N copies, each 45 days later
  corp_1200/auth.log the generator: 1,200 people, logins and sudo, 3 attacks of each kind
  corp_50/auth.log   the generator: 50 people (the old benchmark's shape)
"""
import argparse, datetime as dt, os, re, subprocess, sys, urllib.request

MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
CLASSIC = re.compile(r"^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (.*)$")


def sample(name, loghub):
    rel = f"{name}/{name}_2k.log"
    for base in [loghub, os.path.join(os.path.dirname(__file__), "..", "..", "shared", "loghub")]:
        if base and os.path.exists(os.path.join(base, rel)):
            with open(os.path.join(base, rel), encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
    try:
        url = f"https://raw.githubusercontent.com/logpai/loghub/master/{rel}"
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.read().decode("utf-8", "replace").splitlines()
    except Exception as e:  # offline: the real corpora are skipped
        print(f"notice: {rel} not found ({e}); pass --loghub DIR", file=sys.stderr)
        return None


def parsed(lines, year):
    """(datetime, rest) per line; lines without a classic stamp keep the previous time."""
    out, last = [], None
    for line in lines:
        m = CLASSIC.match(line)
        if m:
            last = dt.datetime(year, MONTHS[m[1]], int(m[2]), int(m[3]), int(m[4]), int(m[5]))
            out.append((last, m[6]))
        elif last is not None:
            out.append((last, line))
    return out


def classic(t, rest):
    return f"{t.strftime('%b')} {t.day:2d} {t:%H:%M:%S} {rest}\n"


def iso(t, rest):
    return f"{t:%Y-%m-%dT%H:%M:%S}+00:00 {rest}\n"


def copies(events, n, step_days, fmt, first=dt.datetime(2026, 1, 1), order=None):
    base = events[0][0]
    for i in (order or range(n)):
        shift = first + dt.timedelta(days=i * step_days) - base
        for t, rest in events:
            yield fmt(t + shift, rest)


def write(path, lines):
    count = 0
    with open(path + ".tmp", "w") as f:
        for line in lines:
            f.write(line)
            count += 1
    os.replace(path + ".tmp", path)
    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="bench_data/corpora")
    ap.add_argument("--copies", type=int, default=200)
    ap.add_argument("--loghub")
    ap.add_argument("--binary", default=".build/release/tripline")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    made = []
    ssh = sample("OpenSSH", a.loghub)
    if ssh:
        ev = parsed(ssh, 2026)
        n = a.copies
        made.append(("real_sshd.log", write(os.path.join(a.out, "real_sshd.log"), copies(ev, n, 1, classic)),
                     f"loghub OpenSSH_2k x{n}, each copy a day later, classic syslog"))
        made.append(("real_sshd_iso.log", write(os.path.join(a.out, "real_sshd_iso.log"), copies(ev, n, 1, iso)),
                     f"the same, RFC 3339 stamps"))
        made.append(("real_sshd_back.log", write(os.path.join(a.out, "real_sshd_back.log"),
                                                 copies(ev, n, 1, iso, order=range(n - 1, -1, -1))),
                     f"the same, each copy a day earlier than the one before"))
        behind = [(t, rest.replace("LabSZ ", "LabSZ2 ", 1)) for t, rest in ev]

        def mixed():
            for i in range(n // 2):
                a_ = list(copies(ev, 1, 1, iso, first=dt.datetime(2026, 4, 11) + dt.timedelta(days=i)))
                b_ = list(copies(behind, 1, 1, iso, first=dt.datetime(2026, 1, 1) + dt.timedelta(days=i)))
                for x, y in zip(a_, b_):
                    yield x
                    yield y
        made.append(("real_sshd_mixed.log", write(os.path.join(a.out, "real_sshd_mixed.log"), mixed()),
                     "two hosts line by line, the second 100 days behind"))
    linux = sample("Linux", a.loghub)
    if linux:
        ev = parsed(linux, 2026)
        made.append(("real_linux.log", write(os.path.join(a.out, "real_linux.log"), copies(ev, a.copies, 45, iso)),
                     f"loghub Linux_2k x{a.copies}, each copy 45 days later"))
    for users, events in [(1200, 500_000), (50, 500_000)]:
        folder = os.path.join(a.out, f"corp_{users}")
        if not os.path.exists(os.path.join(folder, "auth.log")):
            subprocess.run([a.binary, "generate", "--out", folder, "--users", str(users), "--events", str(events),
                            "--days", "7", "--attacks", "3", "--seed", "16"], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(folder, "auth.log"), "rb") as f:
            made.append((f"corp_{users}/auth.log", sum(1 for _ in f), f"generator, {users} people, 7 days"))
    with open(os.path.join(a.out, "corpora.txt"), "w") as f:
        for name, count, what in made:
            f.write(f"{name}\t{count}\t{what}\n")
            print(f"{name:22} {count:>9} lines  {what}")


if __name__ == "__main__":
    main()
