"""The emulator's HTTP layer: request lines and headers read by its own parser, over raw sockets."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from jobkit.testing import Emulator

AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEEXAMPLE00/20261201/us-east-1/sagemaker/"
    "aws4_request, SignedHeaders=host, Signature=00"
)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """One emulator for the module."""
    with Emulator(sizes={"ListProcessingJobs": 3}) as server:
        yield server


def exchange(emu: Emulator, head: str, body: bytes = b"") -> tuple[str, dict[str, str], bytes]:
    """Send one request, read until the server closes; (status line, headers, body)."""
    host, port = emu.endpoint_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    raw, _, payload = data.partition(b"\r\n\r\n")
    status, *lines = raw.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (x.partition(":") for x in lines)}
    return status, headers, payload


def request(extra: str = "", *, version: str = "HTTP/1.1") -> tuple[str, str, bytes]:
    body = b"{}"
    head = (
        f"POST / {version}\r\n"
        "Host: emulator\r\n"
        "x-amz-target: SageMaker.ListProcessingJobs\r\n"
        "Content-Type: application/x-amz-json-1.1\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"{extra}"
        "Connection: close\r\n\r\n"
    )
    return head, version, body


def test_header_names_in_any_case_and_folded_lines_are_read(emu: Emulator) -> None:
    """A lower-case target header and an Authorization folded over two lines (obsolete line
    folding) are read: the operation answers with its jobs, and Connection: close closes."""
    first, second = AUTH.split(", ", 1)
    head, _, body = request(f"authorization: {first},\r\n {second}\r\n")
    status, headers, payload = exchange(emu, head, body)
    assert status.startswith("HTTP/1.1 200"), status
    assert headers["connection"] == "close"
    assert len(json.loads(payload)["ProcessingJobSummaries"]) == 3


def test_http_1_0_is_answered(emu: Emulator) -> None:
    """An HTTP/1.0 request is answered, then the connection closes."""
    head, _, body = request(f"Authorization: {AUTH}\r\n", version="HTTP/1.0")
    status, _, payload = exchange(emu, head, body)
    assert status.startswith("HTTP/1.1 200"), status
    assert "ProcessingJobSummaries" in json.loads(payload)


@pytest.mark.parametrize(
    ("extra", "code"),
    [("no colon here\r\n", "400"), (f"X-Long: {'a' * 70_000}\r\n", "431")],
    ids=["malformed-line", "line-too-long"],
)
def test_bad_header_lines_are_refused(emu: Emulator, extra: str, code: str) -> None:
    """A header line without a colon is a 400, one longer than 64 KiB a 431."""
    head, _, body = request(extra)
    status, _, _ = exchange(emu, head, body)
    assert status.split()[1] == code, status


def test_too_many_headers_are_refused(emu: Emulator) -> None:
    """More than 100 headers are a 431, as http.client's limit."""
    head, _, body = request("".join(f"X-H{i}: {i}\r\n" for i in range(101)))
    status, _, _ = exchange(emu, head, body)
    assert status.split()[1] == "431", status
