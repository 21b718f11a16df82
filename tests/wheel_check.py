"""Build the wheel, install it in a throw-away venv and use it from outside the checkout.

An editable install finds the lessons beside the package; an ordinary one must find
them inside it. ``make test`` runs this script: it builds the wheel from the tracked
files, checks that every module, style sheet and lesson is in it, installs it (without
dependencies: the throw-away venv borrows them from the running venv, so no download),
then runs ``tui-tutor lessons list``, ``tui-tutor lessons check`` and the app's lesson
picker from a temporary folder. Any difference is one line and exit status 1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IGNORED = (".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis")


def fail(message: str) -> None:
    print(f"wheel check FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def run(cmd: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        fail(f"`{' '.join(str(c) for c in cmd)}` exited {done.returncode}:\n{tail}")
    return done.stdout


def source_files() -> list[str]:
    """The files a release is built from: the tracked ones when there is git."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [
            str(p.relative_to(REPO))
            for p in REPO.rglob("*")
            if p.is_file() and not any(part in IGNORED for part in p.relative_to(REPO).parts)
        ]
    return [name for name in out.decode().split("\0") if name and (REPO / name).is_file()]


def expected_in_wheel(files: list[str]) -> set[str]:
    """Every module and style sheet where it is, every lesson under tui_tutor/lessons/data/."""
    wanted = {f for f in files if f.startswith("tui_tutor/") and f.endswith((".py", ".tcss"))}
    for f in files:
        path = Path(f)
        if path.parent == Path("lessons") and (
            path.suffix == ".toml" or path.name == "schema.json"
        ):
            wanted.add(f"tui_tutor/lessons/data/{path.name}")
    return wanted


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="tui-tutor-wheel-"))
    try:
        files = source_files()
        src = tmp / "src"
        for name in files:
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, src / name)
        pip = [sys.executable, "-m", "pip"]
        run([*pip, "wheel", "-q", "--no-deps", "-w", tmp / "dist", src], cwd=tmp)
        wheel = next((tmp / "dist").glob("*.whl"))
        missing = sorted(expected_in_wheel(files) - set(zipfile.ZipFile(wheel).namelist()))
        if missing:
            fail(
                f"{wheel.name} lacks {', '.join(missing[:5])}"
                f"{' ...' if len(missing) > 5 else ''} (pyproject.toml lists each package under "
                "[tool.setuptools] packages, and each kind of data file under package-data)"
            )

        venv = tmp / "venv"
        run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp)
        python = venv / "bin" / "python"
        run([*pip, "--python", python, "install", "-q", "--no-deps", wheel], cwd=tmp)
        site = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp)
        # the dependencies, borrowed: a path line in a .pth file adds that folder alone (its
        # own .pth files, such as the editable install's finder, are not run)
        (Path(site.strip()) / "borrowed-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")

        away = tmp / "elsewhere"
        away.mkdir()
        env = {k: v for k, v in os.environ.items() if k not in ("TUI_TUTOR_LESSONS", "PYTHONPATH")}
        env["COLUMNS"] = "200"
        tutor = venv / "bin" / "tui-tutor"
        lessons = sorted(
            # Lessons are the top-level files; lessons/exams/ holds a trainer's example exam.
            Path(f).name
            for f in files
            if f.startswith("lessons/") and f.endswith(".toml") and f.count("/") == 1
        )
        listed = json.loads(run([tutor, "lessons", "list", "--json"], away, env))
        found = sorted(Path(row["file"]).name for row in listed)
        if found != lessons:
            fail(f"`tui-tutor lessons list` from the wheel shows {found}, not {lessons}")
        if not all(Path(row["file"]).is_relative_to(venv) for row in listed):
            fail(f"the wheel's tui-tutor read lessons outside its venv: {listed[0]['file']}")
        checked = run([tutor, "lessons", "check"], away, env).strip()
        if checked != f"{len(lessons)} lessons OK":
            fail(f"`tui-tutor lessons check` from the wheel says {checked!r}")
        picker = run(
            [
                python,
                "-c",
                "import sys; from pathlib import Path; from tui_tutor.app import make_app; "
                "app = make_app(data_dir=Path(sys.argv[1]), learner='wheel'); "
                "print(len(app.catalog), app.lessons_dir)",
                tmp / "data",
            ],
            away,
            env,
        ).split()
        if picker[0] != str(len(lessons)) or not Path(picker[1]).is_relative_to(venv):
            fail(f"the app's picker from the wheel lists {picker[0]} lessons from {picker[1]}")
        print(f"wheel check: {wheel.name} installed alone lists and checks {len(lessons)} lessons")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
