"""What the test scripts share: the project root, and a check that prints `ok`/`FAIL` and
remembers what failed, for a summary line and the exit status."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def summary():
    """Prints the number of failures; returns the exit status (1 when any)."""
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0
