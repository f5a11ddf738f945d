"""Where a slide's text may break across lines: Unicode line breaking (ICU's UAX #14, with its
dictionaries for scripts without spaces), kept whole within a Japanese or Chinese phrase (BudouX)
and within a Korean word."""

from __future__ import annotations

from functools import cache

import budoux
from icu4py.breakers import LineBreaker


@cache
def phrase_parser(language: str) -> budoux.Parser | None:
    if language == "ja":
        return budoux.load_default_japanese_parser()
    if language == "zh":
        return budoux.load_default_simplified_chinese_parser()
    return None


def pieces(text: str, language: str) -> list[str]:
    """What may not be split across lines: ICU's line-break segments (UAX #14, with dictionary
    breaking for Thai, Lao, Khmer and Burmese), kept whole within a Japanese or Chinese phrase
    (BudouX) and within a Korean word (Korean breaks between words, as CSS `keep-all`)."""
    segments = list(LineBreaker(text, language or "en"))
    parser = phrase_parser(language)
    if parser is None and language != "ko":
        return segments
    phrase_ends: set[int] = set()
    if parser is not None:
        at = 0
        for phrase in parser.parse(text):
            at += len(phrase)
            phrase_ends.add(at)
    merged, current, at = [], "", 0
    for segment in segments:
        current += segment
        at += len(segment)
        if (at in phrase_ends) if parser is not None else segment[-1:].isspace():
            merged.append(current)
            current = ""
    return [*merged, current] if current else merged
