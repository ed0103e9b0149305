"""Review records and usage statistics as JSON, for scripts (`--json`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.review.grouping import QuestionGroup, group_languages
from bot.stale_report import StaleReading, stale_json
from bot.storage import UnansweredQuestion, UsageStats
from intents import Candidate, Outcome


def candidates_json(candidates: Iterable[Candidate]) -> list[dict[str, Any]]:
    return [{"intent": c.intent, "score": round(c.score, 4)} for c in candidates]


def question_json(item: UnansweredQuestion) -> dict[str, Any]:
    return {
        "id": item.id,
        "asked_at": item.asked_at.isoformat(),
        "question": item.question,
        "score": round(item.score, 4),
        "nearest": candidates_json(item.alternatives),
        "state": str(item.state),
        "topic": item.topic,
        "reason": item.reason,
        "reviewed_at": item.reviewed_at.isoformat() if item.reviewed_at else None,
        "channel": item.channel,
        "kb_version": item.kb_version,
        "language": item.language,
    }


def group_json(group: QuestionGroup) -> dict[str, Any]:
    return {
        "count": group.count,
        "askers": group.askers,
        "representative": group.representative,
        "nearest_topic": group.nearest_topic,
        "ids": list(group.ids),
        "questions": [m.question for m in group.members],
        "last_asked": group.last_asked.isoformat(),
        "languages": list(group_languages(group)),
    }


def stats_json(
    stats: UsageStats,
    groups: Sequence[QuestionGroup] = (),
    stale: Sequence[StaleReading] = (),
) -> dict[str, Any]:
    return {
        "since": stats.since.isoformat() if stats.since else None,
        "total": stats.total,
        "answered": stats.answered,
        "clarified": stats.clarified,
        "fallback": stats.fallback,
        "rates": {str(o): round(stats.rate(o), 4) for o in Outcome},
        "open_unanswered": stats.open_unanswered,
        "languages": dict(stats.by_language),  # "": asked before languages were recorded
        "top_topics": [{"topic": t.topic, "count": t.count} for t in stats.top_topics],
        "feedback": [
            {"topic": f.topic, "helpful": f.helpful, "unhelpful": f.unhelpful}
            for f in stats.feedback
        ],
        "weekly": [
            {
                "week": w.week.isoformat(),
                "total": w.total,
                "answered": w.answered,
                "clarified": w.clarified,
                "fallback": w.fallback,
            }
            for w in stats.weekly
        ],
        "unanswered_groups": [group_json(g) for g in groups],
        "stale_topics": stale_json(stale),
    }
