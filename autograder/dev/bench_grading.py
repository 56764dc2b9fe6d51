"""Benchmark: grade one class with plain nbgrader and with ``manabu grade``, side by side.

The same 16 submissions of a real lesson (right, wrong and blank answers) go into two freshly
built courses. Course A is graded the way nbgrader does it out of the box (``nbgrader autograde``
then ``nbgrader generate_feedback``, one kernel per notebook, serial); course B with
``manabu grade`` (sandbox on, a worker per core). The scores must be identical; the ratio of the
wall times is the result.

Wall times on a shared machine move with other people's work, so the bench also says where the
time goes in CPU seconds per submission (:func:`breakdown`, one submission at a time): those
numbers, and their ratio, do not depend on how busy the machine is.
"""

from __future__ import annotations

import os
import resource
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
        plain_cpu = {}
        for step in ("autograde", "generate_feedback"):
            before = children_cpu()
            done = subprocess.run([sys.executable, "-m", "nbgrader", step, lesson_id, "--force"],
                                  cwd=plain, env=env, capture_output=True, text=True)
            plain_cpu[step] = (children_cpu() - before) / size
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
        log("Where the time goes (CPU seconds per submission; the same submissions graded again "
            "one at a time):")
        gradebook_use: dict[str, float] = {}
        ours_cpu = breakdown(ours, lesson_id, students[:4], gradebook_use)
    result = {"lesson": lesson_id, "submissions": size, "cpus": os.cpu_count(),
              "isolation": isolation_level(), "plain_nbgrader_s": round(plain_seconds, 1),
              "plain_autograde_only_s": round(plain_autograde, 1),
              "manabu_grade_s": round(ours_seconds, 1),
              "ratio": round(ours_seconds / plain_seconds, 3),
              "ratio_vs_autograde_only": round(ours_seconds / plain_autograde, 3),
              "scores_identical": same,
              "cpu_per_submission": {"plain_nbgrader": plain_cpu, "manabu": ours_cpu},
              "gradebook_per_submission": gradebook_use}
    for line in breakdown_table(plain_cpu, ours_cpu):
        log(line)
    log(f"Gradebook per submission (manabu grade): {gradebook_use['queries']:.0f} queries, "
        f"{gradebook_use['commits']:.0f} commits")
    log(f"manabu grade / plain nbgrader = {result['ratio']:.2f} "
        f"({result['ratio_vs_autograde_only']:.2f} against autograde alone); "
        f"scores identical: {'yes' if same else 'NO'}")
    if not same:
        raise RuntimeError("manabu grade and plain nbgrader gave different scores")
    return result


def children_cpu() -> float:
    """CPU seconds used so far by this process's finished children (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_cpu(pid: int) -> float:
    """CPU seconds of a running process and its descendants (0 once it is gone)."""
    import psutil

    total = 0.0
    try:
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                continue
    except psutil.Error:
        pass
    return total


def breakdown(course: Path, lesson_id: str, students: list[str],
              gradebook_use: dict[str, float] | None = None) -> dict[str, float]:
    """Grade ``students`` again one at a time in this process, as a ``manabu grade`` worker does,
    and return the mean CPU seconds per submission of each step. The sandboxed runner's CPU is
    read from outside (its process tree, just before it is told to end), the judge's likewise; the
    judge's start is paid once per worker and reported apart. ``gradebook_use`` gets the mean
    number of gradebook queries and commits per submission."""
    from unittest import mock

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    used = {"queries": 0, "commits": 0}

    def query(*_args):
        used["queries"] += 1

    def commit(*_args):
        used["commits"] += 1

    from autograder.grading import grade, sandbox

    totals: dict[str, float] = {}

    def add(key: str, seconds: float) -> None:
        totals[key] = totals.get(key, 0.0) + seconds

    marks: dict[str, float] = {}
    real_reply, real_send = sandbox._Run._sandbox_reply, sandbox.Channel.send
    from autograder.grading import zygote_client

    real_spawn = zygote_client.Zygote.spawn

    def runner_cpu(proc) -> float:
        """A fresh sandbox: its process tree. The zygote's child: the zygote's tree (the idle
        zygote itself, read just before the fork, taken away)."""
        if isinstance(proc, zygote_client.ForkedChild):
            return tree_cpu(proc.zygote.proc.pid) - marks.get("zygote idle", 0.0)
        return tree_cpu(proc.pid)

    def spawn(zygote, *args, **kwargs):
        marks["zygote idle"] = tree_cpu(zygote.proc.pid)
        totals.setdefault("zygote: start (once per worker)", marks["zygote idle"])
        return real_spawn(zygote, *args, **kwargs)

    def reply(run, position, seconds):
        message = real_reply(run, position, seconds)
        if position is None:  # the "ready" line: Python and the runner have started
            marks["ready"] = runner_cpu(run.sandbox.proc)
        return message

    def send(channel, message):
        if message == {"op": "end"}:  # the last cell is done; the runner is about to exit
            marks["end"] = runner_cpu(channel.proc)
        real_send(channel, message)

    def judge() -> float:
        held = sandbox._judges.get(os.getpid())
        return tree_cpu(held[0].proc.pid) if held else 0.0

    grade._start_worker(str(course), grade.Options(regrade=True), quiet_signals=False)
    api = grade._worker["api"]
    real_autograde, real_feedback, real_run = api.autograde, api.generate_feedback, sandbox.run_cells

    def timed(key, function):
        def call(*args, **kwargs):
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                add(key, time.process_time() - start)
        return call

    with mock.patch.object(sandbox._Run, "_sandbox_reply", reply), \
            mock.patch.object(zygote_client.Zygote, "spawn", spawn), \
            mock.patch.object(sandbox.Channel, "send", send), \
            mock.patch.object(sandbox, "run_cells", timed("driving the sandbox", real_run)), \
            mock.patch.object(api, "autograde", timed("autograde", real_autograde)), \
            mock.patch.object(api, "generate_feedback", timed("feedback", real_feedback)):
        for number, student in enumerate(students):
            if number == 1:  # the first submission opens the gradebook; count the usual ones
                event.listen(Engine, "before_cursor_execute", query)
                event.listen(Engine, "commit", commit)
            marks.clear()
            judge_before, start = judge(), time.process_time()
            grade.grade_one(str(course), lesson_id, student)
            add("grade_one", time.process_time() - start)
            add("sandbox: start Python and the runner", marks.get("ready", 0.0))
            add("sandbox: the notebook's cells", marks.get("end", 0.0) - marks.get("ready", 0.0))
            if number == 0:
                totals["judge: start (once per worker)"] = judge() - judge_before
            else:
                add("judge: the test cells", judge() - judge_before)
    if len(students) > 1:
        event.remove(Engine, "before_cursor_execute", query)
        event.remove(Engine, "commit", commit)
    if gradebook_use is not None:
        gradebook_use.update({k: v / max(1, len(students) - 1) for k, v in used.items()})
    n = len(students)
    out = {
        "sandbox: start Python and the runner": totals["sandbox: start Python and the runner"] / n,
        "sandbox: the notebook's cells": totals["sandbox: the notebook's cells"] / n,
        "judge: the test cells": totals.get("judge: the test cells", 0.0) / max(1, n - 1),
        "nbgrader autograde: bookkeeping": (totals["autograde"] - totals["driving the sandbox"]) / n,
        "manabu: driving sandbox and judge": totals["driving the sandbox"] / n,
        "nbgrader generate_feedback": totals["feedback"] / n,
        "manabu: preflight, ledger, rows": (totals["grade_one"] - totals["autograde"]
                                            - totals["feedback"]) / n,
    }
    out["judge: start (once per worker)"] = totals["judge: start (once per worker)"]
    out["zygote: start (once per worker)"] = totals.get("zygote: start (once per worker)", 0.0)
    return {key: round(value, 3) for key, value in out.items()}


def breakdown_table(plain: dict[str, float], ours: dict[str, float]) -> list[str]:
    """The two breakdowns side by side, with totals and the CPU ratio."""
    once = [k for k in ours if "(once per worker)" in k]
    lines = [f"  {'manabu grade':<40}{'':>7}   plain nbgrader"]
    left = [(k, v) for k, v in ours.items() if k not in once]
    right = [("autograde (kernel, notebook, bookkeeping)", plain["autograde"]),
             ("generate_feedback", plain["generate_feedback"])]
    for i in range(max(len(left), len(right))):
        a = f"  {left[i][0]:<40}{left[i][1]:7.2f}" if i < len(left) else " " * 49
        b = f"   {right[i][0]:<42}{right[i][1]:6.2f}" if i < len(right) else ""
        lines.append(a + b)
    ours_total, plain_total = sum(v for _k, v in left), sum(plain.values())
    lines.append(f"  {'total per submission':<40}{ours_total:7.2f}   {'total':<42}{plain_total:6.2f}")
    lines.append("  (" + "; ".join(f"{k}: {ours[k]:.2f} s" for k in once) + ")")
    lines.append(f"CPU per submission: manabu grade / plain nbgrader = {ours_total / plain_total:.2f}; "
                 f"with {os.cpu_count()} cores busy the wall ratio can reach about "
                 f"{ours_total / plain_total / (os.cpu_count() or 1):.2f}")
    return lines
