"""Model values as JSON text and back: what the lint cache stores, so loading it runs no code.

A pickle names any importable callable and calls it on load, so a cache folder committed to a
repository (or planted in a shared folder) would run code on a plain ``sqlguard lint``. This
codec writes plain JSON and reads it back by constructing only the value classes of
``sqlguard.model`` and ``sqlguard.diagnostics`` (found there by name, nowhere else), without
calling their ``__init__``, after checking each field against its declared type. Anything else
in the text (an unknown class, a field of the wrong type or count) raises ``ValueError``, which
the cache treats as a miss.

The shape: an object is a one-key JSON object, ``{"Span": [3, 9]}`` (class name, then the
field values in declaration order); tuples, lists and frozensets are JSON arrays, told apart on
the way back by the field's declared type (records hold tuples, a ``Migration`` lists);
``Severity`` is its string. Only ``Migration``, the ``Diagnostic`` family and the records they
hold are expected, so a field type this codec cannot check (``Any``, a dict, a class from
another module) is refused when its class is first used, not guessed.

Field specs are built per class on first use (``typing.get_type_hints`` for all 45 classes
would cost every start ~10 ms, and a warm run only meets the four ``Diagnostic`` classes).
"""

from __future__ import annotations

import dataclasses
import enum
import json
import operator
import types
import typing
from collections.abc import Callable
from typing import Any

from sqlguard import diagnostics, model

_MODULES = (model, diagnostics)
_Convert = Callable[[Any], Any]


class _Spec(typing.NamedTuple):
    cls: type
    names: tuple[str, ...]
    # Per field: the exact types a JSON value may have as it is (None: use the converter), and
    # the converter for values that need one (arrays into tuples, a string into an Enum).
    plain: tuple[frozenset[type] | None, ...]
    convert: tuple[_Convert | None, ...]
    values: Callable[[Any], Any]  # the instance's field values, in order (a tuple, or one value)


_SPECS: dict[str, _Spec] = {}
_BY_TYPE: dict[type, _Spec] = {}
_SIMPLE = (str, int, bool, type(None))


def encode(value: object) -> str:
    """``value`` (model objects, diagnostics, and tuples, lists, str, int, bool, None of them) as
    compact JSON. Raises ``TypeError`` for anything else (a lock, a parser object)."""
    return json.dumps(value, default=_default, separators=(",", ":"), check_circular=False)


def decode(text: str | bytes) -> Any:
    """The value ``encode`` wrote. Raises ``ValueError`` for anything it would not write."""
    try:
        return json.loads(text, object_hook=_construct)
    except RecursionError as error:  # a hostile nesting depth
        raise ValueError("nested too deeply") from error
    except (KeyError, TypeError) as error:  # json's own errors are ValueErrors already
        raise ValueError(str(error)) from error


def _default(value: object) -> object:
    kind = type(value)
    spec = _BY_TYPE.get(kind) or _spec_for_type(kind)
    if spec is None:
        if isinstance(value, frozenset):
            return sorted(value, key=repr)  # sorted: equal values always write the same text
        raise TypeError(f"cannot store a {kind.__name__} in the cache")
    values = spec.values(value)
    return {kind.__name__: values if len(spec.names) != 1 else [values]}


def _construct(pairs: dict[str, Any]) -> object:
    if len(pairs) != 1:
        raise ValueError("an object is one class name and its fields")
    ((name, values),) = pairs.items()
    spec = _SPECS.get(name) or _spec_for_name(name)
    if type(values) is not list or len(values) != len(spec.names):
        raise ValueError(f"{name}: expected {len(spec.names)} fields")
    made: Any = object.__new__(spec.cls)  # no __init__ or __post_init__: only the fields are set
    fields = made.__dict__
    for field_name, plain, convert, item in zip(spec.names, spec.plain, spec.convert, values, strict=True):
        if convert is not None:
            item = convert(item)
        elif type(item) not in plain:  # type: ignore[operator]
            raise ValueError(f"{name}.{field_name}: unexpected {type(item).__name__}")
        fields[field_name] = item
    return made


def _spec_for_name(name: str) -> _Spec:
    for module in _MODULES:
        candidate = vars(module).get(name)
        if isinstance(candidate, type) and candidate.__module__ == module.__name__:
            spec = _spec_for_type(candidate)
            if spec is not None:
                return spec
    raise ValueError(f"{name!r} is not a sqlguard value class")


def _spec_for_type(kind: type) -> _Spec | None:
    if kind.__module__ not in _MODULE_NAMES or not dataclasses.is_dataclass(kind):
        return None
    hints = typing.get_type_hints(kind)
    names = tuple(item.name for item in dataclasses.fields(kind))
    checks = [_check(hints[name], f"{kind.__name__}.{name}") for name in names]
    plain = tuple(check if isinstance(check, frozenset) else None for check in checks)
    convert = tuple(None if isinstance(check, frozenset) else check for check in checks)
    spec = _Spec(kind, names, plain, convert, operator.attrgetter(*names))
    _SPECS[kind.__name__] = _BY_TYPE[kind] = spec
    return spec


_MODULE_NAMES = frozenset(module.__name__ for module in _MODULES)


def _check(hint: Any, where: str) -> frozenset[type] | _Convert:
    """How a decoded JSON value is checked against ``hint``: the exact types it may have as it is
    (a value class counts with its subclasses: it was built by ``_construct`` already), or a
    converter that checks it and returns it as the field holds it (arrays become tuples or
    frozensets as declared). Raises ``TypeError`` up front for a hint it cannot check."""
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if hint in _SIMPLE:
        return frozenset({hint})
    if origin is typing.Literal and all(type(argument) is str for argument in arguments):
        return frozenset({str})  # a closed set of words; the type is what keeps code safe
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return lambda value: hint(value) if type(value) is str else _wrong(where, value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and hint.__module__ in _MODULE_NAMES:
        return frozenset(_with_subclasses(hint))
    if origin in (typing.Union, types.UnionType):
        return _union([_check(argument, where) for argument in arguments], where)
    if origin in (tuple, list, frozenset):
        if origin is tuple and not (len(arguments) == 2 and arguments[1] is Ellipsis):
            raise TypeError(f"{where}: fixed-length tuples are not stored")
        return _sequence(origin, _check(arguments[0], where), where)
    raise TypeError(f"{where}: the cache cannot check a field of type {hint!r}")


def _with_subclasses(kind: type) -> set[type]:
    found = {kind}
    sub: type
    for sub in kind.__subclasses__():
        found |= _with_subclasses(sub)
    return found


def _union(options: list[frozenset[type] | _Convert], where: str) -> frozenset[type] | _Convert:
    plain = frozenset().union(*(option for option in options if isinstance(option, frozenset)))
    converters = [option for option in options if not isinstance(option, frozenset)]
    if not converters:
        return plain

    def check(value: Any) -> Any:
        if type(value) in plain:
            return value
        for convert in converters:
            try:
                return convert(value)
            except ValueError:
                continue
        return _wrong(where, value)

    return check


def _sequence(build: Callable[[Any], Any], item: frozenset[type] | _Convert, where: str) -> _Convert:
    if isinstance(item, frozenset):

        def plain_items(value: Any) -> Any:
            if type(value) is not list or not all(type(element) in item for element in value):
                return _wrong(where, value)
            return build(value)

        return plain_items

    def converted_items(value: Any) -> Any:
        if type(value) is not list:
            return _wrong(where, value)
        return build([item(element) for element in value])

    return converted_items


def _wrong(where: str, value: object) -> Any:
    raise ValueError(f"{where}: unexpected {type(value).__name__}")
