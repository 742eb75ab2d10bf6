"""Wire protocols, driven by the installed botocore models.

The emulator never hand-writes a response body: handlers return plain Python (the same dicts a
boto3 client returns after parsing) and this module turns them into bytes using the operation's
output shape, and turns request bytes into Python using the input shape. Supported protocols are
botocore's names: ``json`` (awsJson1_0/1_1), ``rest-json``, ``smithy-rpc-v2-cbor``, ``rest-xml``
(S3 Control) and ``query`` (awsQuery: IAM).

Timestamp rules (botocore ``serialize.py`` / ``parsers.py``):

* json and rest-json bodies: epoch seconds as a number unless the shape says otherwise
  (``timestampFormat: iso8601`` on e.g. Clean Rooms ML's ``SyntheticTimestamp_date_time``).
  Ground truth is millisecond precision, and a millisecond value written as the shortest float
  repr round-trips through ``datetime.fromtimestamp`` exactly.
* CBOR: tag 1 around epoch seconds (int when whole, else a double).
* querystring: iso8601; headers: rfc822 (botocore's defaults).
* XML bodies (rest-xml, query): iso8601 with milliseconds.

``cbor2`` is imported lazily so ``jobkit.testing`` works without it; a CBOR request then gets a
500 saying so.
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import email.utils
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape as xml_escape

from botocore.loaders import create_loader
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

__all__ = [
    "CBOR",
    "JSON",
    "QUERY",
    "REST_JSON",
    "REST_XML",
    "Response",
    "UriMatcher",
    "cbor_available",
    "encode_error",
    "encode_output",
    "load_service_model",
    "parse_input",
]

JSON = "json"
REST_JSON = "rest-json"
CBOR = "smithy-rpc-v2-cbor"
REST_XML = "rest-xml"
QUERY = "query"
#: Protocols whose input members may live in the URI, the query string and headers.
REST = (REST_JSON, REST_XML)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

Converter = Callable[[Any], Any]


def load_service_model(service: str) -> ServiceModel:
    """botocore's model of ``service``, read straight from botocore's data: no session, so
    the host's AWS profile or config never matters to the emulator (a missing
    ``AWS_PROFILE`` would make a session fail)."""
    loader = create_loader()
    return ServiceModel(loader.load_service_model(service, "service-2"), service_name=service)


class Response:
    """A complete HTTP response, ready to be written in one send."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def cbor_available() -> bool:
    """Whether ``cbor2`` can be imported (needed only for smithy RPC v2 CBOR)."""
    try:
        import cbor2  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------------- timestamps


def _to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, bool):
        raise ValueError("boolean is not a timestamp")
    if isinstance(value, int | float):
        return _EPOCH + dt.timedelta(microseconds=round(value * 1_000_000))
    if isinstance(value, str):
        try:
            return _to_datetime(float(value))
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)
        except ValueError:
            return email.utils.parsedate_to_datetime(value).astimezone(dt.UTC)
    raise ValueError(f"not a timestamp: {value!r}")


def _epoch_seconds(value: dt.datetime) -> int | float:
    delta = value - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if micros % 1_000_000 == 0:
        return micros // 1_000_000
    return micros / 1_000_000


def _iso8601(value: dt.datetime) -> str:
    value = value.astimezone(dt.UTC)
    millis = value.microsecond // 1000
    return value.strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"


def _rfc822(value: dt.datetime) -> str:
    return email.utils.formatdate(calendar.timegm(value.timetuple()), usegmt=True)


# ---------------------------------------------------------------------------- output


def _timestamp_writer(shape: Shape, default: str, protocol: str) -> Converter:
    fmt = shape.serialization.get("timestampFormat", default)

    def write(value: Any) -> Any:
        if not isinstance(value, dt.datetime):
            # Handlers may hand malformed values through on purpose; write them verbatim.
            return value
        if fmt == "iso8601":
            return _iso8601(value)
        if fmt == "rfc822":
            return _rfc822(value)
        seconds = _epoch_seconds(value)
        if protocol == CBOR:
            import cbor2  # noqa: PLC0415

            return cbor2.CBORTag(1, seconds)
        return seconds

    return write


class _Cell:
    """A compiled structure converter, filled in after its members (recursive shapes)."""

    __slots__ = ("conv", "done")

    def __init__(self) -> None:
        self.conv: Converter | None = None
        self.done = False

    def call(self, value: Any) -> Any:
        return value if self.conv is None else self.conv(value)


def _compile(shape: Shape, protocol: str, memo: dict[str, _Cell]) -> Converter | None:
    """Build a value converter for ``shape``; None means identity (the common, fast case)."""
    kind = shape.type_name
    if kind == "timestamp":
        return _timestamp_writer(shape, "unixtimestamp", protocol)
    if kind == "blob":
        return None if protocol == CBOR else _blob_writer
    if kind in ("float", "double"):
        return _float_writer
    if kind == "list":
        item = _compile(shape.member, protocol, memo)
        return None if item is None else (lambda v: [item(x) for x in v])
    if kind == "map":
        value_conv = _compile(shape.value, protocol, memo)
        return None if value_conv is None else (lambda v: {k: value_conv(x) for k, x in v.items()})
    if kind != "structure":
        return None
    # Structures are memoised by name (member traits never change a structure's encoding);
    # a structure met again while compiling itself is recursive, so call through its cell.
    cell = memo.get(shape.name)
    if cell is not None:
        return cell.conv if cell.done else cell.call
    cell = memo[shape.name] = _Cell()
    assert isinstance(shape, StructureShape)
    fields = [
        (name, member.serialization.get("name", name), _compile(member, protocol, memo))
        for name, member in shape.members.items()
        if member.serialization.get("location") is None
    ]

    def write_structure(value: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, wire, conv in fields:
            item = value.get(name)
            if item is not None:
                out[wire] = item if conv is None else conv(item)
        return out

    cell.conv = write_structure
    cell.done = True
    return write_structure


def _blob_writer(value: Any) -> Any:
    return base64.b64encode(value).decode() if isinstance(value, bytes) else value


def _float_writer(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return value


_OUTPUT_CACHE: dict[tuple[str, str, str], Converter | None] = {}


def _output_converter(op: OperationModel, protocol: str) -> Converter | None:
    key = (op.service_model.service_name, op.name, protocol)
    if key not in _OUTPUT_CACHE:
        shape = op.output_shape
        _OUTPUT_CACHE[key] = None if shape is None else _compile(shape, protocol, {})
    return _OUTPUT_CACHE[key]


def _json_content_type(op: OperationModel) -> str:
    version = op.service_model.metadata.get("jsonVersion", "1.0")
    return f"application/x-amz-json-{version}"


def encode_output(op: OperationModel, protocol: str, output: Mapping[str, Any]) -> Response:
    """Serialize a handler's output dict per the operation's output shape and ``protocol``."""
    if protocol in (REST_XML, QUERY):
        return _encode_xml_output(op, protocol, output)
    conv = _output_converter(op, protocol)
    wire = dict(output) if conv is None else conv(output)
    headers: dict[str, str] = {}
    status = int(op.http.get("responseCode", 200))
    if protocol == CBOR:
        import cbor2  # noqa: PLC0415

        headers["smithy-protocol"] = "rpc-v2-cbor"
        headers["Content-Type"] = "application/cbor"
        return Response(status, headers, cbor2.dumps(wire))
    if protocol == REST_JSON:
        shape = op.output_shape
        if shape is not None:
            for name, member in shape.members.items():
                location = member.serialization.get("location")
                value = output.get(name)
                if value is None or location is None:
                    continue
                if location == "header":
                    headers[member.serialization.get("name", name)] = str(value)
                elif location == "statusCode":
                    status = int(value)
        headers["Content-Type"] = "application/json"
    else:
        headers["Content-Type"] = _json_content_type(op)
    body = json.dumps(wire, separators=(",", ":")).encode()
    return Response(status, headers, body)


def encode_error(
    protocol: str,
    status: int,
    code: str,
    message: str,
    *,
    json_version: str = "1.1",
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """Serialize an error the way ``protocol`` carries it (``__type`` or ``x-amzn-ErrorType``)."""
    headers: dict[str, str] = {}
    if protocol in (REST_XML, QUERY):
        # botocore reads Code and Message from <ErrorResponse><Error> in both protocols.
        fields = {"Type": "Sender" if status < 500 else "Receiver", "Code": code}
        fields["Message"] = message
        inner = "".join(f"<{k}>{xml_escape(v)}</{k}>" for k, v in fields.items())
        body_xml = f"<ErrorResponse><Error>{inner}</Error><RequestId>0</RequestId></ErrorResponse>"
        return Response(status, {"Content-Type": "text/xml"}, body_xml.encode())
    if protocol == CBOR:
        headers["smithy-protocol"] = "rpc-v2-cbor"
        headers["Content-Type"] = "application/cbor"
        if not cbor_available():
            return Response(500, headers, _cbor_text_map({"__type": code, "message": message}))
        import cbor2  # noqa: PLC0415

        return Response(
            status, headers, cbor2.dumps({"__type": code, "message": message, **(extra or {})})
        )
    if protocol == REST_JSON:
        headers["x-amzn-ErrorType"] = code
        headers["Content-Type"] = "application/json"
        body: dict[str, Any] = {"message": message, **(extra or {})}
    else:
        headers["Content-Type"] = f"application/x-amz-json-{json_version}"
        body = {"__type": code, "message": message, **(extra or {})}
    return Response(status, headers, json.dumps(body).encode())


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError("CBOR item too long")


def _cbor_text_map(items: Mapping[str, str]) -> bytes:
    """Encode a map of strings by hand, so the error saying cbor2 is missing is still CBOR."""
    out = bytearray(_cbor_head(5, len(items)))
    for key, value in items.items():
        for text in (key, value):
            raw = text.encode()
            out += _cbor_head(3, len(raw)) + raw
    return bytes(out)


# ---------------------------------------------------------------------------- XML output


def _xml_value(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "timestamp" and isinstance(value, dt.datetime):
        fmt = shape.serialization.get("timestampFormat", "iso8601")
        if fmt == "unixtimestamp":
            return str(_epoch_seconds(value))
        return _rfc822(value) if fmt == "rfc822" else _iso8601(value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob" and isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return xml_escape(str(value))


def _xml(shape: Shape, name: str, value: Any) -> str:
    """``value`` as the element ``name`` of type ``shape`` (botocore's XML parser rules)."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        inner = "".join(
            _xml(member, member.serialization.get("name", key), value[key])
            for key, member in shape.members.items()
            if value.get(key) is not None and member.serialization.get("location") is None
        )
        return f"<{name}>{inner}</{name}>"
    if kind == "list":
        item_name = shape.member.serialization.get("name", "member")
        if shape.serialization.get("flattened"):
            return "".join(_xml(shape.member, name, item) for item in value)
        items = "".join(_xml(shape.member, item_name, item) for item in value)
        return f"<{name}>{items}</{name}>"
    if kind == "map":
        entries = "".join(
            f"<entry>{_xml(shape.key, 'key', k)}{_xml(shape.value, 'value', v)}</entry>"
            for k, v in value.items()
        )
        return f"<{name}>{entries}</{name}>"
    return f"<{name}>{_xml_value(shape, value)}</{name}>"


def _encode_xml_output(op: OperationModel, protocol: str, output: Mapping[str, Any]) -> Response:
    shape = op.output_shape
    namespace = op.service_model.metadata.get("xmlNamespace")
    xmlns = f' xmlns="{namespace}"' if isinstance(namespace, str) else ""
    headers = {"Content-Type": "text/xml"}
    body = ""
    if shape is not None:
        assert isinstance(shape, StructureShape)
        for name, member in shape.members.items():
            value = output.get(name)
            if value is not None and member.serialization.get("location") == "header":
                headers[member.serialization.get("name", name)] = str(value)
        wrapper = shape.serialization.get("resultWrapper") if protocol == QUERY else None
        root = wrapper or f"{op.name}Result"
        body = _xml(shape, root, output)
        if protocol == REST_XML and xmlns:
            body = f"<{root}{xmlns}>" + body[len(root) + 2 :]
    if protocol == QUERY:
        meta = "<ResponseMetadata><RequestId>0</RequestId></ResponseMetadata>"
        body = f"<{op.name}Response{xmlns}>{body}{meta}</{op.name}Response>"
    payload = ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()
    return Response(int(op.http.get("responseCode", 200)), headers, payload)


# ---------------------------------------------------------------------------- input


class InputError(ValueError):
    """A request value does not fit its shape (reported as the service's validation error)."""


def _read(shape: Shape, value: Any, *, from_string: bool = False) -> Any:
    kind = shape.type_name
    try:
        if kind == "structure":
            if not isinstance(value, Mapping):
                raise InputError(f"{shape.name} must be an object")
            out: dict[str, Any] = {}
            assert isinstance(shape, StructureShape)
            for name, member in shape.members.items():
                wire = member.serialization.get("name", name)
                located = member.serialization.get("location") is not None
                if not located and value.get(wire) is not None:
                    out[name] = _read(member, value[wire])
            return out
        if kind == "list":
            if not isinstance(value, list):
                raise InputError(f"{shape.name} must be a list")
            return [_read(shape.member, x, from_string=from_string) for x in value]
        if kind == "map":
            if not isinstance(value, Mapping):
                raise InputError(f"{shape.name} must be an object")
            return {k: _read(shape.value, v) for k, v in value.items()}
        if kind == "timestamp":
            return _to_datetime(value)
        if kind == "blob":
            return base64.b64decode(value) if isinstance(value, str) else bytes(value)
        if kind in ("integer", "long", "short", "byte"):
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise InputError(f"{shape.name} must be an integer")
            return int(value)
        if kind in ("float", "double"):
            return float(value)
        if kind == "boolean":
            if from_string:
                return str(value).lower() == "true"
            return bool(value)
    except (TypeError, ValueError, OverflowError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"invalid value for {shape.name}: {value!r}") from exc
    return value


def parse_input(
    op: OperationModel,
    protocol: str,
    body: bytes,
    *,
    labels: Mapping[str, str] | None = None,
    query: str = "",
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Decode a request into the params dict a boto3 caller passed, using the input shape."""
    shape = op.input_shape
    if shape is None:
        return {}
    assert isinstance(shape, StructureShape)
    if protocol == CBOR:
        import cbor2  # noqa: PLC0415

        try:
            raw = cbor2.loads(body) if body else {}
        except Exception as exc:
            raise InputError("request body is not valid CBOR") from exc
        return dict(_read(shape, raw))
    if protocol == QUERY:
        # awsQuery: a form body; only top-level scalar members are read (enough for listings).
        form = parse_qs(body.decode(), keep_blank_values=True)
        return {
            name: _read(member, form[wire][-1], from_string=True)
            for name, member in shape.members.items()
            if (wire := member.serialization.get("name", name)) in form
            and member.type_name not in ("structure", "list", "map")
        }
    params: dict[str, Any] = {}
    if protocol != REST_XML:  # rest-xml listings carry no body
        try:
            raw = json.loads(body) if body.strip() else {}
        except ValueError as exc:
            raise InputError("request body is not valid JSON") from exc
        params = dict(_read(shape, raw))
    if protocol not in REST:
        return params
    qs = parse_qs(query, keep_blank_values=True)
    lower_headers = {k.lower(): v for k, v in (headers or {}).items()}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri" and labels and wire in labels:
            params[name] = _read(member, labels[wire], from_string=True)
        elif location == "querystring" and wire in qs:
            values = qs[wire]
            if member.type_name == "list":
                params[name] = _read(member, values, from_string=True)
            else:
                params[name] = _read(member, values[-1], from_string=True)
        elif location == "header" and wire.lower() in lower_headers:
            params[name] = _read(member, lower_headers[wire.lower()], from_string=True)
    return params


# ---------------------------------------------------------------------------- REST routing


class UriMatcher:
    """Match ``METHOD /path?query`` against a REST operation's ``requestUri`` template."""

    def __init__(self, op: OperationModel) -> None:
        self.operation = op
        self.method = op.http["method"].upper()
        template = op.http["requestUri"]
        path, _, literal_query = template.partition("?")
        self.required_query = {k: v[-1] for k, v in parse_qs(literal_query).items()}
        pattern = ""
        self.literal_length = 0
        for piece in re.split(r"(\{[^}]+\})", path):
            if piece.startswith("{"):
                label = piece[1:-1]
                greedy = label.endswith("+")
                label = label.rstrip("+")
                pattern += f"(?P<{_group(label)}>{'.+' if greedy else '[^/]+'})"
            else:
                pattern += re.escape(piece)
                self.literal_length += len(piece)
        self._labels = {
            _group(m.rstrip("+")): m.rstrip("+") for m in re.findall(r"\{([^}]+)\}", path)
        }
        self._regex = re.compile(pattern.rstrip("/") + "/?$" if pattern != "/" else "/$")

    def match(self, method: str, raw_path: str, query: str) -> dict[str, str] | None:
        """Return the URI labels (percent-decoded) when the request fits this template."""
        if method != self.method:
            return None
        found = self._regex.match(raw_path)
        if found is None:
            return None
        qs = parse_qs(query, keep_blank_values=True)
        for key, value in self.required_query.items():
            if qs.get(key, [None])[-1] != value:
                return None
        return {self._labels[g]: unquote(v) for g, v in found.groupdict().items()}


def _group(label: str) -> str:
    return re.sub(r"\W", "_", label)
