"""jobkit in notebooks: the names a notebook imports, gathered from ``jobkit.present``.

``JobList`` (the jobs with their stats, HTML view, ``to_pandas()`` / ``to_arrow()``),
``Progress`` (a tqdm bar a listing feeds), ``WatchBoard`` (a live view of
``jobkit.watch`` events, refreshed in place), ``STATUS_COLORS`` (the status colours of the views,
for your plots) and the record helpers. This module sits on top, beside the command line;
nothing in jobkit imports it. pandas, pyarrow and tqdm are optional extras
(``jobkit[pandas]``, ``jobkit[arrow]``, ``jobkit[progress]``, or all of them with ipywidgets
and matplotlib in ``jobkit[notebook]``); a missing one raises ``MissingDependencyError``.

``%load_ext jobkit.notebook`` shows ``Job`` and ``Stats`` as HTML in an IPython shell started
after jobkit was imported (a Jupyter kernel needs nothing: importing jobkit registers them).
"""

from __future__ import annotations

from typing import Any

from jobkit.present.html import STATUS_COLORS, job_html, joblist_html
from jobkit.present.ipython import register
from jobkit.present.joblist import JobList
from jobkit.present.progress import Progress, make_progress
from jobkit.present.records import COLUMNS, flatten_extras, job_record, text_table
from jobkit.present.tables import AdapterTable, ExplanationList
from jobkit.present.watchview import WatchBoard

__all__ = [
    "COLUMNS",
    "STATUS_COLORS",
    "AdapterTable",
    "ExplanationList",
    "JobList",
    "Progress",
    "WatchBoard",
    "flatten_extras",
    "job_html",
    "job_record",
    "joblist_html",
    "load_ipython_extension",
    "make_progress",
    "text_table",
]


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext jobkit.notebook``: show ``Job`` and ``Stats`` as HTML in this shell."""
    register(shell)
