"""Render the quickstart's job table to docs/img/joblist.png: ``make screenshot``.

Executes examples/quickstart.ipynb in a kernel of this interpreter, keeps the cell whose output
is the first job table, renders it with nbconvert's JupyterLab template and photographs it
with headless Chromium (``apt-get install chromium``). Needs the dev extra.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbclient
import nbformat
from nbconvert import HTMLExporter
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "quickstart.ipynb"
OUT = ROOT / "docs" / "img" / "joblist.png"
WIDTH, HEIGHT = 1320, 900
MAX_BYTES = 300_000


def execute(workdir: Path) -> nbformat.NotebookNode:
    """The quickstart, executed in a python3 kernel that runs this interpreter."""
    spec = workdir / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "language": "python"}))
    os.environ["JUPYTER_PATH"] = str(workdir)
    os.environ.pop("MPLBACKEND", None)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(workdir)}}
    ).execute()
    return nb


def job_table_page(nb: nbformat.NotebookNode) -> str:
    """A page with only the first cell that shows a job table, as JupyterLab draws it."""
    cell = next(
        c
        for c in nb.cells
        if c.cell_type == "code"
        and any(
            'class="jobkit-joblist"' in o.get("data", {}).get("text/html", "") for o in c.outputs
        )
    )
    page = nbformat.v4.new_notebook(metadata=nb.metadata)
    page.cells.append(cell)
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(page)
    return html


def photograph(html: str, workdir: Path) -> bytes:
    """A PNG of ``html`` from headless Chromium, trimmed of the blank space below it."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("headless Chromium is needed: apt-get install chromium")
    page, shot = workdir / "page.html", workdir / "shot.png"
    page.write_text(html, encoding="utf-8")
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--window-size={WIDTH},{HEIGHT}",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    image = Image.open(shot).convert("RGB")
    # Trim the empty page below the output; keep a margin.
    inverted = Image.eval(image.convert("L"), lambda v: 255 - v)
    box = inverted.point(lambda v: 255 if v > 8 else 0).getbbox()
    if box is not None:
        image = image.crop((0, 0, WIDTH, min(HEIGHT, box[3] + 16)))
    out = io.BytesIO()
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        png = photograph(job_table_page(execute(workdir)), workdir)
    if len(png) > MAX_BYTES:
        raise SystemExit(f"{len(png)} bytes is more than {MAX_BYTES}: make the window smaller")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(png)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(png)} bytes)")


if __name__ == "__main__":
    main()
