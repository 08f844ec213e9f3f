#!/usr/bin/env python3
"""Botnet-shaped sshd logs for memory benchmarks: ADDRESSES addresses (10.a.b.c), PER failed
passwords for root each, RATE lines a second from 2026-03-01 00:00:00 (classic syslog, host web1).

    python3 scripts/gen_source_flood.py ADDRESSES PER RATE row|spread OUT [wide]

wide: the addresses spread over the whole IPv4 space, as a real botnet's are (distinct, 7 to 15
characters, about 13 on average; 10.a.b.c addresses are 8 to 12).

row: each address's failures one after another (an address at a time, as a botnet's scheduler
hands them out); spread: round-robin over all the addresses (every address open at once).
The dense botnet of BENCHMARKS.md is `48000 10 4 row`."""
import datetime as dt
import sys

if len(sys.argv) not in (6, 7) or sys.argv[4] not in ('row', 'spread') or sys.argv[6:] not in ([], ['wide']):
    sys.exit(__doc__)
n, per, rate, mode, path = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
start = dt.datetime(2026, 3, 1)
with open(path, 'w') as out:
    for j in range(n * per):
        i, k = divmod(j, per) if mode == 'row' else divmod(j, n)[::-1]
        t = start + dt.timedelta(seconds=int(j / rate))
        if len(sys.argv) == 7:
            h = (i * 2654435761) & 0xFFFFFFFF  # odd multiplier: distinct for distinct i
            ip = f"{h >> 24}.{(h >> 16) & 255}.{(h >> 8) & 255}.{h & 255}"
        else:
            ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        out.write(f"{t.strftime('%b %e %H:%M:%S')} web1 sshd[{2000 + i % 30000}]: Failed password for root from {ip} port {30000 + k} ssh2\n")
