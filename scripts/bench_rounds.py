#!/usr/bin/env python3
"""Before and after in one run: for each corpus, rounds of `tripline analyze` with an earlier
build (one thread), this build (one thread and two) and `lnav -n`, run in turn so that the
machine's drift falls on all of them alike; prints the medians as a Markdown table.

    python3 scripts/bench_rounds.py ROUNDS BEFORE_BINARY [CORPORA_DIR]

BEFORE_BINARY is a release build of an earlier commit (for example one built in a worktree:
git worktree add /tmp/before 6864c1b && (cd /tmp/before && swift build -c release)). Each file
is analysed with a model this build trains on it. Needs lnav.

NOW=BINARY in the environment measures that binary as "now" instead of .build/release/tripline:
for example the build scripts/install.sh installs (--static-swift-stdlib, stripped) against the
plain `swift build -c release` of the same commit:
    swift build -c release --static-swift-stdlib --product tripline --scratch-path /tmp/sbuild
    strip -o /tmp/tripline-installed /tmp/sbuild/release/tripline
    NOW=/tmp/tripline-installed python3 scripts/bench_rounds.py 3 .build/release/tripline"""
import os, statistics, subprocess, sys, tempfile, time

if len(sys.argv) < 3:
    sys.exit(__doc__)
rounds = int(sys.argv[1])
before = sys.argv[2]
corpora_dir = sys.argv[3] if len(sys.argv) > 3 else 'bench_data/corpora'
here = os.path.dirname(os.path.abspath(__file__))
now = os.environ.get('NOW') or os.path.join(here, '..', '.build', 'release', 'tripline')
names = ['real_sshd.log', 'real_sshd_back.log', 'real_sshd_mixed.log', 'real_sshd_shuffled.log', 'real_linux.log',
         'corp_1200/auth.log', 'corp_50/auth.log']


def timed(cmd):
    t = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.monotonic() - t


print('| file | lines | before, 1 thread | now, 1 thread | now, 2 threads | lnav -n | now vs before | now vs lnav |')
print('|---|---|---|---|---|---|---|---|')
with tempfile.TemporaryDirectory() as models:
    for name in names:
        path = os.path.join(corpora_dir, name)
        if not os.path.exists(path):
            continue
        with open(path, 'rb') as f:
            lines = sum(1 for _ in f)
        model = os.path.join(models, name.replace('/', '_'))
        subprocess.run([now, 'train', '--data-path', path, '--model-dir', model], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        cmds = {
            'before': [before, 'analyze', path, '--model-dir', model, '--threads', '1', '--output', 'json'],
            'now1': [now, 'analyze', path, '--model-dir', model, '--threads', '1', '--output', 'json'],
            'now2': [now, 'analyze', path, '--model-dir', model, '--threads', '2', '--output', 'json'],
            'lnav': ['lnav', '-n', path],
        }
        for c in cmds.values():
            timed(c)  # warm-up
        times = {k: [] for k in cmds}
        for _ in range(rounds):
            for k, c in cmds.items():
                times[k].append(timed(c))
        m = {k: statistics.median(v) for k, v in times.items()}

        def rate(s):
            return f'{lines / s / 1000:,.0f}k/s ({s:.2f} s)'

        print(f"| {name} | {lines:,} | {rate(m['before'])} | {rate(m['now1'])} | {rate(m['now2'])} | {rate(m['lnav'])} "
              f"| {m['before'] / m['now1']:.2f}× faster | {m['lnav'] / m['now1']:.2f}× |", flush=True)
