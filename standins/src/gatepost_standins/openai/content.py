"""Canned carousel text in a few languages, so the stand-in answers in the language asked for."""

from __future__ import annotations

from typing import Any

PHRASES: dict[str, tuple[str, str, list[str]]] = {
    "en": ("Things nobody tells you about", "Save this for later ✨", ["tips", "learn", "howto"]),
    "fr": (
        "Ce que personne ne vous dit sur",
        "Enregistre-le pour plus tard ✨",
        ["astuces", "apprendre", "conseils"],
    ),
    "es": (
        "Lo que nadie te cuenta sobre",
        "Guárdalo para después ✨",
        ["consejos", "aprender", "trucos"],
    ),
    "de": ("Was dir niemand über", "Speicher dir das für später ✨", ["tipps", "lernen", "wissen"]),
    "ja": ("誰も教えてくれない", "あとで見返せるように保存してね ✨", ["ヒント", "学び", "豆知識"]),
    "pt": (
        "O que ninguém te conta sobre",
        "Salve para ver depois ✨",
        ["dicas", "aprender", "truques"],
    ),
    "it": (
        "Quello che nessuno ti dice su",
        "Salvalo per dopo ✨",
        ["consigli", "imparare", "trucchi"],
    ),
    "nl": ("Wat niemand je vertelt over", "Bewaar dit voor later ✨", ["tips", "leren", "weetjes"]),
}


def carousel_for(topic: str, language: str) -> dict[str, Any]:
    """Canned text in `language`; for a language without phrases, only the topic's own words."""
    words = [w.strip(".,!?¿¡:;") for w in topic.split() if len(w) > 3][:3]
    hook, cta, tags = PHRASES.get(language, ("", "✨", [*words, "fyp", "viral", "tiktok"][:3]))
    short = topic[:50]
    return {
        "title": f"{hook} {short}"[:90],
        "caption": f"{hook} {topic} 👀\n\n{cta} 💡",
        "hashtags": [f"#{t}" for t in tags],
        "slides": [
            {"text": f"{i + 1}. {hook} {short}", "image_prompt": f"Slide {i + 1} about {topic}"}
            for i in range(7)
        ],
    }


STOPWORDS = {
    "fr": {"le", "la", "les", "des", "une", "pour", "est", "et", "du", "avec", "comment"},
    "es": {"el", "los", "las", "una", "para", "es", "y", "con", "cómo", "del", "por"},
    "de": {"der", "die", "das", "und", "ist", "mit", "für", "ein", "eine", "wie", "zu"},
    "en": {"the", "a", "an", "and", "is", "for", "with", "how", "to", "of", "your"},
}


def guess_language(text: str) -> str:
    """A stand-in's guess, good enough for canned answers: script first, then stopwords."""
    if any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text):
        return "ja"
    words = {w.strip(".,!?¿¡:;").lower() for w in text.split()}
    scores = {lang: len(words & stop) for lang, stop in STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] else "en"
