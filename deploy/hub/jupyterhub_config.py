"""JupyterHub for a school running Manabu: several classes on one server.

Run it as root, from the Manabu environment (deploy/image/install.sh):

    sudo /opt/manabu/bin/jupyterhub -f deploy/hub/jupyterhub_config.py

It reads the school's classes from ``classes.yaml`` beside it (or ``MANABU_CLASSES``); the work
is done by :mod:`autograder.school.hub` (importable, tested without a hub), whose docstring says
what each class gets (hub groups, a grader account and Formgrader service, exchange folders) and
why each folder has its mode.

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
