"""``@record``: the model's immutable value classes, declared like dataclasses but cheap to import.

Why not plain ``@dataclass(frozen=True)``: Python 3.11 compiles every generated method separately
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``), and the
model's 45 classes made that about 60 ms of every ``sqlguard lint`` start, a fifth of the
startup budget. A record generates only its ``__init__`` (one compile per class); equality, hashing
and repr come from the ``Record`` base, written once and shared.

Records are still dataclasses at runtime (``dataclasses.fields``, ``dataclasses.replace`` and
pickling work as before) and frozen for the type checker: ``dataclass_transform`` with
``frozen_default`` makes mypy reject any assignment to a field, which CI runs on every change.
At runtime a record does not stop ``setattr``, the one thing it gives up for the start time.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar, dataclass_transform

_R = TypeVar("_R", bound=type)


class Record:
    """Value semantics over the fields, like a frozen dataclass: equal when the class and every
    field are equal, hashable when every field is, and a repr that lists the fields."""

    __slots__ = ()
    __record_fields__: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self.__record_fields__])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_fields__)
        return f"{type(self).__qualname__}({shown})"


@dataclass_transform(kw_only_default=True, frozen_default=True)
def record(cls: _R) -> _R:
    """Make ``cls`` (a ``Record`` subclass) a keyword-only dataclass with value semantics."""
    if not issubclass(cls, Record):
        raise TypeError(f"@record class {cls.__qualname__} must derive from Record")
    made: Any = dataclasses.dataclass(kw_only=True, eq=False, repr=False)(cls)
    made.__record_fields__ = tuple(item.name for item in dataclasses.fields(made))
    return made
