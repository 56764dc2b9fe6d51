#!/usr/bin/env bash
# Install Manabu's single-user environment (what every student and teacher server runs):
# a Python venv at PREFIX with Manabu, JupyterLab, nbgrader, the Japanese language pack and
# jupyterhub-singleuser, readable by every user. The Dockerfile runs this script; so does the
# hub test (tests/test_hub.py), which is how the image recipe is tested without Docker.
#
# Safe to run again: an existing venv is reused and brought up to date.
#
#   deploy/image/install.sh [--python PY] [--prefix DIR] [--source REPO_OR_WHEEL]
#                           [--lessons remove|keep|DIR] [--lessons-group GROUP] [--private-homes]
#
#   --python   the Python to build the venv from (default: python3). On a hub use a system
#              Python every user can run, e.g. /usr/bin/python3, never one under /root.
#   --prefix   where the venv goes (default: /opt/manabu)
#   --source   the Manabu repository or a built wheel (default: the repository of this script)
#   --lessons  the lesson texts, which hold the teachers' answers:
#                remove  (default) a student image: no answers anywhere in the environment
#                keep    a teacher-only image: lessons stay inside the package
#                DIR     move them to DIR, readable only by --lessons-group (one shared server);
#                        set MANABU_LESSONS=DIR for the teachers (the hub config does).
#   --private-homes  a shared school server: every home in /home becomes 0700, and accounts
#              made later too (HOME_MODE 0700 in /etc/login.defs; deploy/image/private-homes.sh)
set -euo pipefail

PYTHON=python3
PREFIX=/opt/manabu
SOURCE="$(cd "$(dirname "$0")/../.." && pwd)"
LESSONS=remove
LESSONS_GROUP=""
PRIVATE_HOMES=no

die() { echo "install.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --python) PYTHON="${2:?--python needs a value}"; shift 2 ;;
    --prefix) PREFIX="${2:?--prefix needs a value}"; shift 2 ;;
    --source) SOURCE="${2:?--source needs a value}"; shift 2 ;;
    --lessons) LESSONS="${2:?--lessons needs a value}"; shift 2 ;;
    --lessons-group) LESSONS_GROUP="${2:?--lessons-group needs a value}"; shift 2 ;;
    --private-homes) PRIVATE_HOMES=yes; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
command -v "$PYTHON" >/dev/null || die "no Python at '$PYTHON'. Install python3 and python3-venv, or pass --python."
[ -e "$SOURCE" ] || die "no Manabu source at $SOURCE. Pass --source with the repository or a wheel."
case "$LESSONS" in
  remove|keep) ;;
  /*) [ -n "$LESSONS_GROUP" ] || die "--lessons DIR needs --lessons-group GROUP (the teachers' Unix group)."
      getent group "$LESSONS_GROUP" >/dev/null || die "no Unix group '$LESSONS_GROUP'. Create it: groupadd $LESSONS_GROUP" ;;
  *) die "--lessons must be remove, keep or an absolute folder, not '$LESSONS'." ;;
esac

umask 022   # everything below must be readable by every user
step() { echo "[$1/6] $2"; }

step 1 "venv at $PREFIX (from $PYTHON)"
if [ -x "$PREFIX/bin/python" ] && ! "$PREFIX/bin/python" -c 'import sys' 2>/dev/null; then
  die "$PREFIX/bin/python is broken (was its Python removed?). Delete $PREFIX and run again."
fi
[ -x "$PREFIX/bin/python" ] || "$PYTHON" -m venv "$PREFIX" \
  || die "could not make a venv at $PREFIX: on Debian install python3-venv."
PIP=("$PREFIX/bin/python" -m pip --disable-pip-version-check --quiet)

step 2 "Manabu wheel from $SOURCE"
WHEELS="$(mktemp -d)"
trap 'rm -rf "$WHEELS"' EXIT
if [ -f "$SOURCE" ]; then
  cp "$SOURCE" "$WHEELS/"
else
  "${PIP[@]}" wheel --no-deps --wheel-dir "$WHEELS" "$SOURCE"
fi
WHEEL="$(ls "$WHEELS"/manabu-*.whl)"

step 3 "packages: Manabu, JupyterLab, nbgrader, Japanese language pack, jupyterhub-singleuser"
"${PIP[@]}" install "$WHEEL" "jupyterlab>=4.2" "nbgrader>=0.9.6" \
  "jupyterlab-language-pack-ja-JP" "jupyterhub>=5"
# same version number, new code: put this wheel in even if pip thinks it is already there
"${PIP[@]}" install --force-reinstall --no-deps "$WHEEL"
# compiled translation catalogs (.mo): made here once, so no student's kernel compiles them
"$PREFIX/bin/python" -m course.catalogs >/dev/null

chmod -R a+rX "$PREFIX"

step 4 "lesson texts (teachers' answers): $LESSONS"
SITE="$("$PREFIX/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
PACKAGED="$SITE/course/_lessons"
case "$LESSONS" in
  keep) ;;
  remove) rm -rf "$PACKAGED" ;;
  *) rm -rf "$LESSONS"; mkdir -p "$(dirname "$LESSONS")"
     mv "$PACKAGED" "$LESSONS"
     chgrp -R "$LESSONS_GROUP" "$LESSONS"
     chmod -R u=rwX,g=rX,o= "$LESSONS" ;;
esac
# the wheel's file list names the lessons; pip uninstall copes with their absence
find "$SITE/course" -name '*.pyc' -path '*_lessons*' -delete 2>/dev/null || true

step 5 "Jupyter configuration: students see no Formgrader, teachers see their classes"
ETC="$PREFIX/etc/jupyter"
# Three levels, chosen by JUPYTER_CONFIG_PATH (deploy/hub/jupyterhub_config.py sets it):
#   students (default): the Assignment List and Validate only;
#   teachers ($PREFIX/etc/jupyter-teacher): + Course List (a link to each class's Formgrader
#     service) and the Create Assignment toolbar;
#   a class's grader service ($PREFIX/etc/jupyter-grader): + the Formgrader on the course folder.
# Hiding tools is for a tidy menu; the protection is that only graders can read course folders.
lab_config() {  # DIR formgrader create-assignment course-list (true = disabled) ROLE
  mkdir -p "$1/labconfig" "$1/jupyter_server_config.d"
  rm -f "$1"/jupyter_server_config.d/zz-manabu-*.json  # ours, from any earlier run
  # JupyterLab plugins nobody uses in a lesson are off, and nbgrader's tools by role
  # (autograder/labpage.py: a slow school laptop opens a lesson sooner)
  "$PREFIX/bin/python" -m autograder.labpage "$5" "$1"
  # server extensions: the opposite booleans (true = enabled)
  local on_formgrader on_courses
  if [ "$2" = true ]; then on_formgrader=false; else on_formgrader=true; fi
  if [ "$4" = true ]; then on_courses=false; else on_courses=true; fi
  # autograder.school.my_lessons_server: the students' "My lessons" panel (fetch, submit, own score)
  # autograder.school.school_labels: class names and the school's times in nbgrader's panels
  # autograder.school.formgrader_labels: the Formgrader's labels in the course language, and no CDN MathJax (offline)
  # autograder.school.assignment_list: nbgrader's Assignment List reads the config from the
  #   server's root folder (not the process's) and tells a child one short sentence on errors
  # autograder.school.export_formats: JupyterLab's export formats worked out once, not on every
  #   notebook a child opens
  # autograder.school.early_kernel: a lesson's kernel starts while its page loads
  # autograder.labpage: extension packages turned off as a whole are not even fetched
  # autograder.school.compressed_assets: JupyterLab's code and the server's answers go
  #   gzip-compressed (a lesson page: 7.6 -> 2.1 MB on the classroom's Wi-Fi)
  echo "{\"ServerApp\": {\"jpserver_extensions\": {\"nbgrader.server_extensions.formgrader\": $on_formgrader, \"nbgrader.server_extensions.course_list\": $on_courses, \"autograder.school.my_lessons_server\": true, \"autograder.school.school_labels\": true, \"autograder.school.formgrader_labels\": true, \"autograder.school.assignment_list\": true, \"autograder.school.export_formats\": true, \"autograder.school.early_kernel\": true, \"autograder.labpage\": true, \"autograder.school.compressed_assets\": true}}}" \
    > "$1/jupyter_server_config.d/zz-manabu-role.json"
}
lab_config "$ETC" true true true student
lab_config "$PREFIX/etc/jupyter-teacher" true false false teacher
lab_config "$PREFIX/etc/jupyter-grader" false false false grader
# JupyterHub >= 4.1 makes user servers send "frame-ancestors 'none'", which blanks the
# Formgrader panel (an iframe of the same server) inside JupyterLab. Same-origin frames are safe.
# (A .py file: ServerApp.tornado_settings in jupyter_server_config.d/*.json is not applied.)
cat > "$ETC/jupyter_server_config.py" <<'PY'
# Manabu: written by deploy/image/install.sh
c = get_config()  # noqa: F821
# a plain dict: jupyterhub-singleuser reads this setting as one
c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
# never wait for an answer to "Shut down this server?" (a hub started by hand in a terminal)
c.ServerApp.answer_yes = True
# the school font (BIZ UDPGothic) for Japanese widgets, served by the user's own server, as
# `manabu lab` does (course.render.school_font_css)
from course.style import FONTS_DIR  # noqa: E402
c.ServerApp.extra_static_paths = [str(FONTS_DIR)]
PY
# JupyterLab defaults as `manabu lab` sets them (autograder/lab.py): school machines are
# offline (no news pop-up); a lesson draws the cells on the screen first, the rest while it waits
mkdir -p "$PREFIX/share/jupyter/lab/settings"
"$PREFIX/bin/python" -c 'import json; from autograder.lab import lab_overrides; print(json.dumps(lab_overrides()))' \
  > "$PREFIX/share/jupyter/lab/settings/overrides.json"
# JupyterLab's and the extensions' code compressed once, here: a child's server sends these
# copies and compresses nothing itself (autograder.school.compressed_assets)
"$PREFIX/bin/python" -m autograder.school.compressed_assets "$PREFIX/share/manabu/gzip"
# nbgrader for every user of the hub: the shared exchange, one folder per course, submissions
# only the student and the graders can open, courses from the hub's groups.
cat > "$ETC/nbgrader_config.py" <<'PY'
# Manabu on JupyterHub: written by deploy/image/install.sh. A course folder's own
# nbgrader_config.py (for teachers) overrides these settings.
import os

c = get_config()  # noqa: F821
c.Exchange.root = os.environ.get("MANABU_EXCHANGE", "/srv/manabu/exchange")
c.Exchange.path_includes_course = True
c.ExchangeFactory.submit = "autograder.school.exchange.PrivateSubmit"
c.ExchangeFactory.collect = "autograder.school.exchange.OwnerCheckedCollect"  # no forged names
if os.environ.get("JUPYTERHUB_API_TOKEN") and not os.environ.get("JUPYTERHUB_SERVICE_NAME"):
    # a user's courses = their hub groups nbgrader-<course> (students) and formgrade-<course>
    # (teachers). Not for a class's Formgrader service: it is no hub user, and serves one course.
    c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"
PY

if [ "$PRIVATE_HOMES" = yes ]; then
  bash "$(dirname "$0")/private-homes.sh"
fi

step 6 "check"
"$PREFIX/bin/python" - <<'PY'
import importlib.util, pathlib, sys
import autograder.school.exchange, course, nbgrader, jupyterlab  # noqa: F401
missing = [m for m in ("jupyterhub", "jupyterlab_language_pack_ja_JP") if not importlib.util.find_spec(m)]
if missing:
    sys.exit(f"install.sh: missing after install: {missing}")
PY
if [ "$LESSONS" = remove ] && [ -e "$PACKAGED" ]; then die "lessons still in $PACKAGED"; fi
echo "Installed the Manabu environment in $PREFIX ($("$PREFIX/bin/python" --version)); lessons: $LESSONS."
echo "Start user servers with $PREFIX/bin/jupyterhub-singleuser (deploy/hub/jupyterhub_config.py does)."
