"""Canned carousel text in a few languages, so the stand-in answers in the language asked for."""

from __future__ import annotations

from typing import Any

PHRASES: dict[str, tuple[str, str, list[str]]] = {
    "en": ("Things nobody tells you about", "Save this for later ✨", ["tips", "learn", "howto"]),
    "fr": ("Ce que personne ne vous dit sur", "Enregistre-le pour plus tard ✨",
           ["astuces", "apprendre", "conseils"]),
    "es": ("Lo que nadie te cuenta sobre", "Guárdalo para después ✨",
           ["consejos", "aprender", "trucos"]),
    "de": ("Was dir niemand über", "Speicher dir das für später ✨",
           ["tipps", "lernen", "wissen"]),
    "ja": ("誰も教えてくれない", "あとで見返せるように保存してね ✨", ["ヒント", "学び", "豆知識"]),
}


def carousel_for(topic: str, language: str) -> dict[str, Any]:
    hook, cta, tags = PHRASES.get(language, PHRASES["en"])
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
