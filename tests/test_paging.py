"""The sans-I/O page loop: tokens, empty pages, repeated tokens, resuming."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobkit.core.paging import DONE, Pager
from jobkit.errors import PaginationError, RepeatedTokenError


def _pager(**kw: object) -> Pager:
    return Pager(
        params={"SortBy": "CreationTime"},
        input_token="NextToken",
        output_token="NextToken",
        result_key="Items",
        limit_key="MaxResults",
        page_size=100,
        **kw,  # type: ignore[arg-type]
    )


def test_first_request_has_no_token_and_the_page_size() -> None:
    """The first request carries the base params and the limit, but no token."""
    assert _pager().next_request() == {"SortBy": "CreationTime", "MaxResults": 100}


def test_token_is_carried_to_the_next_request() -> None:
    """The token of a page is sent with the next request, and no token ends the loop."""
    pager = _pager()
    assert pager.feed({"Items": [1, 2], "NextToken": "t1"}) == [1, 2]
    assert pager.next_request() == {"SortBy": "CreationTime", "MaxResults": 100, "NextToken": "t1"}
    assert pager.feed({"Items": [3]}) == [3]
    assert pager.done and pager.position == DONE
    assert pager.next_request() is None


def test_empty_page_with_token_is_followed() -> None:
    """An empty page that carries a token is not the end of the listing."""
    pager = _pager()
    assert pager.feed({"Items": [], "NextToken": "t1"}) == []
    assert not pager.done
    assert pager.feed({"Items": [7]}) == [7]
    assert pager.empty_pages == 1 and pager.pages == 2


def test_missing_result_key_is_an_empty_page() -> None:
    """A response without the result key (Comprehend Medical omits it) is an empty page."""
    pager = _pager()
    assert pager.feed({}) == []
    assert pager.done


def test_repeated_token_raises() -> None:
    """The same token twice raises instead of looping forever."""
    pager = _pager()
    pager.feed({"Items": [1], "NextToken": "a"})
    pager.feed({"Items": [2], "NextToken": "b"})
    with pytest.raises(RepeatedTokenError, match="twice"):
        pager.feed({"Items": [3], "NextToken": "a"})


def test_result_that_is_not_a_list_raises() -> None:
    """A malformed result (not a list) is a PaginationError, not a crash later."""
    with pytest.raises(PaginationError):
        _pager().feed({"Items": {"a": 1}})


def test_feed_after_done_raises() -> None:
    """Feeding a finished pager is a bug in the driver, reported as such."""
    pager = _pager()
    pager.feed({"Items": []})
    with pytest.raises(PaginationError):
        pager.feed({"Items": []})


def test_resume_from_position() -> None:
    """A pager built with a saved position sends that token first."""
    assert _pager(position="t9").next_request()["NextToken"] == "t9"
    assert _pager(position=DONE).next_request() is None


def test_caller_limit_is_not_overridden() -> None:
    """A limit the caller put in params wins over the adapter's page size."""
    pager = Pager(
        params={"MaxResults": 5},
        input_token="t",
        output_token="t",
        result_key="r",
        limit_key="MaxResults",
        page_size=100,
    )
    assert pager.next_request() == {"MaxResults": 5}


@given(st.lists(st.lists(st.integers(), max_size=5), min_size=1, max_size=30))
def test_every_item_once_in_order(pages: list[list[int]]) -> None:
    """Over any sequence of pages (empty ones included) every item comes out once, in order."""
    pager = _pager()
    out: list[int] = []
    for number, items in enumerate(pages):
        last = number == len(pages) - 1
        request = pager.next_request()
        assert request is not None
        assert request.get("NextToken") == (f"tok{number - 1}" if number else None)
        response: dict[str, object] = {"Items": items}
        if not last:
            response["NextToken"] = f"tok{number}"
        out.extend(pager.feed(response))
    assert out == [item for page in pages for item in page]
    assert pager.done and pager.pages == len(pages)
