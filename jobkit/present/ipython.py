"""HTML for ``Job`` and ``Stats`` in IPython and Jupyter, registered from outside them.

``Job`` (jobkit.model) and ``Stats`` (jobkit.core.stats) sit below the presentation layer and
must not import it, so they have no ``_repr_html_``. Instead IPython's HTML formatter is told
how to show them: ``jobkit/__init__.py`` calls ``register()``, which does so when an IPython
shell is running (a Jupyter kernel always is, before user code imports jobkit) and does
nothing otherwise; it never imports IPython itself. ``%load_ext jobkit.notebook`` registers
in a shell started after jobkit was imported.
"""

from __future__ import annotations

import sys
from typing import Any

from jobkit.core.stats import Stats
from jobkit.model import Job
from jobkit.present.html import job_html, stats_html

__all__ = ["register"]


def register(shell: Any = None) -> bool:
    """Show ``Job`` and ``Stats`` as HTML in ``shell`` (default: the running IPython shell).

    Returns True when registered, False when no IPython shell is running. Idempotent.
    """
    if shell is None:
        ipython = sys.modules.get("IPython")
        get_ipython = getattr(ipython, "get_ipython", None)
        shell = get_ipython() if get_ipython is not None else None
        if shell is None:
            return False
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type(Job, job_html)
    formatter.for_type(Stats, stats_html)
    return True
