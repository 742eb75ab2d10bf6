"""The page loop of one stream, without I/O.

The driver asks ``next_request()`` for the parameters of the next call, makes the call
(retrying it as the policy says, always with the same parameters), and hands the parsed
response to ``feed()``, which returns the page's summaries and advances the token. A retried
page therefore repeats exactly the failed request: a retry never restarts the listing and
never skips or duplicates a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from jobkit.errors import PaginationError, RepeatedTokenError

__all__ = ["DONE", "Pager"]

#: The position of a pager that has read its last page.
DONE = "done"


@attrs.define(kw_only=True)
class Pager:
    """Page state of one stream: the request to send next, and the tokens seen so far.

    ``position`` is None before the first page, the next token while more pages remain, and
    ``DONE`` at the end; a pager built with a saved position resumes from it.
    """

    params: Mapping[str, Any]
    input_token: str
    output_token: str
    result_key: str
    limit_key: str | None = None
    page_size: int | None = None
    position: str | None = None
    pages: int = 0
    empty_pages: int = 0
    _seen: set[str] = attrs.field(factory=set, init=False, repr=False)

    @property
    def done(self) -> bool:
        """True once the last page has been read."""
        return self.position == DONE

    def next_request(self) -> dict[str, Any] | None:
        """The parameters of the next call, or None when the listing is complete."""
        if self.done:
            return None
        request = dict(self.params)
        if self.limit_key is not None and self.page_size is not None:
            request.setdefault(self.limit_key, self.page_size)
        if self.position is not None:
            request[self.input_token] = self.position
        return request

    def feed(self, response: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """Consume one parsed response; return its summaries and advance to the next token.

        An empty page that carries a token is followed (filters applied after the page limit
        produce them); a token seen before raises ``RepeatedTokenError`` instead of looping.
        """
        if self.done:
            raise PaginationError("feed() called on a finished listing")
        items = response.get(self.result_key)
        if items is None:
            items = []
        elif not isinstance(items, list):
            raise PaginationError(
                f"{self.result_key!r} in the response is a {type(items).__name__}, not a list"
            )
        token = response.get(self.output_token)
        self.pages += 1
        if not items:
            self.empty_pages += 1
        if token:
            if token in self._seen or token == self.position:
                raise RepeatedTokenError(
                    f"the service returned the page token {_short(token)} twice",
                    hint="this is a service-side paging bug; report it with the request id",
                )
            self._seen.add(token)
            self.position = token
        else:
            self.position = DONE
        return items


def _short(token: str) -> str:
    return repr(token if len(token) <= 24 else token[:20] + "...")
