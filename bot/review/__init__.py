"""Reviewing what the bot could not answer: plain functions over storage records, with no
terminal or Telegram in sight. The CLI (`bot/cli/review.py`) and the Telegram admin
commands both render what these return, and import them from here.

- `grouping`: similar unanswered questions clustered (`QuestionGroup`, `group_similar`)
- `similar`: `--similar`, the questions like a resolved one and which are now answered
- `promote`: add a question to a topic's examples, validated before the file is replaced
- `yaml_edit`: the round-trip YAML edit behind promote
- `text_reports`: plain text for pages, groups, the weekly digest and statistics
- `json_output`: the same records as JSON for scripts
- `durations`: `7d`, `12h` → timedelta
- `errors`: `ReviewError`
"""

from __future__ import annotations

from bot.review.durations import MAX_DURATION, parse_duration
from bot.review.errors import ReviewError
from bot.review.grouping import (
    DEFAULT_GROUP_THRESHOLD,
    QuestionGroup,
    group_languages,
    group_similar,
    grouping_text,
    people,
)
from bot.review.json_output import candidates_json, group_json, question_json, stats_json
from bot.review.promote import (
    AlreadyAnExample,
    promote_question,
    promoted_knowledge,
    unknown_topic_message,
)
from bot.review.similar import SimilarCheck, check_similar, describe_match, similar_to
from bot.review.text_reports import (
    UNKNOWN_LANGUAGE,
    describe_nearest,
    format_digest,
    format_group,
    format_stats,
    format_unanswered_page,
    state_note,
)

__all__ = [
    "DEFAULT_GROUP_THRESHOLD",
    "MAX_DURATION",
    "UNKNOWN_LANGUAGE",
    "AlreadyAnExample",
    "QuestionGroup",
    "ReviewError",
    "SimilarCheck",
    "candidates_json",
    "check_similar",
    "describe_match",
    "describe_nearest",
    "format_digest",
    "format_group",
    "format_stats",
    "format_unanswered_page",
    "group_json",
    "group_languages",
    "group_similar",
    "grouping_text",
    "parse_duration",
    "people",
    "promote_question",
    "promoted_knowledge",
    "question_json",
    "similar_to",
    "state_note",
    "stats_json",
    "unknown_topic_message",
]
