"""Where a course keeps its gradebook: SQLite in the course folder (the default) or PostgreSQL.

``--db URL`` on ``manabu build``, ``grade`` and ``roster import`` is checked (can we connect?)
and then recorded in the course's ``nbgrader_config.py`` as ``c.CourseDirectory.db_url``, so
every later nbgrader command, the Formgrader and ``manabu grade`` use the same gradebook.
"""

from __future__ import annotations

import re
from pathlib import Path

from autograder.build.configlines import config_path, set_line
from autograder.paths import CourseError

SCHEMES = ("postgresql", "postgresql+psycopg", "postgresql+psycopg2", "sqlite")


def hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def check_db_url(url: str) -> str:
    """Connect to ``url`` once; return it (``postgresql://`` spelled ``postgresql+psycopg://``),
    or raise :class:`CourseError` saying what to do."""
    url = url.strip()
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in SCHEMES:
        raise CourseError(f"--db {hide_password(url)!r} is not a gradebook address: use "
                          "postgresql://USER:PASSWORD@HOST:PORT/DATABASE (or sqlite:////path/gradebook.db).")
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    if scheme == "postgresql":  # name the driver Manabu installs (psycopg 3), whatever
        url = "postgresql+psycopg" + url[len(scheme):]  # SQLAlchemy's default for this version
    shown = hide_password(url)
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, ValueError) as err:
        raise CourseError(f"--db {shown!r} cannot be read ({err}): use "
                          "postgresql://USER:PASSWORD@HOST:PORT/DATABASE.") from None
    except (ImportError, NoSuchModuleError):
        raise CourseError("The PostgreSQL driver is not installed: pip install 'manabu[postgres]' "
                          "(psycopg) into Manabu's environment, then try again.") from None
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as err:
        raise CourseError(f"Cannot open the gradebook at {shown}: {_reason(err)}") from None
    finally:
        engine.dispose()
    return url


def _reason(err) -> str:
    """One line a school IT person can act on, from a driver error."""
    text = str(getattr(err, "orig", err)).strip()
    first = text.splitlines()[0] if text else repr(err)
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        return (f"{first}. Check the user name and password in --db "
                "(or put the password in ~/.pgpass).")
    if "does not exist" in low and "database" in low:
        return f"{first}. Create it first: createdb -O USER DATABASE (as the postgres user)."
    if "connection refused" in low or "could not connect" in low or "timeout" in low \
            or "could not translate host name" in low or "resolve host" in low \
            or "no such file" in low:
        return (f"{first}. Is PostgreSQL running there? Check the host and port in --db "
                "(pg_isready -h HOST -p PORT tells).")
    if "unable to open database file" in low:
        return f"{first}. Check the folder of the SQLite file exists and is writable."
    return first


def record_db_url(course_dir: Path, url: str) -> bool:
    """Check ``url`` and write it into ``nbgrader_config.py``; True if the file changed."""
    config_path(course_dir)  # a course first, then the (slower) connection check
    return set_line(course_dir, "c.CourseDirectory.db_url", check_db_url(url),
                    "The gradebook (nbgrader's database), set by `manabu ... --db`. "
                    "Default: gradebook.db (SQLite) in the course folder.")
