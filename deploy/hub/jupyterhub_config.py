"""JupyterHub for a school running Manabu: several classes on one server.

Run it as root, from the Manabu environment (deploy/image/install.sh):

    sudo /opt/manabu/bin/jupyterhub -f deploy/hub/jupyterhub_config.py

It reads the school's classes from ``classes.yaml`` beside it (or ``MANABU_CLASSES``); the work
is done by :mod:`autograder.school.hub` (importable, tested without a hub). Each class is an
nbgrader course, set up (or repaired) at every start:

* hub groups ``nbgrader-<class>`` (students) and ``formgrade-<class>`` (teachers), the names
  nbgrader's JupyterHub plugin reads, so each student's Assignment List shows their classes;
* a Unix account ``grader-<class>`` that owns the course folder ``<courses>/<class>``, and a
  hub service ``/services/<class>/`` (JupyterLab with the Formgrader, running as that account)
  that only the class's teachers can open: teachers of several classes get one per class;
* the class's exchange folder ``<exchange>/<class>/``: its students can fetch and submit,
  but cannot list, read, change, delete or rename anybody else's submission, nor rename the
  course; people outside the class cannot enter it (exchange root 1777 owned by root; the
  class folder 0750 owned by its grader, group ``manabu-<class>`` = its students and
  teachers, kept in step with the hub groups at each server start; ``inbound`` 3733;
  submissions closed by ``autograder.school.exchange.PrivateSubmit``; forged names skipped by
  ``autograder.school.exchange.OwnerCheckedCollect``).

Users log in with their Unix password (PAM) by default. MANABU_HUB_AUTH=shared-password with
MANABU_HUB_PASSWORD is for tests only: everybody shares that one password.

The school's own hub settings (another authenticator, HTTPS, ...) go in ``jupyterhub_local.py``
beside ``classes.yaml`` (root-only: it may hold secrets). It is read first; Manabu adds its
services, roles and groups to the school's instead of replacing them. The roster service's token
(``manabu roster import --hub-token-file``) is made in a root-only file at the first start.
"""

import os
import sys
from pathlib import Path

from autograder.school.hub import HubConfigError, configure

c = get_config()  # noqa: F821

CLASSES_FILE = Path(os.environ.get("MANABU_CLASSES", Path(__file__).resolve().parent / "classes.yaml"))
try:
    configure(c, CLASSES_FILE, load_subconfig)  # noqa: F821
except HubConfigError as err:  # the school's configuration cannot be used: say what to fix
    print(f"Manabu hub: {err}", file=sys.stderr)
    sys.exit(2)
