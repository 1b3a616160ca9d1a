"""JSON for ork-python-worker's channel and task results, without importing `json`.

Part of the python executor's worker runtime, compiled into ork-python-worker.
`import json` imports `re` (and with it `enum` and the regex compiler) to build
three patterns: ~3 ms of every worker start, on the critical path of `ork run`.
The scanner and encoder it wraps are C functions of the `_json` module, which
costs nothing to import; this module calls them as `json.loads` and
`json.dumps` do. Whatever they refuse is handed to `json` itself, so errors
read exactly as `json`'s (only a failing call pays for importing it), and an
interpreter without `_json` uses `json` throughout.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

try:
    import _json
except ImportError:  # pragma: no cover - CPython always has it
    _json = None

_WHITESPACE = " \t\n\r"


def loads(data: bytes | str) -> Any:
    """json.loads(data), for UTF-8 bytes or str."""
    text = data.decode("utf-8", "surrogatepass") if isinstance(data, bytes) else data
    if _scan is not None:
        start = len(text) - len(text.lstrip(_WHITESPACE))
        try:
            value, end = _scan(text, start)
        except Exception:  # noqa: BLE001 - json.loads below raises json's own error for it
            pass
        else:
            if not text[end:].strip(_WHITESPACE):
                return value
    import json

    return json.loads(data)


def dumps(value: Any) -> str:
    """json.dumps(value): ASCII only, ", " and ": " separators."""
    return _encode(value, ascii_only=True, compact=False, allow_nan=True)


def dumps_compact(value: Any) -> str:
    """json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)."""
    return _encode(value, ascii_only=False, compact=True, allow_nan=False)


class _ScannerContext:
    """The attributes of json.JSONDecoder that `_json.make_scanner` reads, with json.loads' defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


def _make_scanner() -> Callable[[str, int], tuple[Any, int]] | None:
    if _json is None:
        return None
    try:
        scanner: Callable[[str, int], tuple[Any, int]] = _json.make_scanner(_ScannerContext())
    except (AttributeError, TypeError):
        return None
    return scanner


_scan = _make_scanner()


def _encode(value: Any, ascii_only: bool, compact: bool, allow_nan: bool) -> str:
    if _json is not None:
        try:
            encoder = _json.make_encoder(
                {},  # markers: refuse circular references as json does
                _unserialisable,
                _json.encode_basestring_ascii if ascii_only else _json.encode_basestring,
                None,  # indent
                ":" if compact else ": ",
                "," if compact else ", ",
                False,  # sort_keys
                False,  # skipkeys
                allow_nan,
            )
        except (AttributeError, TypeError):  # an interpreter whose _json differs: json does it
            pass
        else:
            try:
                return "".join(encoder(value, 0))
            except Exception:  # noqa: BLE001 - json.dumps below raises json's own error for it
                pass
    import json

    separators = (",", ":") if compact else (", ", ": ")
    return json.dumps(value, ensure_ascii=ascii_only, separators=separators, allow_nan=allow_nan)


def _unserialisable(value: Any) -> Any:
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")
