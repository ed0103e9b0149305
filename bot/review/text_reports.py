"""Plain-text reports (terminal and Telegram; the caller escapes for HTML): a page of
unanswered questions, a group's headline, the weekly digest, usage statistics."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from bot.review.grouping import QuestionGroup, people
from bot.stale_report import StaleReading, format_stale
from bot.storage import ReviewState, UnansweredQuestion, UsageStats
from bot.storage.visits import VisitCounts, VisitSource
from intents import Candidate, Outcome


def describe_nearest(candidates: Sequence[Candidate], limit: int = 3) -> str:
    """`project.medicis 0.41, route.licensing 0.33`: why a question missed."""
    if not candidates:
        return "no topic came close"
    return ", ".join(f"{c.intent} {c.score:.2f}" for c in candidates[:limit])


def format_unanswered_page(
    items: Sequence[UnansweredQuestion], page: int, page_size: int
) -> tuple[list[str], list[int]]:
    """Page `page` (from 0) of `items`: the lines to show and the ids on that page."""
    pages = max(1, -(-len(items) // page_size))
    page = min(max(page, 0), pages - 1)
    shown = items[page * page_size : (page + 1) * page_size]
    if not shown:
        return ["No unanswered questions."], []
    lines = [f"Unanswered questions ({len(items)}), page {page + 1} of {pages}:"]
    for item in shown:
        state = "" if item.state is ReviewState.OPEN else f" [{state_note(item)}]"
        lines.append(f"#{item.id} {item.asked_at:%Y-%m-%d}: {_clip(item.question, 300)}{state}")
        lines.append(f"    nearest: {describe_nearest(item.alternatives)}")
    return lines, [item.id for item in shown]


def state_note(item: UnansweredQuestion) -> str:
    if item.state is ReviewState.RESOLVED:
        return f"resolved → {item.topic}"
    if item.state is ReviewState.IGNORED:
        return f"ignored: {item.reason}"
    return str(item.state)


def format_group(group: QuestionGroup, titles: Mapping[str, str] | None = None) -> str:
    """`14× “isotope prices” (9 people) → nearest project.medicis`; with `titles`, the
    nearest topic by its title (what /stats shows admins)."""
    topic = group.nearest_topic
    shown = _clip(titles.get(topic, topic), 40) if titles and topic else topic
    nearest = f" → nearest {shown}" if topic else ""
    return f"{group.count}× “{_clip(group.representative, 120)}” ({people(group)}){nearest}"


UNKNOWN_LANGUAGE = "(not recorded)"
"""Questions asked before languages were recorded."""


def format_digest(
    groups: Sequence[QuestionGroup],
    limit: int = 10,
    stale: Sequence[StaleReading] = (),
    titles: Mapping[str, str] | None = None,
) -> str:
    """The weekly message to admins: what people asked that the bot could not answer, and
    the stale topics they read most; with `titles`, nearest topics by title."""
    if not groups:
        lines = ["No unanswered questions this week."]
    else:
        total = sum(g.count for g in groups)
        lines = [f"Unanswered this week: {total} question(s) in {len(groups)} group(s).", ""]
        for group in groups[:limit]:
            ids = ", ".join(f"#{i}" for i in group.ids[:5]) + (", …" if group.count > 5 else "")
            lines.append(f"• {format_group(group, titles)}  [{ids}]")
        if len(groups) > limit:
            lines.append(f"… and {len(groups) - limit} smaller group(s).")
        lines += ["", "Review them with /unanswered, or on the server: ktbot unanswered groups"]
    if stale:
        lines += ["", *format_stale(stale, "this week", bullet="• ")]
    return "\n".join(lines)


def _visit_lines(visits: VisitCounts, period: str) -> list[str]:
    total = sum(visits.by_source.values())
    return [
        f"Topics opened without a question {period}: {total}",
        f"  deep links {visits.get(VisitSource.DEEP_LINK):>6}",
        f"  browsing   {visits.get(VisitSource.BROWSE):>6}",
        f"  related    {visits.get(VisitSource.RELATED):>6}",
        f"  feedback   {visits.helpful:>6} 👍 {visits.not_helpful:>4} 👎",
    ]


def format_stats(
    stats: UsageStats,
    groups: Sequence[QuestionGroup] = (),
    stale: Sequence[StaleReading] = (),
    *,
    titles: Mapping[str, str] | None = None,
    handoffs: int | None = None,
    visits: VisitCounts | None = None,
) -> str:
    """Usage as plain text: rates, top topics, feedback, weekly trend, unanswered groups,
    and the stale topics most read in the period. With `titles` (topic id → title), topics
    are shown by title; with `handoffs`, the count of enquiries sent to staff; with
    `visits`, the topics opened without a question (deep links, browsing)."""
    period = f"since {stats.since:%Y-%m-%d}" if stats.since else "all time"
    lines = [f"Questions {period}: {stats.total}"]
    if handoffs is not None:
        lines.append(f"Hand-offs to staff {period}: {handoffs}")
    if visits is not None:
        lines += _visit_lines(visits, period)

    def name(topic: str) -> str:
        return _clip(titles.get(topic, topic), 40) if titles else topic

    stale_lines = format_stale(stale)
    if not stats.total:
        return "\n".join([*lines, *([""] if stale_lines else []), *stale_lines])
    for label, outcome in (
        ("answered", Outcome.ANSWER),
        ("clarified", Outcome.CLARIFY),
        ("unanswered", Outcome.FALLBACK),
    ):
        lines.append(f"  {label:<11}{stats.by_outcome[outcome]:>6}  ({stats.rate(outcome):.0%})")
    lines.append(f"  open for review: {stats.open_unanswered}")
    lines += _breakdown_lines(stats, name)
    if groups:
        lines += ["", "Most asked without an answer:"]
        lines += [f"  {format_group(g, titles)}" for g in groups[:5]]
    if stale_lines:
        lines += ["", *stale_lines]
    return "\n".join(lines)


def _breakdown_lines(stats: UsageStats, name: Callable[[str], str]) -> list[str]:
    """Languages, top topics, feedback and the weekly trend, each under its heading."""
    lines: list[str] = []
    if stats.by_language:
        lines += ["", "Languages:"]
        lines += [
            f"  {language or UNKNOWN_LANGUAGE:<11}{count:>6}  ({count / stats.total:.0%})"
            for language, count in stats.by_language.items()
        ]
    if stats.top_topics:
        lines += ["", "Top topics:"]
        width = max(len(name(t.topic)) for t in stats.top_topics)
        lines += [f"  {name(t.topic):<{width}}  {t.count:>5}" for t in stats.top_topics]
    if stats.feedback:
        lines += ["", "Feedback (👍 / 👎):"]
        width = max(len(name(f.topic)) for f in stats.feedback)
        lines += [
            f"  {name(f.topic):<{width}}  {f.helpful:>4} / {f.unhelpful:<4}" for f in stats.feedback
        ]
    if stats.weekly:
        lines += ["", "By week (Monday):"]
        for week in stats.weekly:
            answered = week.answered / week.total if week.total else 0
            missed = week.fallback / week.total if week.total else 0
            lines.append(
                f"  {week.week:%Y-%m-%d}  {week.total:>5} asked, {answered:>4.0%} answered, "
                f"{missed:>4.0%} unanswered"
            )
    return lines


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
