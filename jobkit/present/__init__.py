"""Presentation: how jobs, listings and adapters look in terminals, notebooks and exports.

Each module has one job: ``records`` (plain records and the text table), ``html`` (the
Jupyter views), ``export`` (pandas and Arrow), ``progress`` (the tqdm bar), ``joblist``
(``JobList``), ``tables`` (the lists ``adapters()`` and ``explain()`` return) and ``ipython``
(HTML for ``Job`` and ``Stats`` in IPython). They import only ``jobkit.model``,
``jobkit.errors``, ``jobkit.core`` and each other, never the API or the listing, so the
listing can hand out a ``JobList`` without an import cycle. This package re-exports nothing:
importing one module loads only what that module needs. ``jobkit.notebook`` gathers the
names a notebook user imports.
"""
