"""Texts a regex matches without its literal are found, so no pattern branch goes unread."""

from __future__ import annotations

import re

from engine.errortext import FLAGS
from engine.literalcheck import literal_escape, texts_of


def test_alternation_outside_the_literal_is_found() -> None:
    """The aiohttp bug: one branch of the alternation lacks the literal."""
    regex = r"\bClientConnector(?:Certificate|SSL)Error\b"
    assert literal_escape(regex, "sslerror", FLAGS) == "ClientConnectorCertificateError"
    assert literal_escape(regex, "clientconnector", FLAGS) is None


def test_optional_parts_classes_and_repeats() -> None:
    """An optional word, a class and a repeat are spelled so the regex really matches."""
    assert literal_escape(r"reset(?: by peer)?", "by peer", FLAGS) == "reset"
    assert literal_escape(r"errno \d+ reset", "errno 1", FLAGS) == "errno 0 reset"
    assert literal_escape(r"errno \d+ reset", "errno ", FLAGS) is None
    assert literal_escape(r"hasn.t completed", "hasn't completed", FLAGS) == "hasnat completed"
    assert literal_escape(r"(?i:EOF)\b", "eof", FLAGS) is None


def test_every_spelled_text_is_matched_by_its_regex() -> None:
    """The spelled texts are real matches (what a counterexample must be)."""
    for regex in [r"a(?:b|c)d", r"\bx[0-9]{2,3}y\b", r"(?:foo|bar)+ baz?", r"\w+@\S+"]:
        compiled = re.compile(regex, FLAGS)
        texts = texts_of(regex, FLAGS)
        assert texts and all(compiled.search(text) for text in texts), regex
