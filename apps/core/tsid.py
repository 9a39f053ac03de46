"""TSID: 64-bit, time-sorted, unique identifiers.

Layout (most significant bit first)::

    | 42 bits: milliseconds since 2020-01-01T00:00:00Z | 10 bits: node | 12 bits: counter |

The top bit of the 42-bit time is zero until 2159, so every id fits a signed
``bigint``. The counter starts at a random value every millisecond and increments
within it; when it runs out the generator borrows the next millisecond, so ids from
one generator are strictly increasing even if the clock stalls or steps back.

Ids are shown as 13 Crockford base32 characters (``0-9A-Z`` without ``I L O U``),
read case-insensitively with ``I``/``L`` as ``1`` and ``O`` as ``0``.

Uniqueness across processes comes from the node: ``BARO_TSID_NODE`` sets it; when
unset each process draws one at random (again after ``fork``), and gunicorn
workers are handed distinct nodes by ``gunicorn.conf.py``.
"""

from __future__ import annotations

import os
import secrets
import threading
import time

EPOCH_MS = 1577836800000  # 2020-01-01T00:00:00Z
TIME_BITS = 42
NODE_BITS = 10
COUNTER_BITS = 12
RANDOM_BITS = NODE_BITS + COUNTER_BITS
NODE_MAX = (1 << NODE_BITS) - 1
COUNTER_MASK = (1 << COUNTER_BITS) - 1
MAX_VALUE = (1 << 63) - 1  # ids are stored in a signed bigint
STRING_LENGTH = 13

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {char: index for index, char in enumerate(ALPHABET)}
_DECODE.update({char.lower(): index for char, index in list(_DECODE.items())})
for _alias, _target in (("I", "1"), ("i", "1"), ("L", "1"), ("l", "1"), ("O", "0"), ("o", "0")):
    _DECODE[_alias] = _DECODE[_target]

# A URL converter pattern: 13 symbols from the accepted alphabet (aliases included).
# The first symbol carries only 3 bits of a 63-bit id (values 0-7).
URL_REGEX = "[0-7][0-9A-HJ-NP-TV-Za-hj-np-tv-zIiLlOo]{12}"


class InvalidTSID(ValueError):
    """A string that is not a 13-character TSID."""


def encode(value: int) -> str:
    """Return the 13-character Crockford string of a TSID integer."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_VALUE:
        raise InvalidTSID(f"not a TSID value: {value!r}")
    chars = []
    for _ in range(STRING_LENGTH):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def decode(text: str) -> int:
    """Return the integer of a TSID string; raise InvalidTSID for anything else."""
    if not isinstance(text, str) or len(text) != STRING_LENGTH:
        raise InvalidTSID("a TSID is 13 characters long")
    value = 0
    for char in text:
        digit = _DECODE.get(char)
        if digit is None:
            raise InvalidTSID(f"{char!r} is not a TSID character")
        value = (value << 5) | digit
    if value > MAX_VALUE:
        raise InvalidTSID("TSID out of range")
    return value


def compose(unix_ms: int, node: int, counter: int) -> int:
    """The TSID for a given moment, node and counter (for back-dated bulk loads)."""
    if not 0 <= counter <= COUNTER_MASK or not 0 <= node <= NODE_MAX:
        raise ValueError("node or counter out of range")
    return ((unix_ms - EPOCH_MS) << RANDOM_BITS) | (node << COUNTER_BITS) | counter


def to_datetime_ms(value: int) -> int:
    """Unix milliseconds at which a TSID was generated."""
    return (value >> RANDOM_BITS) + EPOCH_MS


class Generator:
    """Thread-safe TSID generator for one node."""

    def __init__(self, node: int | None = None, clock=time.time_ns) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._last_ms = -1
        self._counter = 0
        self.node = self._draw_node() if node is None else self._check_node(node)

    @staticmethod
    def _check_node(node: int) -> int:
        if not 0 <= node <= NODE_MAX:
            raise ValueError(f"TSID node must be between 0 and {NODE_MAX}, got {node}")
        return node

    @staticmethod
    def _draw_node() -> int:
        return secrets.randbelow(NODE_MAX + 1)

    def set_node(self, node: int | None) -> None:
        """Use ``node`` from now on (a fresh random draw when ``None``)."""
        with self._lock:
            self.node = self._draw_node() if node is None else self._check_node(node)
            # A new node owns its own id space: restart the counter sequence.
            self._last_ms = -1

    def _now_ms(self) -> int:
        return self._clock() // 1_000_000 - EPOCH_MS

    def next(self) -> int:
        with self._lock:
            now = self._now_ms()
            if now > self._last_ms:
                self._last_ms = now
                self._counter = secrets.randbits(COUNTER_BITS)
            else:
                self._counter += 1
                if self._counter > COUNTER_MASK:
                    # Counter exhausted for this millisecond: move to the next one
                    # rather than wait; the clock catches up within a millisecond.
                    self._last_ms += 1
                    self._counter = secrets.randbits(COUNTER_BITS)
            return (self._last_ms << RANDOM_BITS) | (self.node << COUNTER_BITS) | self._counter


def _node_from_environment() -> int | None:
    raw = os.environ.get("BARO_TSID_NODE", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"BARO_TSID_NODE must be an integer 0-{NODE_MAX}, got {raw!r}") from exc


_generator = Generator(node=_node_from_environment())


def _redraw_after_fork() -> None:
    # A forked child must not share its parent's node and counter state, or both
    # would hand out the same ids in the same millisecond.
    _generator._lock = threading.Lock()
    _generator.set_node(_node_from_environment())


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_redraw_after_fork)


def new_tsid() -> int:
    """A new TSID from this process's generator."""
    return _generator.next()


def set_node(node: int | None) -> None:
    """Set this process's node (used by the gunicorn post-fork hook)."""
    _generator.set_node(node)


def current_node() -> int:
    return _generator.node


class Backdated:
    """TSIDs for rows that record the past (bulk-loaded demo or measurement data):
    each id carries the given millisecond, unique within this generator. Ids asked
    for in time order come out increasing; more than 4,096 in one millisecond borrow
    the next one."""

    def __init__(self, node: int | None = None) -> None:
        self.node = current_node() if node is None else node
        self.last_ms = -1
        self.counter = 0

    def at(self, unix_ms: int) -> int:
        if unix_ms <= self.last_ms:
            self.counter += 1
            if self.counter > COUNTER_MASK:
                self.last_ms += 1
                self.counter = 0
        else:
            self.last_ms, self.counter = unix_ms, 0
        return compose(self.last_ms, self.node, self.counter)
