"""``make bench``: measure every lesson notebook (execution time, kernel peak memory).

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

from autograder.execute import run_notebook
from autograder.lessonfile import read_notebook, split_teacher_notes
from course.catalog import LANGUAGES, load_catalog


def bench_lessons(langs=LANGUAGES, log=print) -> list[dict]:
    rows = []
    for lang in langs:
        for lesson in load_catalog(lang):
            nb, _notes = split_teacher_notes(read_notebook(lesson))
            with tempfile.TemporaryDirectory() as tmp:
                _nb, stats = run_notebook(nb, Path(tmp))
            row = {"lesson": lesson.id, "lang": lang, "seconds": round(stats.seconds, 2),
                   "peak_kernel_mb": round(stats.peak_mb, 1), "errors": len(stats.errors)}
            rows.append(row)
            log(f"  {lesson.id} {lang}  {row['seconds']:6.2f} s  {row['peak_kernel_mb']:7.1f} MB"
                f"  errors: {row['errors']}")
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="build/bench.json", help="where to write the results")
    args = ap.parse_args(argv)
    print("Lesson notebooks (teacher version, fresh kernel):")
    print("  id  lang   time      peak kernel memory")
    results = {"machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
               "when": time.strftime("%Y-%m-%d %H:%M:%S"),
               "lesson_execution": bench_lessons()}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
