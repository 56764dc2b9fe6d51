"""Benchmark: grade one class with plain nbgrader and with ``manabu grade``, side by side.

The same 16 submissions of a real lesson (right, wrong and blank answers) go into two freshly
built courses. Course A is graded the way nbgrader does it out of the box (``nbgrader autograde``
then ``nbgrader generate_feedback``, one kernel per notebook, serial); course B with
``manabu grade`` (sandbox on, a worker per core). The scores must be identical; the ratio of the
wall times is the result.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

PLAIN_PIPELINE = '''
# --- bench: plain nbgrader, its own kernel-based Execute and no Manabu sandbox ---
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata"]
c.OverwriteCells.add_missing_cells = False
'''


def make_class(course: Path, lesson_id: str, size: int) -> list[str]:
    """Submit ``size`` students: half right, a quarter with a wrong answer, a quarter blank."""
    import yaml

    from autograder.grading.submissions import answer_cells, fill_answers, read_versions, submit

    teacher, student = read_versions(course, lesson_id)
    right = answer_cells(teacher)
    wrong_file = Path(__file__).resolve().parents[2] / "tests" / "answers" / f"{lesson_id}.yaml"
    wrongs = yaml.safe_load(wrong_file.read_text(encoding="utf-8")) if wrong_file.exists() else {}
    variants = [(gid, answer) for gid, answers in wrongs.items() for answer in answers]
    names = []
    for i in range(size):
        if i % 4 == 3:
            nb = student
        elif i % 4 == 2 and variants:
            gid, answer = variants[i % len(variants)]
            nb = fill_answers(student, {**right, gid: answer})
        else:
            nb = fill_answers(student, right)
        name = f"student{i + 1:02d}"
        submit(course, name, lesson_id, nbformat.writes(nb))
        names.append(name)
    return names


def scores(course: Path, lesson_id: str, students: list[str]) -> dict[str, float]:
    from autograder.build.nbconfig import nbgrader_api

    api = nbgrader_api(course)
    with api.gradebook as gb:
        return {s: round(gb.find_submission(lesson_id, s).score, 3) for s in students}


def bench_grading(lesson_id: str = "e03", size: int = 16, log=print) -> dict:
    from autograder.build.builder import build_course
    from autograder.grading.grade import grade_lesson
    from autograder.grading.sandbox import describe, isolation_level

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    with tempfile.TemporaryDirectory(prefix="manabu-bench-") as tmp:
        plain, ours = Path(tmp) / "plain", Path(tmp) / "manabu"
        for course in (plain, ours):
            build_course(course, "en", [lesson_id], log=lambda *a: None)
        with (plain / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
            handle.write(PLAIN_PIPELINE)
        students = make_class(plain, lesson_id, size)
        make_class(ours, lesson_id, size)
        log(f"Grading {size} submissions of {lesson_id}: plain nbgrader (serial) ...")
        start = time.perf_counter()
        for step in ("autograde", "generate_feedback"):
            done = subprocess.run([sys.executable, "-m", "nbgrader", step, lesson_id, "--force"],
                                  cwd=plain, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"nbgrader {step} failed: {done.stderr[-2000:]}")
            if step == "autograde":
                plain_autograde = time.perf_counter() - start
        plain_seconds = time.perf_counter() - start
        log(f"  {plain_seconds:.1f} s (autograde alone {plain_autograde:.1f} s)")
        log(f"... and manabu grade ({describe(isolation_level())}):")
        start = time.perf_counter()
        grade_lesson(lesson_id, ours, log=lambda *a: None)
        ours_seconds = time.perf_counter() - start
        log(f"  {ours_seconds:.1f} s")
        same = scores(plain, lesson_id, students) == scores(ours, lesson_id, students)
    result = {"lesson": lesson_id, "submissions": size, "cpus": os.cpu_count(),
              "isolation": isolation_level(), "plain_nbgrader_s": round(plain_seconds, 1),
              "plain_autograde_only_s": round(plain_autograde, 1),
              "manabu_grade_s": round(ours_seconds, 1),
              "ratio": round(ours_seconds / plain_seconds, 3),
              "ratio_vs_autograde_only": round(ours_seconds / plain_autograde, 3),
              "scores_identical": same}
    log(f"manabu grade / plain nbgrader = {result['ratio']:.2f} "
        f"({result['ratio_vs_autograde_only']:.2f} against autograde alone); "
        f"scores identical: {'yes' if same else 'NO'}")
    if not same:
        raise RuntimeError("manabu grade and plain nbgrader gave different scores")
    return result
