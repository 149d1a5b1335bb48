"""How deeply a JSON body nests, found before any parser recurses into it.

Python's JSON parser recurses once per level, so a body of a few kilobytes of `[` exhausts
the stack inside the framework, before any schema could refuse it by field. `too_deep` reads
the raw bytes instead: strings are blanked and brackets counted with regular expressions and
`accumulate`, all in C, so even a body of a megabyte of brackets costs milliseconds. Only a
body that is too deep is walked again, token by token, to name the top-level field it is in.

The bytes are read as UTF-8, where no byte of a multi-byte character can pass for a quote or
a bracket. In UTF-16 or UTF-32 one can (U+2200 is `00 22`, a quote after a NUL), and the
parser reads those too: so a body that is not UTF-8 (`encoding`) must be refused unread.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"?', re.DOTALL)  # an unclosed string runs to the end
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}:,]', re.DOTALL)
# Opening brackets count 2 and closing ones 0 (bytes are unsigned); one is taken off each.
_STEP = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def encoding(body: bytes) -> str:
    """The encoding a JSON parser reads `body` in, as Python's finds it (RFC 8259 section 8.1
    allows only UTF-8 between systems): "utf-8", "utf-8-sig" after a byte-order mark, or
    "utf-16..." and "utf-32..." by their byte-order marks and NUL bytes."""
    return json.detect_encoding(body)


def nesting(body: bytes) -> int:
    """The deepest level of arrays and objects in `body` (0 for a scalar)."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b'""', body)).translate(_STEP)
    if not brackets:
        return 0
    return max(accumulate(step - 1 for step in brackets))


def too_deep(body: bytes, limit: int) -> tuple[str, ...] | None:
    """None when `body` nests at most `limit` levels; otherwise where the too-deep part
    starts: `("body", <top-level key>)` inside an object, `("body",)` otherwise."""
    if body.count(b"[") + body.count(b"{") <= limit or nesting(body) <= limit:
        return None
    depth, key, last_string = 0, None, None
    for match in _TOKEN.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                break
        elif token in (b"]", b"}"):
            depth -= 1
        elif token == b":" and depth == 1:
            key = last_string
        elif token.startswith(b'"'):
            last_string = token
    if key is None:
        return ("body",)
    return ("body", key[1:-1].decode("utf-8", "replace"))
