"""Writing one benchmark's section of docs/performance.md without running the others."""

from __future__ import annotations

from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def replace_section(heading: str, section: str) -> None:
    """Replace the ``## heading...`` section of docs/performance.md by ``section`` (which
    starts with its own heading), or append it when the page has none."""
    text = PAGE.read_text()
    start = text.find(f"## {heading}")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        tail = text[end + 1 :] if end >= 0 else ""
        text = text[:start] + section + ("\n" + tail if tail else "")
    PAGE.write_text(text)
