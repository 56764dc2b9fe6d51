"""``manabu roster export-results``: grades.csv as a OneRoster 1.2 gradebook CSV zip.

The zip has ``manifest.csv``, ``categories.csv`` (one category, "Manabu lessons": a line item
must name one), ``lineItems.csv`` (one per lesson and class) and ``results.csv`` (one per
student and lesson), with the sourcedIds of the classes and students a OneRoster import stored
(``oneroster-ids.json``), so a 学習eポータル or LMS that sent the roster can take the results
back. Students who did not come from a OneRoster roster are left out and named. Text cells
that a spreadsheet would run as a formula are neutralised as in grades.csv.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from autograder.grading.csvcells import neutralize
from autograder.paths import CourseError

CATEGORIES = ["sourcedId", "status", "dateLastModified", "title", "weight"]
LINE_ITEMS = ["sourcedId", "status", "dateLastModified", "title", "description", "assignDate",
              "dueDate", "classSourcedId", "categorySourcedId", "gradingPeriodSourcedId",
              "resultValueMin", "resultValueMax"]
RESULTS = ["sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId",
           "scoreStatus", "score", "scoreDate", "comment"]
# every file of a OneRoster 1.2 CSV set; the manifest names each one
ALL_FILES = ["academicSessions", "categories", "classes", "classResources", "courses",
             "courseResources", "demographics", "enrollments", "lineItemLearningObjectiveIds",
             "lineItems", "lineItemScoreScales", "orgs", "resources", "resultLearningObjectiveIds",
             "results", "resultScoreScales", "roles", "scoreScales", "userProfiles", "userResources",
             "users"]
WRITTEN = {"categories", "lineItems", "results"}


def csv_text(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralize(row.get(k, "")) for k in columns})
    return out.getvalue()


def score_status(row) -> str:
    """OneRoster scoreStatus of a grades.csv row."""
    if row.kind == "missing":
        return "not submitted"
    if row.kind != "ok":
        return "submitted"  # could not be graded: the teacher looks at it (see the comment)
    return "partially graded" if row.needs_manual else "fully graded"


def export_results(course_dir: Path, out: Path, lessons: list[str] | None = None, log=print) -> Path:
    """Write the gradebook zip ``out`` from ``course_dir``'s grades.csv; return its path."""
    from autograder.build.nbconfig import COURSE_ID, built_course_dir, course_language, load_config
    from autograder.gradescsv import CSV_NAME, read_grades
    from autograder.report.class_report import catalog_title
    from autograder.school.roster_import import IDS, remembered

    course_dir = built_course_dir(course_dir)
    stored = remembered(course_dir)
    if not stored.get("users"):
        raise CourseError(f"{course_dir / IDS} does not exist or names nobody: the results need "
                          "the OneRoster sourcedIds of the students. Import the school's OneRoster "
                          f"zip first: manabu roster import ROSTER.zip --course {course_dir}")
    rows = read_grades(course_dir)
    known = sorted({r.lesson for r in rows})
    missing = [lesson for lesson in lessons or [] if lesson not in known]
    if missing:
        raise CourseError(f"grades.csv has no grades for lesson {', '.join(missing)} (it has: "
                          f"{', '.join(known)}). Grade it first: manabu grade LESSON --course {course_dir}")
    rows = [r for r in rows if not lessons or r.lesson in lessons]
    lang = course_language(course_dir)
    course_id = load_config(course_dir).CourseDirectory.get("course_id") or COURSE_ID
    stamp = datetime.fromtimestamp((course_dir / CSV_NAME).stat().st_mtime, timezone.utc)
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    category = f"manabu-{course_id}"
    items, results, left_out = {}, [], set()
    users, classes = stored["users"], stored.get("classes", {})
    for row in sorted(rows, key=lambda r: (r.lesson, r.student)):
        user = users.get(row.student)
        member = [k for k in (user or {}).get("classes", []) if k in classes]
        if not user or not member:
            left_out.add(row.student)
            continue
        klass = classes[member[0]]
        item_id = f"{category}-{row.lesson}-{klass['sourcedId']}"
        items.setdefault(item_id, {
            "sourcedId": item_id, "status": "active", "dateLastModified": when,
            "title": catalog_title(row.lesson, lang) or row.lesson,
            "description": f"Manabu {row.lesson}", "assignDate": when, "dueDate": when,
            "classSourcedId": klass["sourcedId"], "categorySourcedId": category,
            "resultValueMin": 0, "resultValueMax": f"{row.max_score:g}"})
        status = score_status(row)
        results.append({
            "sourcedId": f"{item_id}-{user['sourcedId']}", "status": "active",
            "dateLastModified": when, "lineItemSourcedId": item_id,
            "studentSourcedId": user["sourcedId"], "scoreStatus": status,
            "score": "" if status == "not submitted" else f"{row.score:g}", "scoreDate": when,
            "comment": "" if row.kind == "ok" else row.reason})
    manifest = [("manifest.version", "1.0"), ("oneroster.version", "1.2")]
    manifest += [(f"file.{name}", "bulk" if name in WRITTEN else "absent") for name in ALL_FILES]
    manifest += [("source.systemName", "Manabu"), ("source.systemCode", course_id)]
    title = "Manabu のレッスン" if lang == "ja" else "Manabu lessons"
    files = {
        "manifest.csv": csv_text(["propertyName", "value"],
                                 [{"propertyName": k, "value": v} for k, v in manifest]),
        "categories.csv": csv_text(CATEGORIES, [{"sourcedId": category, "status": "active",
                                                 "dateLastModified": when, "title": title}]),
        "lineItems.csv": csv_text(LINE_ITEMS, list(items.values())),
        "results.csv": csv_text(RESULTS, results),
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    partial.replace(out)
    log(f"Wrote {out}: {len(items)} line item(s) (lesson x class), {len(results)} result(s).")
    if left_out:
        log(f"Left out {len(left_out)} student(s) in no class of this course's OneRoster roster "
            f"(not imported from a OneRoster zip, or taken out of their class): "
            f"{', '.join(sorted(left_out))}.")
    return out
