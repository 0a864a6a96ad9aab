"""Cold start of the coding app: a new ``themecoder code`` process → first answer on screen.

Each run starts the real command as a new process in a pseudo-terminal (120×40, as a
person's terminal would be), reads what it draws, and stops the clock when the first
answer's line ("respondent … · answer …") has been drawn; then it presses ctrl+q. Nothing
is imported or warmed up in advance: the interpreter, Textual, the store and the project
are all loaded by the process being timed (the operating system's file cache is warm
after the first run, as it is for a person who opens the app twice).

Projects: the demo's current-year project (``themecoder demo --no-tui``, 1,260 answers with
the shipped model's suggestions) and a made-up project of 100,000 answers, each with a
stored suggestion (built as in ``benchmarks/app_speed.py``).

Run: ``python benchmarks/app_start.py [--runs 5] [--answers 100000]``
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THEMECODER = Path(sys.executable).parent / "themecoder"
FIRST_ANSWER = re.compile(rb"respondent \S+ \xc2\xb7 answer \d+")
ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]"
                     rb"|\x1b\][^\x07]*\x07")
TARGET = 2.0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_answer_seconds(location: str, *, timeout: float = 120.0) -> tuple[float, float]:
    """Start ``themecoder code`` on ``location`` in a new pty; seconds until the first
    answer is drawn, wall clock and the process's CPU time (which a busy machine does not
    stretch)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command, as a person would run it
        os.environ["TERM"] = "xterm-256color"
        os.execv(str(THEMECODER), [str(THEMECODER), "code", location, "--coder", "bench"])
    started = time.perf_counter()
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    seen = b""
    try:
        while True:
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"no answer on screen after {timeout:.0f} s")
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                raise RuntimeError("themecoder code ended before showing an answer:\n"
                                   + ESCAPES.sub(b"", seen).decode(errors="replace")) from None
            seen += chunk
            if FIRST_ANSWER.search(ESCAPES.sub(b"", seen)):
                return time.perf_counter() - started, cpu_seconds(pid)
    finally:
        os.write(fd, b"\x11")  # ctrl+q
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            try:
                select.select([fd], [], [], 0.2)
                os.read(fd, 65536)
            except OSError:
                pass
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


def demo_project(folder: Path) -> str:
    """The demo's current-year project (built by ``themecoder demo --no-tui``)."""
    subprocess.run([str(THEMECODER), "demo", "--no-tui", "--dir", str(folder)], check=True,
                   capture_output=True)
    return str(folder / "current_year.db")


def report(label: str, runs: list[tuple[float, float]]) -> None:
    wall = [w for w, _ in runs]
    cpu = [c for _, c in runs]
    print(f"{label}: first answer after {statistics.median(wall):.2f} s median "
          f"(min {min(wall):.2f}, max {max(wall):.2f}, {len(runs)} cold starts; "
          f"target ≤ {TARGET:.0f} s); CPU time {statistics.median(cpu):.2f} s median; "
          f"load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--answers", type=int, default=100_000)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        demo = demo_project(Path(tmp) / "demo")
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from app_speed import build

        big = build(Path(tmp), args.answers)
        for label, location in (("demo project (1,260 answers)", demo),
                                (f"{args.answers:,} answers", big)):
            first_answer_seconds(location)  # warm the file cache once, not counted
            report(label, [first_answer_seconds(location) for _ in range(args.runs)])
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
