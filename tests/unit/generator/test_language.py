"""Topic language: lingua's low accuracy models first, a second look in high accuracy mode only
for the languages a short topic leaves in doubt, the LLM fallback for a near tie."""

from __future__ import annotations

import json
from pathlib import Path

from gatepost_generator.language import LinguaDetector, TopicLanguage
from gatepost_generator.provider import Usage

LABELLED = Path(__file__).parents[3] / "benchmarks" / "topics_labelled.json"


def test_a_confident_topic_loads_no_high_accuracy_model() -> None:
    detector = LinguaDetector()

    assert detector.detect("Five habits of people who never get sick") == "en"
    assert detector.loaded() == set()


def test_a_topic_in_doubt_is_settled_between_its_two_candidates_only() -> None:
    detector = LinguaDetector()
    topic = "Come fare un buon caffè a casa"  # low accuracy alone answers Tagalog

    assert LinguaDetector(accuracy="low").detect(topic) == "tl"
    assert detector.detect(topic) == "it"
    assert detector.loaded() == {"it", "tl"}


def test_labelled_topics_are_right_or_left_to_the_fallback_never_wrong() -> None:
    labelled: dict[str, list[str]] = json.loads(LABELLED.read_text())
    detector = LinguaDetector()
    found = {topic: detector.detect(topic) for topics in labelled.values() for topic in topics}

    wrong = [t for lang, ts in labelled.items() for t in ts if found[t] not in (lang, None)]
    right = [t for lang, ts in labelled.items() for t in ts if found[t] == lang]
    assert wrong == []
    assert len(right) >= 60


async def test_a_near_tie_goes_to_the_llm_fallback() -> None:
    asked: list[str] = []

    async def fallback(text: str, usage: Usage) -> str | None:
        asked.append(text)
        return "es"

    language = TopicLanguage(LinguaDetector(), fallback)
    topic = "Cinco hábitos de la gente que nunca se enferma"  # Portuguese 0.52, Spanish 0.48

    assert await language.of(topic, Usage()) == "es"
    assert asked == [topic]


def test_a_confident_low_accuracy_guess_below_certainty_still_gets_a_second_look() -> None:
    topic = "Three stretches for desk workers"  # low accuracy alone: Tagalog 0.965, English 0.033

    assert LinguaDetector(accuracy="low").detect(topic) == "tl"
    assert LinguaDetector().detect(topic) == "en"


def test_more_than_two_languages_in_play_go_to_the_llm_fallback() -> None:
    topic = "Five-minute desk yoga"  # low accuracy: Finnish 0.33, German 0.17, Tagalog 0.13

    assert LinguaDetector(accuracy="low").detect(topic) == "fi"
    assert LinguaDetector().detect(topic) is None  # a look at Finnish and German said German


def test_words_with_digits_do_not_tip_the_guess() -> None:
    detector = LinguaDetector()
    plain = "Balcony tomatoes for beginners"
    # each of these test markers once turned the guess to another language
    marked = [f"{plain} {code}" for code in ("b1ba3efd", "ceef20ab", "baa19e1d", "2026", "x10")]

    assert detector.detect(plain) == "en"
    assert [detector.detect(topic) for topic in marked] == ["en"] * len(marked)
