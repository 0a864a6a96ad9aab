"""Decisions per second sustained by coders working at once on one project.

Each coder is a process with its own :class:`~themecoder.coding.CodingSession`, driven
the way the coding app's Enter drives it: decide the answer on screen
(``CodingSession.decide``, which the store refuses if another coder decided it meanwhile),
then move on (``CodingSession.next_todo``, which the store hands out and claims in one
transaction), until no answer is left. Measured for each number of coders on an SQLite
file, and on PostgreSQL when ``THEMECODER_TEST_PG`` names a server (an admin URL; a
scratch database is created and dropped for each run).

    python benchmarks/team_speed.py [--coders 2,4,8] [--answers 2000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(location: str, folder: Path, answers: int) -> None:
    """A project with the POET codebooks and ``answers`` commented holder answers."""
    from themecoder.codebook import load_codebook
    from themecoder.store import Project
    from themecoder.survey import SurveyMapping, read_survey

    lines = ["answer_id,respondent_id,group,question,text"]
    for r in range(-(-answers // 3)):
        for question in ("worked_well", "not_well", "change"):
            lines.append(f"R{r:05d}-{question},R{r:05d},holder,{question},answer {r}")
    survey = folder / "survey.csv"
    survey.write_text("\n".join(lines[:answers + 1]) + "\n", encoding="utf-8")
    with Project.create(location) as project:
        for name in ("poet_holders.yaml", "poet_carers.yaml"):
            project.add_codebook(load_codebook(ROOT / "codebooks" / name))
        project.import_survey(read_survey(survey, SurveyMapping(
            layout="long", id="respondent_id", group="group", question="question",
            text="text", answer_id="answer_id")))


def coder(location: str, name: str, start: object) -> tuple[int, int]:
    """Decide and move on, as the app's Enter does, until nothing is left.

    Returns:
        ``(decisions, refused)``: decisions saved, and decisions the store refused because
        another coder had decided the answer (there should be none).
    """
    from themecoder.coding import CodingSession
    from themecoder.errors import DecidedByOther
    from themecoder.store import Project

    project = Project.open(location)
    session = CodingSession(project, name)
    themes = project.codebook_for_group("holder").theme_ids[:4]
    start.wait(60)  # type: ignore[attr-defined]
    decided = refused = 0
    answer = session.current
    while answer is not None and session.my_decision(answer.id) is None:
        try:
            session.decide([themes[answer.id % len(themes)]])
            decided += 1
        except DecidedByOther:
            refused += 1
        answer = session.next_todo()
    session.close()
    project.close()
    return decided, refused


def measure(location: str, coders: int) -> tuple[int, int, float]:
    """Run ``coders`` processes at once; returns (decisions, refused, seconds)."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(coders) as pool:
        start = manager.Event()
        jobs = [pool.apply_async(coder, (location, f"coder{i}", start)) for i in range(coders)]
        time.sleep(2.0)  # every coder has opened the project and its session
        began = time.perf_counter()
        start.set()
        results = [job.get(timeout=1800) for job in jobs]
        seconds = time.perf_counter() - began
    return sum(r[0] for r in results), sum(r[1] for r in results), seconds


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def pg_database(admin: str) -> tuple[str, str]:
    """A new scratch database on the server: ``(url, name)``."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"tc_bench_{uuid.uuid4().hex[:8]}"
    dsn = admin.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin).set(database=name).render_as_string(hide_password=False), name


def drop_pg_database(admin: str, name: str) -> None:
    import psycopg

    dsn = admin.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_location(backend: str, admin: str, folder: str) -> Iterator[str]:
    """Where to build a project: a file in ``folder`` for SQLite, else a scratch database
    on the PostgreSQL server ``admin`` (dropped afterwards)."""
    if backend != "postgresql":
        yield str(Path(folder) / "bench.themecoder")
        return
    location, name = pg_database(admin)
    try:
        yield location
    finally:
        drop_pg_database(admin, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coders", default="2,4,8",
                        help="numbers of coders to measure, comma-separated (default 2,4,8)")
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    counts = [int(n) for n in args.coders.split(",") if n.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} CPUs · {cpu_model()} · "
          f"load average {os.getloadavg()[0]:.1f} · {args.answers} answers")
    print(f"{'backend':<11} {'coders':>6} {'decisions':>9} {'refused':>7} {'seconds':>8} "
          f"{'decisions/s':>11}  load")
    admin = os.environ.get("THEMECODER_TEST_PG")
    for backend in backends:
        if backend == "postgresql" and not admin:
            print("postgresql  skipped (set THEMECODER_TEST_PG to a server URL)")
            continue
        for n in counts:
            with tempfile.TemporaryDirectory() as folder, \
                    scratch_location(backend, admin or "", folder) as location:
                build(location, Path(folder), args.answers)
                decided, refused, seconds = measure(location, n)
            print(f"{backend:<11} {n:>6} {decided:>9} {refused:>7} {seconds:>8.1f} "
                  f"{decided / seconds:>11.1f}  {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
