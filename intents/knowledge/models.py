"""The knowledge-base schema: what KT staff write in `knowledge/*.yaml`.

Every model is frozen and rejects unknown fields, so a typo in a field name is an error
with a line number rather than a silently ignored key.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from intents.knowledge.fields import (
    EMAIL,
    CategoryId,
    Identifier,
    Source,
    Text,
    TopicId,
    Url,
)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# Languages an answer may be translated into; English, the default, is `answer:` itself.
LanguageCode = Literal["fr"]


class LinkTranslation(_Model):
    """A link's title in another language (the page it points to stays the same)."""

    title: Text


class Link(_Model):
    """A public page an answer points to."""

    title: Text
    url: Url
    translations: dict[LanguageCode, LinkTranslation] = Field(
        default_factory=dict,
        description="The title in other languages, keyed by language code (fr); the URL is "
        "the same for everyone.",
    )


class Contact(_Model):
    """A way to reach a person or team. Only verified addresses belong here."""

    id: Identifier
    name: Text = Field(description="Name of the team or role (never a private person's name).")
    description: str | None = None
    url: Url | None = None
    email: str | None = None
    source: Source | None = Field(
        default=None,
        description="Where the e-mail address is published: a public http(s) page or "
        "seed:<file>. Required with `email:`, so that no address is invented.",
    )

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.match(value.strip()):
            raise ValueError(f"{value!r} is not a valid email address")
        return value.strip() if value else value

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if not self.url and not self.email:
            raise ValueError("a contact needs a url or an email")
        if self.email and not self.source:
            # The rule is "never invent a contact": an address nobody can trace to a
            # published page is treated as invented, here as in answers.
            raise ValueError(
                f"the e-mail address {self.email!r} needs `source:`, the public page (or "
                "seed:<file>) that shows it: never invent a contact; without one, give the "
                "team's public web page as `url:` instead"
            )
        return self


class CategoryTranslation(_Model):
    """A category's title and description in another language."""

    title: Text
    description: Text


class Category(_Model):
    """A branch of the topic browser."""

    id: CategoryId
    title: Text
    description: Text
    courtesy: bool = Field(
        default=False,
        description="Greetings, thanks and goodbyes: answered when typed, but not listed in "
        "the topic browser, and never offered against each other as 'did you mean…' "
        "('ok thanks bye' is answered, not asked about).",
    )
    translations: dict[LanguageCode, CategoryTranslation] = Field(
        default_factory=dict,
        description="The title and description in other languages, keyed by language code "
        "(fr). Users browsing in another language see the English ones.",
    )


class Translation(_Model):
    """A topic's title and answer in another language, written from the same sources.

    It keeps the English answer's links: `ktbot check` reports a translation that adds or
    drops one.
    """

    title: Text
    answer: Text


class Topic(_Model):
    """One intent: the questions that mean it and the answer the bot gives."""

    id: TopicId
    title: Text
    category: CategoryId
    questions: tuple[Text, ...] = Field(
        min_length=3, description="Example phrasings users would type (at least three)."
    )
    answer: Text = Field(
        description=(
            "The reply. Plain text with light markup: **bold**, _italic_, [text](https://url), "
            "'- ' bullets, '1. ' numbered items (indent a line to continue an item) and blank "
            "lines between paragraphs."
        )
    )
    translations: dict[LanguageCode, Translation] = Field(
        default_factory=dict,
        description="The title and answer in other languages, keyed by language code "
        "(fr). Users writing in another language get the English answer.",
    )
    contacts: tuple[Identifier, ...] = ()
    aliases: tuple[Text, ...] = Field(
        default=(), description="Acronyms, names and spellings that identify this topic."
    )
    keywords: tuple[Text, ...] = Field(
        default=(), description="Words that point to this topic without being a full question."
    )
    aspects: tuple[Text, ...] = Field(
        default=(),
        description="Words that, in a message naming a project this topic shares with another "
        "topic (FLASH for the FLASH facility's status), say this topic is the one asked "
        "('status', 'yet', 'funding'): it is answered and the other offered. Not indexed: "
        "messages that do not name the project are not affected.",
    )
    links: tuple[Link, ...] = ()
    related: tuple[Identifier, ...] = ()
    sources: tuple[Source, ...] = Field(
        default=(),
        description="Where the answer comes from: public http(s) URLs, or seed:<file> for a "
        "file of the shared seeds folder. Links in the answer should be on a site cited here.",
    )
    reviewed: date | None = Field(
        default=None, description="When staff last checked the answer against its sources."
    )
    review_by: date | None = Field(
        default=None,
        description="Review again by this date (after `reviewed`). Without it, the review is "
        "due `review_interval_months` after `reviewed` (see `freshness:`).",
    )
    time_sensitive: bool = Field(
        default=False,
        description="The answer dates quickly (schedules, calls, figures, project status): "
        "due for review after `time_sensitive_interval_months` instead.",
    )
    former_ids: tuple[Identifier, ...] = Field(
        default=(),
        description="Ids this topic had before it was renamed: deep links, logged questions, "
        "evaluation files and buttons naming an old id keep reaching this topic.",
    )

    @field_validator("review_by")
    @classmethod
    def _after_reviewed(cls, value: date | None, info: ValidationInfo) -> date | None:
        reviewed = info.data.get("reviewed")
        if value is not None and reviewed is not None and value <= reviewed:
            raise ValueError(
                f"must be after reviewed ({reviewed.isoformat()}): set the next review date "
                "when you review a topic, or remove review_by to use the default interval"
            )
        return value


class MatchingSettings(_Model):
    """Thresholds staff can tune without touching code (see `ktbot eval --sweep`).

    Scores are in [0, 1]: how close a message is to a topic's examples. The best topic is
    answered when its score reaches `answer_threshold` and no other topic is within
    `clarify_margin` (a fraction of the best score) of it; a best score below
    `clarify_threshold` gets the honest fallback; anything in between asks "did you mean…"
    with up to `max_alternatives` topics.
    """

    # Strict: YAML reads `on`/`no` as booleans and pydantic would take them as 1.0 and 0.0,
    # silently making the bot never answer; a quoted "0.3" is a typo worth reporting too.
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, strict=True)

    answer_threshold: float = Field(
        default=0.28,
        ge=0,
        le=1,
        description="Minimum score to answer directly. Raise it to make fewer wrong answers "
        "(more 'did you mean…'), lower it to answer more often.",
    )
    clarify_threshold: float = Field(
        default=0.26,
        ge=0,
        le=1,
        description="Minimum score to offer 'did you mean…'; below it the bot says it does "
        "not know. Raise it to decline more out-of-scope questions.",
    )
    clarify_margin: float = Field(
        default=0.15,
        ge=0,
        le=1,
        description="A runner-up this close to the best score, as a fraction of it (0.15: "
        "within 15%), makes the match ambiguous: the bot asks which one was meant.",
    )
    option_threshold: float = Field(
        default=0.20,
        ge=0,
        le=1,
        description="Minimum score for a third (or later) topic to be listed in a "
        "'did you mean…' (the best two are always offered), and for a topic the message "
        "names ('medcis' for MEDICIS) to be offered below clarify_threshold.",
    )
    other_language_factor: float = Field(
        default=0.75,
        gt=0,
        le=1,
        description="The three thresholds are multiplied by this for a message not written "
        "in English: topics have fewer examples in other languages, so a right answer to a "
        "French or German question scores lower than to the same question in English.",
    )
    long_message_words: int = Field(
        default=30,
        ge=1,
        description="A message of at least this many words is long: greetings, an "
        "introduction and context dilute its question's score however it is read.",
    )
    long_message_factor: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="The three thresholds are multiplied by this for a long message (and "
        "by `other_language_factor` too if it is also not in English).",
    )
    max_alternatives: int = Field(
        default=3,
        ge=2,
        le=5,
        description="Most topics offered in a 'did you mean…' (the best one included).",
    )
    semantic_weight: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="How much similarity of meaning (word embeddings) adds to the shared words "
        "when scoring a topic; 0 scores by words alone. It helps most when topics have few "
        "example questions; re-choose the thresholds (`ktbot eval --sweep`) after changing it.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> MatchingSettings:
        if self.clarify_threshold > self.answer_threshold:
            raise ValueError("clarify_threshold must not exceed answer_threshold")
        return self


class FreshnessSettings(_Model):
    """How long an answer stays trusted after its `reviewed:` date (`ktbot check` warns after).

    A topic's review is due on its `review_by:` date if it has one, else this many months
    after `reviewed:`; topics marked `time_sensitive: true` get the shorter interval.
    """

    # Strict for the same reason as the matching thresholds: `twelve` or "12" is a typo.
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, strict=True)

    review_interval_months: int = Field(
        default=12,
        ge=1,
        le=120,
        description="Months after `reviewed:` a topic is due for review again.",
    )
    time_sensitive_interval_months: int = Field(
        default=6,
        ge=1,
        le=120,
        description="The same for topics marked `time_sensitive: true` (at most the above).",
    )

    @model_validator(mode="after")
    def _shorter_for_time_sensitive(self) -> FreshnessSettings:
        if self.time_sensitive_interval_months > self.review_interval_months:
            raise ValueError(
                "time_sensitive_interval_months must not exceed review_interval_months"
            )
        return self


class SpecialIds(_Model):
    """The topics and the contact the bot's own messages rely on, named here, not in code.

    `ktbot check` reports an id that names no topic (fields ending in `_topic`) or no
    contact (`_contact`): renaming `route.contact` without updating this section is an error,
    not a `/contact` that silently stops showing the topic. An id left out turns its use off.
    """

    welcome_topic: Identifier | None = Field(
        default=None,
        description="The topic /start and /help show above the topic browser.",
    )
    contact_topic: Identifier | None = Field(
        default=None, description="The topic /contact shows (how to reach a person)."
    )
    medical_advice_topic: Identifier | None = Field(
        default=None,
        description="The answer a patient asking about their own health gets, whatever "
        "project the message names.",
    )
    not_a_hospital_topic: Identifier | None = Field(
        default=None,
        description="The answer a question gets when it takes CERN for a hospital, a clinic "
        "or a maker of medical products ('Does CERN treat patients?'), unless it names a "
        "project.",
    )
    default_contact: Identifier | None = Field(
        default=None,
        description="The contact of answers whose topic names none and of 'I don't know' "
        "replies. Without it, the first contact defined.",
    )


class SynonymGroup(_Model):
    """Words users write for one concept, read as the word the knowledge base uses."""

    canonical: Text = Field(
        description='The word or phrase the topics use ("license", "confidentiality").'
    )
    variants: tuple[Text, ...] = Field(
        min_length=1,
        description="What users may write instead; each is read as `canonical` in example "
        'questions and messages alike. Multi-word variants are fine ("beam time").',
    )


class KnowledgeFile(_Model):
    """One YAML file under `knowledge/`: any mix of the sections below."""

    topics: tuple[Topic, ...] = ()
    contacts: tuple[Contact, ...] = ()
    categories: tuple[Category, ...] = ()
    settings: MatchingSettings | None = None
    freshness: FreshnessSettings | None = None
    special: SpecialIds | None = None
    synonyms: tuple[SynonymGroup, ...] = ()
    out_of_scope: tuple[Text, ...] = Field(
        default=(),
        description="Questions the bot must not answer (CERN visits, jobs, physics, other "
        "organisations, anything unrelated): a message closer to these than to any topic "
        "gets the honest fallback and goes to the unanswered review.",
    )
    other_organisations: tuple[Text, ...] = Field(
        default=(),
        description="Names of other organisations (labs, universities, agencies, funders, "
        "companies) whose own business the bot declines: a question about one's office, "
        'programme or rules ("does DESY sell beam time", "who handles tech transfer at GSI") '
        "gets the fallback unless the question itself names CERN or one of its topics; a name "
        "that is also a topic's alias (ESA) is declined with other topics named only where "
        'its own thing follows it ("the ESA business incubation centre").',
    )
    sellers: tuple[Text, ...] = Field(
        default=(),
        description="Companies whose prices are theirs to give, named by a topic as a partner "
        '(THERYQ for FLASH): only a price asked of one ("What does THERYQ charge for its '
        'system?") is declined; every other question naming it is answered by its topic.',
    )
    declined_matters: tuple[Text, ...] = Field(
        default=(),
        description="Short phrases for what the bot never answers, whichever project a "
        'question names ("internship", "share price", "guided tour", "my dog"): a sentence '
        "that asks and contains one (plurals included) gets the honest fallback and goes to "
        "the unanswered review. Only asking sentences count: a matter mentioned as context "
        '("During my internship I heard of FLASH. Can we license it?") declines nothing.',
    )
