"""Answers in the user's language, and what `ktbot check` and `ktbot eval` say about languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.chat import topics_listing
from bot.conversation import Conversation, ReplyKind
from bot.i18n import translator
from bot.live_knowledge import LiveKnowledge
from bot.rendering import ENGLISH_ONLY as ENGLISH_ONLY_MSGID
from bot.rendering import category_html, reply_html, reply_text
from bot.telegram.keyboards import categories_keyboard
from intents.knowledge.errors import KnowledgeError, Severity
from intents.knowledge.loader import load_knowledge
from intents.knowledge.translation import localized_answer
from intents.matching.evaluation import LabelledQuestion, score_results
from intents.matching.result import MatchResult, Outcome
from tests.conftest import TINY_KB_FILES, KbFactory, dedent

ENGLISH_ONLY = {
    language: translator(language).gettext(ENGLISH_ONLY_MSGID)
    for language in ("fr", "de", "it", "es")
}
"""The line above an English answer, in each language (from the interface catalogs)."""
FRENCH_MEDICIS = """
    translations:
      fr:
        title: CERN-MEDICIS en français
        answer: CERN-MEDICIS produit des radio-isotopes _non conventionnels_ pour la recherche.
"""
FLASH_LINK = "https://kt.cern/flash"
MEDICAL = "topics/projects/medical.yaml"
FLASH_LINKED = {
    **TINY_KB_FILES,
    MEDICAL: TINY_KB_FILES[MEDICAL].replace(
        "**FLASH** delivers a radiation dose in under a second.",
        f"**FLASH** delivers a radiation dose in under a second ([more]({FLASH_LINK})).",
    ),
}
"""tiny_kb with a link in project.flash's English answer."""


def with_translation(
    topic_id: str, translation: str, files: dict[str, str] = TINY_KB_FILES
) -> dict[str, str]:
    """`files` with `translation` (YAML, indented freely) added to the medical topic `topic_id`."""
    lines = files[MEDICAL].splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {topic_id}")
    indent = " " * (len(lines[start]) - len(lines[start].lstrip()) + 2)
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].strip().startswith("- id:")),
        len(lines),
    )
    block = [indent + line for line in dedent(translation).splitlines()]
    return {**files, MEDICAL: "\n".join([*lines[:end], *block, *lines[end:]])}


@pytest.fixture
def bilingual_kb(make_kb: KbFactory) -> Path:
    return make_kb(with_translation("project.medicis", FRENCH_MEDICIS))


async def ask(root: Path, text: str, language_code: str | None = None) -> str:
    conversation = Conversation(LiveKnowledge.load(root), None, channel="test")
    reply = await conversation.ask(text, language_code=language_code)
    assert reply.kind is ReplyKind.ANSWER, reply
    return reply_text(reply)


# --- the answer in the user's language ----------------------------------------------------


async def test_a_french_question_gets_the_french_title_and_answer(bilingual_kb: Path) -> None:
    text = await ask(bilingual_kb, "Qu'est-ce que MEDICIS, et que produit cette installation ?")

    assert "CERN-MEDICIS EN FRANÇAIS" in text
    assert "produit des radio-isotopes non conventionnels" in text
    assert "produces" not in text
    assert ENGLISH_ONLY["fr"] not in text


async def test_a_german_question_gets_the_english_answer_with_one_line_saying_so(
    bilingual_kb: Path,
) -> None:
    text = await ask(bilingual_kb, "Was genau ist MEDICIS und was wird dort hergestellt?")

    assert text.splitlines()[0] == "Diese Antwort gibt es nur auf Englisch."
    assert "CERN-MEDICIS produces non-conventional radioisotopes" in text
    assert "produit" not in text


async def test_a_french_question_on_an_untranslated_topic_gets_english_with_a_french_note(
    bilingual_kb: Path,
) -> None:
    text = await ask(bilingual_kb, "Qu'est-ce que la radiothérapie FLASH exactement ?")

    assert text.splitlines()[0] == ENGLISH_ONLY["fr"]
    assert "FLASH delivers a radiation dose" in text


async def test_an_english_question_gets_english_with_no_note(bilingual_kb: Path) -> None:
    text = await ask(bilingual_kb, "What is MEDICIS?", language_code="de")

    assert text.splitlines()[0] == "CERN-MEDICIS"
    assert not any(note in text for note in ENGLISH_ONLY.values())


async def test_the_telegram_language_decides_a_question_too_short_to_tell(
    bilingual_kb: Path,
) -> None:
    text = await ask(bilingual_kb, "MEDICIS?", language_code="fr")

    assert "CERN-MEDICIS EN FRANÇAIS" in text


def test_the_telegram_reply_shows_the_note_in_italics_above_the_title(bilingual_kb: Path) -> None:
    conversation = Conversation(LiveKnowledge.load(bilingual_kb), None, channel="test")
    reply = conversation.topic_reply("project.flash", language="it")
    assert reply is not None

    assert reply_html(reply).startswith(
        "<i>Questa risposta è disponibile solo in inglese.</i>\n\n<b>FLASH radiotherapy</b>"
    )


def test_the_answer_for_a_language_is_a_plain_function_of_the_topic(bilingual_kb: Path) -> None:
    kb = load_knowledge(bilingual_kb)

    french = localized_answer(kb.topic("project.medicis"), "fr")
    spanish = localized_answer(kb.topic("project.medicis"), "es")

    assert (french.language, french.title) == ("fr", "CERN-MEDICIS en français")
    assert (spanish.language, spanish.title) == ("en", "CERN-MEDICIS")


# --- ktbot check --------------------------------------------------------------------------


def check_errors(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    return [str(p) for p in caught.value.problems]


def test_a_translation_that_adds_a_link_is_an_error_naming_it(make_kb: KbFactory) -> None:
    added = """
        translations:
          fr:
            title: CERN-MEDICIS
            answer: CERN-MEDICIS produit des radio-isotopes ; voir [la page](https://kt.cern/x).
    """
    root = make_kb(with_translation("project.medicis", added))

    (error,) = check_errors(root)

    assert re.match(r".*medical\.yaml:\d+: topic 'project\.medicis': ", error)
    assert "French answer adds a link to https://kt.cern/x" in error


def test_a_translation_that_drops_a_link_is_an_error_naming_it(make_kb: KbFactory) -> None:
    dropped = """
        translations:
          fr:
            title: La radiothérapie FLASH
            answer: La radiothérapie **FLASH** délivre la dose en moins d'une seconde.
    """
    root = make_kb(with_translation("project.flash", dropped, FLASH_LINKED))

    (error,) = check_errors(root)

    assert re.match(r".*medical\.yaml:\d+: topic 'project\.flash': ", error)
    assert f"French answer drops the link to {FLASH_LINK}" in error


def test_a_translation_with_the_same_links_passes(make_kb: KbFactory) -> None:
    same = f"""
        translations:
          fr:
            title: La radiothérapie FLASH
            answer: La **FLASH** délivre la dose en une seconde ([plus]({FLASH_LINK})).
    """
    root = make_kb(with_translation("project.flash", same, FLASH_LINKED))

    kb = load_knowledge(root)  # no error

    assert kb.topic("project.flash").translations["fr"].title == "La radiothérapie FLASH"


def test_topics_without_a_french_answer_are_one_warning_naming_the_first(
    bilingual_kb: Path,
) -> None:
    kb = load_knowledge(bilingual_kb)

    (warning,) = [w for w in kb.warnings if "French answer" in w.message]

    assert warning.severity is Severity.WARNING
    assert warning.message.startswith("3 of 4 topics have no French answer")
    assert "about.kt-group, route.contact, project.flash" in warning.message
    assert "project.medicis" not in warning.message
    assert warning.path.name == "about.yaml"


def test_many_untranslated_topics_are_named_up_to_five_and_counted(make_kb: KbFactory) -> None:
    topics = "topics:\n" + "".join(
        f"  - id: extra.t{i}\n    title: T{i}\n    category: about\n"
        f"    questions: [question {i} one, question {i} two, question {i} three]\n"
        f"    answer: Answer {i}.\n"
        for i in range(8)
    )
    kb = load_knowledge(make_kb({"topics/extra.yaml": topics}))

    (warning,) = [w for w in kb.warnings if "French answer" in w.message]

    assert warning.message.startswith("12 of 12 topics have no French answer")
    assert " and 7 more " in warning.message


# --- categories and links in the user's language -------------------------------------------

BROWSER_FILES = {
    **TINY_KB_FILES,
    "categories.yaml": TINY_KB_FILES["categories.yaml"].replace(
        "description: CERN technologies with medical applications.",
        """description: CERN technologies with medical applications.
            translations:
              fr:
                title: Projets médicaux
                description: Technologies du CERN aux applications médicales.""",
    ),
    MEDICAL: TINY_KB_FILES[MEDICAL].replace(
        "url: https://kt.cern/flash",
        """url: https://kt.cern/flash
                translations:
                  fr: {title: Le FLASH au CERN}""",
    ),
}
"""tiny_kb with the `projects` category and the FLASH link in French (not `about`)."""


def test_a_french_user_browses_translated_categories_in_french(make_kb: KbFactory) -> None:
    kb = load_knowledge(make_kb(BROWSER_FILES))

    def buttons(language: str) -> list[str]:
        keyboard = categories_keyboard(kb, translator(language))
        return [row[0].text for row in keyboard.inline_keyboard]

    assert buttons("fr") == ["About Knowledge Transfer", "Projets médicaux"]
    assert buttons("en") == ["About Knowledge Transfer", "Medical projects"]
    projects = kb.categories["projects"]
    assert category_html(projects, "fr") == (
        "<b>Projets médicaux</b>\nTechnologies du CERN aux applications médicales."
    )
    assert category_html(projects, "en") == (
        "<b>Medical projects</b>\nCERN technologies with medical applications."
    )
    assert "Projets médicaux — Technologies du CERN" in topics_listing(kb, "fr")
    assert "Medical projects — CERN technologies" in topics_listing(kb, "en")


def test_an_answers_links_are_titled_in_the_users_language(make_kb: KbFactory) -> None:
    conversation = Conversation(LiveKnowledge.load(make_kb(BROWSER_FILES)), None, channel="test")
    french = conversation.topic_reply("project.flash", language="fr")
    english = conversation.topic_reply("project.flash", language="en")
    assert french is not None and english is not None

    assert '<a href="https://kt.cern/flash">Le FLASH au CERN</a>' in reply_html(french)
    assert "FLASH at CERN" not in reply_html(french)
    assert "Le FLASH au CERN — https://kt.cern/flash" in reply_text(french)
    assert '<a href="https://kt.cern/flash">FLASH at CERN</a>' in reply_html(english)
    assert "FLASH at CERN — https://kt.cern/flash" in reply_text(english)


def test_categories_without_a_french_title_are_one_warning(make_kb: KbFactory) -> None:
    kb = load_knowledge(make_kb(BROWSER_FILES))

    (warning,) = [w for w in kb.warnings if "categories" in w.message]

    assert warning.severity is Severity.WARNING
    assert warning.message.startswith("1 of 2 categories have no French title")
    assert ": about (add translations: fr:" in warning.message
    assert (warning.path.name, warning.line) == ("categories.yaml", 2)


# --- ktbot eval ---------------------------------------------------------------------------


def outcome(question: str, intent: str | None) -> MatchResult:
    kind = Outcome.ANSWER if intent else Outcome.FALLBACK
    return MatchResult(question=question, outcome=kind, intent=intent, score=0.5)


def test_eval_reports_per_language_when_some_lines_are_not_english() -> None:
    questions = [
        LabelledQuestion("How do I license a patent?", frozenset({"route.licensing"})),
        LabelledQuestion(
            "Comment obtenir une licence sur un brevet ?", frozenset({"route.licensing"})
        ),
        LabelledQuestion("Lizenz bitte", frozenset({"route.licensing"}), language="de"),
    ]
    results = [
        outcome(questions[0].text, "route.licensing"),
        outcome(questions[1].text, None),
        outcome(questions[2].text, "route.licensing"),
    ]

    report = score_results(questions, results, max_options=3)

    assert list(report.by_language) == ["en", "fr", "de"]
    assert report.by_language["fr"].in_scope_accuracy == 0.0
    assert report.by_language["de"].in_scope_accuracy == 1.0


def test_eval_of_english_lines_only_has_no_language_table() -> None:
    questions = [LabelledQuestion("How do I license a patent?", frozenset({"route.licensing"}))]

    report = score_results(questions, [outcome(questions[0].text, None)], max_options=3)

    assert report.by_language == {}
