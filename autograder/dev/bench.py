"""``make bench``: measure every lesson notebook (execution time, kernel peak memory), and in
Chromium with and without 4× CPU throttling (:mod:`autograder.dev.browser_bench`).

Prints a table and writes ``build/bench.json``. Timings here are reports, not tests:
machines are shared and noisy, so nothing fails on a number.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

from autograder.build.lessonfile import read_notebook, split_teacher_notes
from autograder.dev.execute import run_notebook
from autograder.dev.prose import fk_grade, readings_count
from course.catalog import load_catalog
from course.i18n import LANGUAGES


def bench_lessons(langs=LANGUAGES, log=print) -> list[dict]:
    rows = []
    for lang in langs:
        for lesson in load_catalog(lang):
            nb, _notes = split_teacher_notes(read_notebook(lesson))
            with tempfile.TemporaryDirectory() as tmp:
                _nb, stats = run_notebook(nb, Path(tmp))
            row = {"lesson": lesson.id, "lang": lang, "seconds": round(stats.seconds, 2),
                   "peak_kernel_mb": round(stats.peak_mb, 1), "errors": len(stats.errors)}
            full = read_notebook(lesson)
            if lang == "en":
                row["fk_grade"] = round(fk_grade(full), 1)
                language = f"FK grade {row['fk_grade']}"
            else:
                row["readings"] = readings_count(full)
                language = f"readings {row['readings']}"
            rows.append(row)
            log(f"  {lesson.id} {lang}  {row['seconds']:6.2f} s  {row['peak_kernel_mb']:7.1f} MB"
                f"  errors: {row['errors']}  {language}")
    return rows


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def bench_widgets(events: int = 60, log=print) -> list[dict]:
    """p50/p95 of every widget handler that a widget module lists in ``bench_cases()``."""
    import importlib
    import pkgutil

    import course.widgets

    rows = []
    for info in pkgutil.iter_modules(course.widgets.__path__):
        try:
            module = importlib.import_module(f"course.widgets.{info.name}")
            cases = getattr(module, "bench_cases", lambda: [])()
        except Exception as err:  # report it and measure the others
            log(f"  {info.name}: could not be measured: {err!r}")
            rows.append({"widget": info.name, "error": repr(err)})
            continue
        for label, event in cases:
            for _ in range(3):  # warm up caches and lazy imports
                event()
            times = []
            for _ in range(events):
                start = time.perf_counter()
                event()
                times.append((time.perf_counter() - start) * 1000)
            row = {"widget": f"{info.name}: {label}", "events": events, "p50_ms": round(percentile(times, 50), 2),
                   "p95_ms": round(percentile(times, 95), 2)}
            rows.append(row)
            log(f"  {row['widget']:<55} p50 {row['p50_ms']:7.2f} ms   p95 {row['p95_ms']:7.2f} ms")
    return rows


def bench_import(runs: int = 7) -> dict:
    """Wall time of `import course` in a fresh interpreter, against an empty interpreter."""
    import statistics
    import subprocess
    import sys

    def timed(code: str) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    baseline, with_course = timed("pass"), timed("import course")
    return {"python_ms": round(baseline, 1), "import_course_ms": round(with_course, 1),
            "added_ms": round(with_course - baseline, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="build/bench.json", help="where to write the results")
    ap.add_argument("--only", choices=["lessons", "widgets", "import", "grading", "live", "devices"],
                    action="append", help="run only these parts (default: all)")
    args = ap.parse_args(argv)
    parts = set(args.only or ["lessons", "widgets", "import", "grading", "live", "devices"])
    results = {"machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
               "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    if "lessons" in parts:
        print("Lesson notebooks (teacher version, fresh kernel):")
        print("  id  lang   time      peak kernel memory")
        results["lesson_execution"] = bench_lessons()
    if "widgets" in parts:
        print("Widget handlers (one event each, including the redraw):")
        results["widget_handlers"] = bench_widgets()
    if "import" in parts:
        results["import_course"] = bench_import()
        print("import course: {import_course_ms} ms (empty Python: {python_ms} ms, added: {added_ms} ms)"
              .format(**results["import_course"]))
    if "grading" in parts:
        from autograder.dev.bench_grading import bench_grading

        print("Grading a class (plain nbgrader and manabu grade, side by side):")
        results["grading"] = bench_grading()
    if "live" in parts:
        from autograder.live.bench import bench_live

        results["live_view"] = live = bench_live()
        print("Live class view: {event_us} µs per event; the page's poll for {students} students "
              "× {exercises} exercises: {poll_ms} ms, {poll_bytes} bytes".format(**live))
    if "devices" in parts:
        from autograder.dev.browser_bench import bench_devices, host_line, table

        print("Every lesson in Chromium, at full speed and with 4x CPU throttling (a low-end device):")
        results["devices"] = devices = bench_devices()
        print(host_line(devices["host"]))
        print(table(devices["lessons"]))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
