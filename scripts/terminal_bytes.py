#!/usr/bin/env python3
"""Bytes the dashboard writes to its terminal per second, through a real pty: idle, and while
attacks arrive at a given rate of incidents per minute (each a new address failing six passwords).

    python3 scripts/terminal_bytes.py [--binary .build/release/tripline] [--size 120x30]
                                      [--seconds 30] [--rate 100]

With --peer lnav, lnav follows the same file in the same way, for a side-by-side figure.
Prints one line per phase: bytes, seconds, bytes per second. Needs only the standard library.
"""
import argparse, fcntl, os, pty, select, struct, sys, tempfile, termios, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/tripline")
    ap.add_argument("--size", default="120x30")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--rate", type=float, default=100, help="incidents per minute while attacked")
    ap.add_argument("--term", default="xterm-256color")
    ap.add_argument("--model-dir", help="a trained model (default: none, the rules only)")
    ap.add_argument("--peer", choices=["lnav"], help="run this peer on the same file instead, for comparison")
    a = ap.parse_args()
    cols, rows = (int(x) for x in a.size.split("x"))
    work = tempfile.mkdtemp(prefix="tripline-tty-")
    log = os.path.join(work, "auth.log")
    with open(log, "w") as f:
        f.write("2026-03-06T09:59:00+00:00 web-01 sshd[1]: Server listening on 0.0.0.0 port 22.\n")
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, TERM=a.term, LANG="C.UTF-8", TZ="UTC", COLUMNS=str(cols), LINES=str(rows))
        if a.peer == "lnav":
            os.execvpe("lnav", ["lnav", log], env)
        os.execvpe(a.binary, [a.binary, "dashboard", log, "--model-dir", a.model_dir or os.path.join(work, "none")], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def drain(seconds, each=None):
        n, end, last_tick = 0, time.time() + seconds, time.time()
        while True:
            now = time.time()
            if now >= end:
                return n
            if each and now - last_tick >= 1:
                each(); last_tick = now
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    n += len(os.read(fd, 65536))
                except OSError:
                    return n

    drain(3)  # start-up: the first full paint
    idle = drain(a.seconds)
    print(f"idle: {idle} bytes in {a.seconds:.0f} s = {idle / a.seconds:.0f} B/s")
    state = {"ip": 0, "t": 0, "due": 0.0}
    def attack():
        state["due"] += a.rate / 60
        with open(log, "a") as f:
            while state["due"] >= 1:
                state["due"] -= 1
                state["ip"] += 1
                ip = f"198.51.{state['ip'] // 250 % 250}.{state['ip'] % 250 + 1}"
                for k in range(6):
                    state["t"] += 1
                    ts = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(1772791200 + state["t"]))
                    f.write(f"{ts} web-01 sshd[{1000 + state['t']}]: Failed password for root from {ip} port {40000 + k} ssh2\n")
    busy = drain(a.seconds, attack)
    print(f"{a.rate:.0f} incidents/min: {busy} bytes in {a.seconds:.0f} s = {busy / a.seconds:.0f} B/s ({state['ip']} incidents written)")
    os.write(fd, b"q")
    if a.peer == "lnav":
        time.sleep(0.3); os.write(fd, b"q")
    drain(1)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass

if __name__ == "__main__":
    main()
