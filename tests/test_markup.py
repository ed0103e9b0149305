"""The light answer markup: **bold**, _italic_, [links](https://…), '- ' bullets, paragraphs."""

from __future__ import annotations

import pytest

from intents.text.markup import Block, BlockKind, Span, SpanKind, parse_markup, plain_text


def spans(text: str) -> list[tuple[str, str]]:
    """(kind, text) of the spans of a one-block answer."""
    markup = parse_markup(text)
    assert len(markup.blocks) == 1, markup.blocks
    return [(str(span.kind), span.text) for span in markup.blocks[0].spans]


def kinds(text: str) -> list[str]:
    return [str(block.kind) for block in parse_markup(text).blocks]


# --- inline -------------------------------------------------------------------------------


def test_plain_text_is_one_text_span() -> None:
    assert spans("CERN shares its know-how.") == [("text", "CERN shares its know-how.")]


def test_double_asterisks_make_bold() -> None:
    assert spans("The **MEDICIS** facility") == [
        ("text", "The "),
        ("bold", "MEDICIS"),
        ("text", " facility"),
    ]


def test_underscores_make_italic() -> None:
    assert spans("a _non-conventional_ isotope") == [
        ("text", "a "),
        ("italic", "non-conventional"),
        ("text", " isotope"),
    ]


def test_italic_may_be_followed_by_punctuation() -> None:
    assert spans("It is _fast_.") == [("text", "It is "), ("italic", "fast"), ("text", ".")]


def test_snake_case_words_are_not_italicised() -> None:
    text = "Tune clarify_threshold and answer_threshold in settings."

    assert spans(text) == [("text", text)]


def test_underscores_inside_paths_are_not_italicised() -> None:
    text = "See the folder knowledge/_drafts_ for examples."

    assert spans(text) == [("text", text)]


def test_link_keeps_its_label_and_url() -> None:
    markup = parse_markup("Read [the KT site](https://kt.cern/medical) today.")

    assert markup.blocks[0].spans == (
        Span(SpanKind.TEXT, "Read "),
        Span(SpanKind.LINK, "the KT site", "https://kt.cern/medical"),
        Span(SpanKind.TEXT, " today."),
    )
    assert markup.problems == ()


def test_underscores_inside_a_link_url_are_not_italicised() -> None:
    markup = parse_markup("[docs](https://kt.cern/a_b_c/_x_)")

    assert markup.blocks[0].spans == (Span(SpanKind.LINK, "docs", "https://kt.cern/a_b_c/_x_"),)


def test_several_inline_styles_mix_in_one_line() -> None:
    assert spans("**Bold**, _italic_ and [a link](https://kt.cern/).") == [
        ("bold", "Bold"),
        ("text", ", "),
        ("italic", "italic"),
        ("text", " and "),
        ("link", "a link"),
        ("text", "."),
    ]


def test_html_in_an_answer_is_kept_as_text_for_the_renderer_to_escape() -> None:
    assert spans("<b>not markup</b> & co") == [("text", "<b>not markup</b> & co")]


# --- nested inline markup ---------------------------------------------------------------
# Shown raw, `**[KT](…)**` reached users with its asterisks and brackets.


@pytest.mark.parametrize("text", ["**[KT](https://kt.cern/)**", "[**KT**](https://kt.cern/)"])
def test_nested_markup_is_rendered_or_reported_never_shown_raw(text: str) -> None:
    markup = parse_markup(text)

    shown = "".join(span.text for span in markup.blocks[0].spans)
    assert markup.problems or ("**" not in shown and "](" not in shown)


@pytest.mark.parametrize("text", ["**[KT](https://kt.cern/)**", "[**KT**](https://kt.cern/)"])
def test_a_bold_link_is_one_link_span_marked_bold(text: str) -> None:
    markup = parse_markup(text)

    assert markup.blocks[0].spans == (Span(SpanKind.LINK, "KT", "https://kt.cern/", bold=True),)
    assert markup.problems == ()


def test_an_italic_link_label_is_one_link_span_marked_italic() -> None:
    markup = parse_markup("[_the KT site_](https://kt.cern/)")

    assert markup.blocks[0].spans == (
        Span(SpanKind.LINK, "the KT site", "https://kt.cern/", italic=True),
    )


def test_a_link_inside_bold_text_keeps_the_text_around_it_bold() -> None:
    markup = parse_markup("**see [KT](https://kt.cern/) now**")

    assert markup.blocks[0].spans == (
        Span(SpanKind.BOLD, "see "),
        Span(SpanKind.LINK, "KT", "https://kt.cern/", bold=True),
        Span(SpanKind.BOLD, " now"),
    )


@pytest.mark.parametrize("text", ["**_both_**", "_**both**_"])
def test_bold_and_italic_nest_either_way(text: str) -> None:
    assert parse_markup(text).blocks[0].spans == (Span(SpanKind.BOLD, "both", italic=True),)


def test_italic_inside_bold_text_is_bold_too() -> None:
    assert parse_markup("**very _fast_ beams**").blocks[0].spans == (
        Span(SpanKind.BOLD, "very "),
        Span(SpanKind.BOLD, "fast", italic=True),
        Span(SpanKind.BOLD, " beams"),
    )


def test_snake_case_inside_bold_is_not_italicised() -> None:
    assert spans("**answer_threshold_value**") == [("bold", "answer_threshold_value")]


def test_a_link_label_styled_in_part_is_reported_and_shown_without_markers() -> None:
    # One link is one tag (and one "(url)" in the terminal): its label has one style.
    markup = parse_markup("[the **KT** site](https://kt.cern/)")

    assert markup.blocks[0].spans == (Span(SpanKind.LINK, "the KT site", "https://kt.cern/"),)
    assert markup.problems == (
        "link 'the **KT** site': bold or italic must cover the whole label or none",
    )


def test_unbalanced_double_asterisks_in_a_link_label_are_reported() -> None:
    problems = parse_markup("[**KT](https://kt.cern/)").problems

    assert len(problems) == 1
    assert problems[0].startswith("unbalanced '**'")


def test_an_invalid_url_of_a_bold_link_is_reported() -> None:
    assert parse_markup("**[KT](kt.cern)**").problems == ("link 'KT' has an invalid URL 'kt.cern'",)


# --- blocks -------------------------------------------------------------------------------


def test_lines_of_one_paragraph_are_joined_with_a_space() -> None:
    markup = parse_markup("First line\nsecond line.")

    assert markup.blocks == (
        Block(BlockKind.PARAGRAPH, (Span(SpanKind.TEXT, "First line second line."),)),
    )


def test_blank_lines_separate_paragraphs() -> None:
    assert kinds("One.\n\nTwo.\n\n\nThree.") == ["paragraph"] * 3


def test_dash_star_and_bullet_lines_are_bullets() -> None:
    markup = parse_markup("- first\n* second\n• third")

    assert [b.kind for b in markup.blocks] == [BlockKind.BULLET] * 3
    assert plain_text(markup).split() == ["first", "second", "third"]


def test_bullets_may_follow_a_paragraph_without_a_blank_line() -> None:
    assert kinds("Benefits:\n- speed\n- precision\n\nMore below.") == [
        "paragraph",
        "bullet",
        "bullet",
        "paragraph",
    ]


def test_bullets_may_hold_inline_markup() -> None:
    markup = parse_markup("- **FLASH**: [details](https://kt.cern/flash)")

    assert markup.blocks[0].kind is BlockKind.BULLET
    assert [s.kind for s in markup.blocks[0].spans] == [
        SpanKind.BOLD,
        SpanKind.TEXT,
        SpanKind.LINK,
    ]


def test_a_bold_start_of_line_is_not_a_bullet() -> None:
    assert kinds("**Note** this.") == ["paragraph"]


def test_a_negative_number_is_not_a_bullet() -> None:
    assert kinds("-5 degrees") == ["paragraph"]


def test_an_indented_line_continues_the_bullet_above() -> None:
    # YAML block text keeps the indentation of a bullet wrapped by its author.
    markup = parse_markup("- a long bullet that the author\n  wrapped onto a second line\n- next")

    assert [b.kind for b in markup.blocks] == [BlockKind.BULLET, BlockKind.BULLET]
    assert plain_text(markup) == "a long bullet that the author wrapped onto a second line next"


def test_an_indented_bullet_is_continued_only_by_deeper_lines() -> None:
    assert kinds("  - indented bullet\n    continued\n  not deeper: a paragraph") == [
        "bullet",
        "paragraph",
    ]


def test_a_line_after_a_bullet_without_indentation_starts_a_paragraph() -> None:
    assert kinds("- speed\nMore below.") == ["bullet", "paragraph"]


def test_a_blank_line_ends_a_bullet_even_before_an_indented_line() -> None:
    assert kinds("- speed\n\n  An indented paragraph.") == ["bullet", "paragraph"]


# --- numbered lists -----------------------------------------------------------------------


def test_numbered_lines_are_numbered_items_keeping_their_numbers() -> None:
    markup = parse_markup("1. Contact the KT office\n2. Sign the agreement\n3) Start")

    assert [(b.kind, b.number) for b in markup.blocks] == [
        (BlockKind.NUMBERED, 1),
        (BlockKind.NUMBERED, 2),
        (BlockKind.NUMBERED, 3),
    ]
    assert plain_text(markup) == "Contact the KT office Sign the agreement Start"


def test_a_numbered_list_may_start_at_any_number() -> None:
    markup = parse_markup("Steps after the first call:\n\n4. review\n5. sign")

    assert [(str(b.kind), b.number) for b in markup.blocks] == [
        ("paragraph", None),
        ("numbered", 4),
        ("numbered", 5),
    ]


def test_a_numbered_list_may_follow_a_paragraph_line_when_it_starts_at_one() -> None:
    assert kinds("Two steps:\n1. ask\n2. sign") == ["paragraph", "numbered", "numbered"]


def test_a_wrapped_sentence_starting_with_a_number_stays_in_its_paragraph() -> None:
    # Only "1." interrupts a paragraph: "2. " here is the end of a sentence, not an item.
    assert kinds("The facility has run since phase\n2. Since then it grew.") == ["paragraph"]


@pytest.mark.parametrize("text", ["2019. A good year.", "3.5 GeV protons", "1.upgrade"])
def test_years_decimals_and_numbers_without_a_space_are_not_list_items(text: str) -> None:
    assert kinds(text) == ["paragraph"]


def test_an_indented_line_continues_the_numbered_item_above() -> None:
    markup = parse_markup("1. a step the author\n   wrapped\n2. next")

    assert [b.number for b in markup.blocks] == [1, 2]
    assert plain_text(markup) == "a step the author wrapped next"


def test_numbered_items_may_hold_inline_markup() -> None:
    markup = parse_markup("1. **Write** to [KT](https://kt.cern/)")

    assert [s.kind for s in markup.blocks[0].spans] == [
        SpanKind.BOLD,
        SpanKind.TEXT,
        SpanKind.LINK,
    ]


def test_surrounding_blank_lines_and_indentation_are_ignored() -> None:
    assert parse_markup("\n\n   Indented text.   \n\n") == parse_markup("Indented text.")


def test_plain_text_keeps_only_the_words() -> None:
    markup = parse_markup("**Bold** and [link](https://kt.cern/)\n\n- item")

    assert plain_text(markup).split() == ["Bold", "and", "link", "item"]


def test_plain_text_is_single_spaced() -> None:
    # Spans already carry their spaces; joining them with more left double spaces.
    markup = parse_markup("The **MEDICIS** facility ( _ISOLDE_ ).\n\n- one\n- two")

    assert plain_text(markup) == "The MEDICIS facility ( ISOLDE ). one two"


def test_runs_of_spaces_and_tabs_in_a_line_become_one_space() -> None:
    assert spans("Two  spaces,\ta tab and   three.") == [("text", "Two spaces, a tab and three.")]


def test_a_no_break_space_is_kept() -> None:
    # Staff type it on purpose, between a number and its unit.
    assert spans("200\u00a0MeV") == [("text", "200\u00a0MeV")]


# --- problems -----------------------------------------------------------------------------


def test_well_formed_markup_has_no_problems() -> None:
    text = "**A** _b_ [c](https://kt.cern/)\n\n- d\n- e"

    assert parse_markup(text).problems == ()


def test_unbalanced_double_asterisks_are_reported() -> None:
    assert parse_markup("**FLASH is fast.").problems == ("unbalanced '**' near '**FLASH is fast.'",)


def test_unbalanced_double_asterisks_after_a_bold_span_are_reported() -> None:
    problems = parse_markup("**One** and **two").problems

    assert len(problems) == 1
    assert problems[0].startswith("unbalanced '**'")


def test_bold_cannot_span_paragraphs() -> None:
    assert len(parse_markup("**Starts here\n\nends here**").problems) == 2


def test_link_without_http_scheme_is_reported() -> None:
    assert parse_markup("[site](www.kt.cern)").problems == (
        "link 'site' has an invalid URL 'www.kt.cern'",
    )


def test_javascript_link_is_reported() -> None:
    problems = parse_markup("[click](javascript:alert(1))").problems

    assert len(problems) == 1
    assert "invalid URL" in problems[0]


def test_link_with_empty_url_is_reported() -> None:
    assert parse_markup("[nothing]()").problems == ("link 'nothing' has an invalid URL ''",)


def test_every_problem_of_an_answer_is_reported() -> None:
    markup = parse_markup("[a](ftp://x.org)\n\n- [b](mailto:kt@cern.ch)\n\n**open")

    assert len(markup.problems) == 3


def test_link_url_may_contain_balanced_parentheses() -> None:
    text = "See [proton therapy](https://en.wikipedia.org/wiki/Proton_therapy_(medicine)) now."

    markup = parse_markup(text)

    assert markup.blocks[0].spans == (
        Span(SpanKind.TEXT, "See "),
        Span(
            SpanKind.LINK,
            "proton therapy",
            "https://en.wikipedia.org/wiki/Proton_therapy_(medicine)",
        ),
        Span(SpanKind.TEXT, " now."),
    )
    assert markup.problems == ()


def test_a_link_in_parentheses_keeps_the_closing_parenthesis_as_text() -> None:
    assert spans("(see [KT](https://kt.cern/))") == [
        ("text", "(see "),
        ("link", "KT"),
        ("text", ")"),
    ]
