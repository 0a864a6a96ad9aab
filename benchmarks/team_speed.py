"""Decisions per second sustained by coders working at once on one project.

Each coder is a process that claims the next answer (``claim_next``) and records a
decision on it (``Project.record_decision``), as the coding app does, until the
answers run out. Run once per backend: an SQLite file, and a PostgreSQL database when
``THEMECODER_TEST_PG`` names a server (an admin URL; a scratch database is created and
dropped).

    python benchmarks/team_speed.py [--coders 4] [--answers 2000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import tempfile
import time
import uuid
from datetime import date
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


def coder(location: str, name: str, start: object) -> int:
    """Claim and decide answers until none is left; returns how many."""
    from themecoder.store import Project
    from themecoder.store.teams import claim_next

    project = Project.open(location)
    themes = project.codebook_for_group("holder").theme_ids[:4]
    start.wait(60)  # type: ignore[attr-defined]
    count = 0
    while (answer_id := claim_next(project, name)) is not None:
        project.record_decision(answer_id, name, [themes[answer_id % len(themes)]])
        count += 1
    project.close()
    return count


def measure(location: str, coders: int) -> tuple[int, float]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(coders) as pool:
        start = manager.Event()
        jobs = [pool.apply_async(coder, (location, f"coder{i}", start)) for i in range(coders)]
        time.sleep(1.0)  # every coder has opened the project
        began = time.perf_counter()
        start.set()
        total = sum(job.get(timeout=900) for job in jobs)
        return total, time.perf_counter() - began


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coders", type=int, default=4)
    parser.add_argument("--answers", type=int, default=2000)
    args = parser.parse_args()
    print(f"{date.today()} · {os.cpu_count()} CPUs · {cpu_model()} · "
          f"{args.coders} coders, {args.answers} answers")
    with tempfile.TemporaryDirectory() as folder:
        location = str(Path(folder) / "bench.themecoder")
        build(location, Path(folder), args.answers)
        total, seconds = measure(location, args.coders)
        print(f"sqlite      {total} decisions in {seconds:6.1f} s = {total / seconds:6.1f}/s")
        admin = os.environ.get("THEMECODER_TEST_PG")
        if not admin:
            print("postgresql  skipped (set THEMECODER_TEST_PG to a server URL)")
            return
        import psycopg
        from sqlalchemy.engine import make_url

        name = f"tc_bench_{uuid.uuid4().hex[:8]}"
        dsn = admin.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = make_url(admin).set(database=name).render_as_string(hide_password=False)
            build(url, Path(folder), args.answers)
            total, seconds = measure(url, args.coders)
            print(f"postgresql  {total} decisions in {seconds:6.1f} s = "
                  f"{total / seconds:6.1f}/s")
        finally:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
