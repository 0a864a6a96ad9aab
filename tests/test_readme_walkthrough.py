"""The README's "A survey from start to finish" runs as written, in an empty folder.

Every command of its code block is run in order (the coding app's line is left to the
tmux test, which drives the app in a real terminal), and each must succeed.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def walkthrough_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A survey from start to finish", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    joined = block.replace("\\\n", " ")
    return [shlex.split(line) for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    commands = walkthrough_commands()
    assert [c[1] for c in commands] == ["sample", "init", "import", "status", "train", "train",
                                        "suggest", "code", "export", "quotes", "report"]
    bin_dir = Path(sys.executable).parent
    for command in commands:
        if command[1] == "code":
            continue
        result = subprocess.run([str(bin_dir / command[0]), *command[1:]], cwd=tmp_path,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
    assert (tmp_path / "models" / "poet-2025" / "poet_holders").is_dir()
    assert (tmp_path / "models" / "poet-2025" / "poet_carers").is_dir()
    assert (tmp_path / "results" / "metadata.json").is_file()
    assert (tmp_path / "report.docx").stat().st_size > 0


def test_sample_leaves_a_changed_file_alone(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "themecoder"
    assert subprocess.run([str(exe), "sample"], cwd=tmp_path, capture_output=True).returncode == 0
    mine = tmp_path / "sample_data" / "mapping.yaml"
    mine.write_text("layout: long\n", encoding="utf-8")
    again = subprocess.run([str(exe), "sample"], cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 2 and "mapping.yaml" in again.stderr
    assert mine.read_text(encoding="utf-8") == "layout: long\n"
