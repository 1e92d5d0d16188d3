"""Convert spec data to JSON and back without loss (D-gen-2).

Encoding rules, shared by every component, the conformance vectors and the auditor:

* integers whose magnitude is at least 2**53 become decimal strings (JSON readers in other
  languages lose precision past that); smaller integers stay JSON numbers;
* :class:`fractions.Fraction` becomes the string ``"p/q"`` (or ``"p"`` when integral);
* ``bytes`` become lowercase hex strings; enums become their value;
* dataclasses become objects of their fields; tuples, lists, sets and frozensets become arrays
  (sets sorted, so the output is deterministic); mappings become objects with string keys.

:func:`decode` reverses :func:`encode` for a type given by annotations (dataclasses, ``tuple[X,
...]``, ``dict[str, X]``, ``X | None``, enums, ``Fraction``, ``bytes``, ``int``, ...).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import types
import typing
from collections.abc import Mapping
from enum import Enum
from fractions import Fraction
from typing import Any, TypeVar

from vdlt_spec.errors import Reason, SpecError

SAFE_INT = 2**53
T = TypeVar("T")


def encode(value: Any) -> Any:
    """Turn spec data into JSON-compatible data following the module's encoding rules."""
    if isinstance(value, Enum):
        return encode(value.value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return decimal(value) if abs(value) >= SAFE_INT else value
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return decimal(value.numerator)
        return f"{decimal(value.numerator)}/{decimal(value.denominator)}"
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, float):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(encode(k)): encode(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((encode(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    raise TypeError(f"cannot encode {type(value).__name__} as spec JSON")


#: Integers below this many bits convert with ``str`` within Python's default digit limit.
_STR_BITS = 14_000


def decimal(n: int) -> str:
    """Write an integer in decimal, exactly, however many digits it has.

    ``str`` refuses integers of more than 4300 digits (a guard against slow conversion of
    untrusted input); results computed from bounded inputs can still be longer, so larger
    integers are split by a power of ten and their halves written in turn.
    """
    if n < 0:
        return "-" + decimal(-n)
    if n.bit_length() < _STR_BITS:
        return str(n)
    half = n.bit_length() * 3 // 20  # about half of its decimal digits (log10(2) > 3/10)
    high, low = divmod(n, 10**half)
    return decimal(high) + decimal(low).rjust(half, "0")


def dumps(value: Any, *, indent: int | None = None) -> str:
    """Serialize spec data to a deterministic JSON string (sorted keys)."""
    return json.dumps(encode(value), indent=indent, sort_keys=True)


def _fail(path: str, expected: str, got: Any) -> SpecError:
    shown = repr(got)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return SpecError(Reason.SCHEMA_VIOLATION, f"{path}: expected {expected}, got {shown}")


def _decode_int(data: Any, path: str) -> int:
    if isinstance(data, bool):
        raise _fail(path, "an integer", data)
    if isinstance(data, int):
        return data
    if isinstance(data, str):
        text = data.strip()
        if text.isascii() and text.lstrip("-").isdigit() and len(text) <= MAX_JSON_INT_DIGITS:
            return int(text)
    raise _fail(path, "an integer", data)


def _decode_fraction(data: Any, path: str) -> Fraction:
    if isinstance(data, bool):
        raise _fail(path, "a rational number", data)
    if isinstance(data, int):
        return Fraction(data)
    if isinstance(data, str):
        found = _RATIONAL_TEXT.fullmatch(data)
        exponent = (found["exponent"] or "0").lstrip("+-") if found else ""
        if found is not None and len(exponent) <= 4 and int(exponent) <= MAX_EXPONENT:
            try:
                return Fraction(data)
            except (ValueError, ZeroDivisionError):
                pass
    raise _fail(path, "a rational number such as 3/4", data)


#: The largest decimal exponent a rational's text may carry (``1e999999999`` would take hours).
MAX_EXPONENT = 1000
#: The text of a rational number: ASCII digits, ``p/q``, a decimal, an optional exponent.
_RATIONAL_TEXT = re.compile(
    r"\s*[+-]?(?:[0-9]+(?:/[0-9]+)?|[0-9]*\.[0-9]+|[0-9]+\.)(?:[eE](?P<exponent>[+-]?[0-9]+))?\s*"
)


def decode(tp: Any, data: Any, path: str = "$") -> Any:
    """Rebuild a value of type ``tp`` from JSON data; raise ``SCHEMA_VIOLATION`` with its path."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return decode(option, data, path)
            except SpecError as exc:
                errors.append(exc.detail)
        raise SpecError(Reason.SCHEMA_VIOLATION, "; ".join(errors))
    if origin is typing.Literal:
        if data in args:
            return data
        raise _fail(path, f"one of {list(args)}", data)
    if origin in (tuple, list, frozenset, set):
        if not isinstance(data, list):
            raise _fail(path, "an array", data)
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(data) != len(args):
                raise _fail(path, f"an array of {len(args)} items", data)
            return tuple(
                decode(a, d, f"{path}[{i}]")
                for i, (a, d) in enumerate(zip(args, data, strict=True))
            )
        item = args[0] if args else Any
        items = [decode(item, d, f"{path}[{i}]") for i, d in enumerate(data)]
        return origin(items)
    if origin in (dict, Mapping) or tp is dict:
        if not isinstance(data, dict):
            raise _fail(path, "an object", data)
        ktype, vtype = args if args else (Any, Any)
        return {
            decode(ktype, k, f"{path}.<key>"): decode(vtype, v, f"{path}.{k}")
            for k, v in data.items()
        }
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            return _decode_dataclass(tp, data, path)
        if issubclass(tp, Enum):
            # a member is named by a value of its own JSON type: true is no class, 1.0 no int
            if type(data) in {type(m.value) for m in tp}:
                try:
                    return tp(data)
                except ValueError:
                    pass
            raise _fail(path, f"one of {[m.value for m in tp]}", data)
        if tp is bool:
            if isinstance(data, bool):
                return data
            raise _fail(path, "true or false", data)
        if tp is int:
            return _decode_int(data, path)
        if tp is Fraction:
            return _decode_fraction(data, path)
        if tp is bytes:
            if isinstance(data, str):
                try:
                    return bytes.fromhex(data)
                except ValueError:
                    pass
            raise _fail(path, "a hex string", data)
        if tp is str:
            if isinstance(data, str):
                return data
            raise _fail(path, "a string", data)
        if tp is float:
            if isinstance(data, int | float) and not isinstance(data, bool):
                return float(data)
            raise _fail(path, "a number", data)
    raise TypeError(f"cannot decode spec JSON into {tp!r}")


@functools.cache
def _dataclass_layout(tp: type) -> tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]:
    """Return the resolved field types and the init fields of a dataclass (cached per type)."""
    hints = typing.get_type_hints(tp)
    return hints, {f.name: f for f in dataclasses.fields(tp) if f.init}


def _decode_dataclass(tp: type[T], data: Any, path: str) -> T:
    if not isinstance(data, dict):
        raise _fail(path, f"an object ({tp.__name__})", data)
    hints, fields = _dataclass_layout(typing.cast(type, tp))
    extra = sorted(set(data) - set(fields))
    if extra:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"{path}: unknown field(s) {', '.join(extra)}")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name in data:
            kwargs[name] = decode(hints[name], data[name], f"{path}.{name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise SpecError(Reason.SCHEMA_VIOLATION, f"{path}: missing field {name!r}")
    return tp(**kwargs)


#: The deepest nesting of arrays and objects a JSON document may have.
MAX_JSON_DEPTH = 256
#: The most digits an integer literal in a JSON document may have.
MAX_JSON_INT_DIGITS = 4300


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build an object from its members; a key given twice is ``MALFORMED_JSON``."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SpecError(Reason.MALFORMED_JSON, f"duplicate key {key!r} in an object")
        out[key] = value
    return out


def _bounded_int(literal: str) -> int:
    """Parse an integer literal of at most :data:`MAX_JSON_INT_DIGITS` digits."""
    if len(literal.lstrip("-")) > MAX_JSON_INT_DIGITS:
        raise SpecError(
            Reason.MALFORMED_JSON,
            f"an integer literal has {len(literal.lstrip('-'))} digits "
            f"(at most {MAX_JSON_INT_DIGITS})",
        )
    return int(literal)


def _finite_float(literal: str) -> float:
    """Parse a number literal that must be finite as a float (``1e400`` is not)."""
    value = float(literal)
    if value != value or value in (float("inf"), float("-inf")):
        raise SpecError(Reason.MALFORMED_JSON, f"number {literal[:40]} is out of range")
    return value


def _no_constant(name: str) -> Any:
    """Reject ``NaN``, ``Infinity`` and ``-Infinity``: they are not JSON (RFC 8259)."""
    raise SpecError(Reason.MALFORMED_JSON, f"{name} is not a JSON value (RFC 8259)")


def _check_depth(value: Any) -> None:
    """Reject a document nested deeper than :data:`MAX_JSON_DEPTH`, without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise SpecError(
                Reason.MALFORMED_JSON, f"nested deeper than {MAX_JSON_DEPTH} arrays or objects"
            )
        stack.extend((child, depth + 1) for child in children)


def load_json(text: str) -> Any:
    """Parse strict JSON text (RFC 8259) into plain data, or raise ``MALFORMED_JSON``.

    The one JSON reader of the spec and its tool: a syntax error, a key given twice in an
    object, ``NaN`` or ``Infinity``, a number beyond a float's range, an integer literal of more
    than :data:`MAX_JSON_INT_DIGITS` digits and nesting deeper than :data:`MAX_JSON_DEPTH` are
    each ``MALFORMED_JSON`` with the cause.
    """
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_int=_bounded_int,
            parse_float=_finite_float,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as exc:
        raise SpecError(
            Reason.MALFORMED_JSON, f"line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise SpecError(
            Reason.MALFORMED_JSON, f"nested deeper than {MAX_JSON_DEPTH} arrays or objects"
        ) from None
    _check_depth(value)
    return value


def loads(tp: type[T], text: str) -> T:
    """Parse JSON text into a value of type ``tp``; malformed JSON is ``MALFORMED_JSON``."""
    result: T = decode(tp, load_json(text), "$")
    return result
