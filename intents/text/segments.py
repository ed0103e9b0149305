"""Where the question is in a message: sentences weighed by what they do.

People rarely type a bare question. "Hello, I'm a medical physicist in Leuven. We have a small
grant for dosimetry work. Could you tell me how outside groups get beam time at CLEAR?" is a
greeting, a self-introduction, context and one question. Matched as one bag of words, the
greeting and the introduction dilute the question until nothing looks close. So a message is
split into sentences, and each sentence is weighed by its role:

- the question itself (a `?`, an interrogative or a request: "how", "can we", "I'd like to
  know") counts fully;
- context ("We make patient positioning systems") counts for less: it often names the field,
  rarely the route;
- a self-introduction ("I'm head of business development at…") counts for little;
- greetings, thanks and sign-offs count for nothing, unless they are all there is ("hello").

The rules are about English sentence structure, not about any topic, so they hold for
whatever the knowledge base says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from intents.text.cues import CaseFree, WordStarts
from intents.text.dictionary import everyday_words
from intents.text.normalize import fold


class Role(StrEnum):
    QUESTION = "question"
    REFERENT = "referent"
    CONTEXT = "context"
    INTRODUCTION = "introduction"
    COURTESY = "courtesy"


WEIGHTS: dict[Role, float] = {
    Role.QUESTION: 1.0,
    Role.REFERENT: 0.8,
    Role.CONTEXT: 0.45,
    Role.INTRODUCTION: 0.2,
    Role.COURTESY: 0.0,
}
"""Chosen on the development set's long messages (`ktbot eval`, kind `long`): context at about
half a question keeps the field it names ("FLASH studies") without outweighing the route."""


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    role: Role
    stated: bool = False
    """A statement read as the request because the message asks nothing ("We'd be
    interested in licensing X."): it weighs as a question, but is no second question."""
    outright: bool = False
    """A question asked in so many words: a question mark, or a request to know or be told
    ("could you explain…", "we'd like to know whether…"). Not a wish that only says what the
    writer wants to do ("We would like to support a project in poorer countries")."""
    courtesy: bool = False
    """The whole message, which says nothing but courtesies ("Good morning, hope you're
    doing well", "ok I'm logging off now, talk soon"): only a greeting, a thanks or a
    goodbye answers it."""

    @property
    def weight(self) -> float:
        return WEIGHTS[self.role]


# Sentence ends: the blanks after "?", "!", ";" or "…", after a dot that ends a word of two
# letters or more (not "e.g.", "3.5") when more follows, and any blanks holding a line break.
# Each starts with a blank, written first: the engine then skips from blank to blank instead
# of trying every alternative at every character (6 times faster on a long message).
_SENTENCE_END = re.compile(r"\s(?:(?<=[?!;…]\s)\s*|(?<=[^\s.]{2}\.\s)\s*(?=\S)|\s*(?<=\n)\s*)")
_LEADING_COURTESY = re.compile(
    r"^\s*(?:(?:(?:hello|hi|hey|hiya)(?:\s+(?:there|all|everyone|folks|team|again)\b)?"
    r"|greetings|good (?:morning|afternoon|evening|day)"
    r"|dear\b[^,.!?]{0,40}|bonjour|bonsoir|hallo|guten (?:tag|morgen|abend)|gr[uü]ezi|servus"
    r"|hola|buen(?:os|as) (?:d[ií]as|tardes|noches)|ciao|buongiorno|buonasera|salve|salut"
    r"|dzien dobry|dzień dobry|namaste|namaskar|ol[aá]|bom dia|boa tarde|hej|moin|ahoj|shalom"
    r"|salam|merhaba|konnichiwa)\b[\s,!.:-]*)+",
    re.IGNORECASE,
)
_THANKS_WORDS = frozenset(
    "thanks thankyou thx thnx thanx thnks tnx tks ty tysm cheers merci danke grazie gracias".split()  # noqa: SIM905
)
"""Thanks in one word, in the five languages and chat shorthand ("thank" needs its "you")."""
_LEADING_FILLER = re.compile(
    r"^(?:right|alright|all right|okay|ok|well|anyway|so)\s*[,;:!.–—-]+\s*(?=\w)", re.IGNORECASE
)
"""A word that only opens a turn ("right, I'm off", "ok, who signs it?"): "right" would
otherwise read as the rights of the IP topic."""
_LEADING_THANKS = re.compile(
    rf"(?:(?:many|ok|okay|great) )?(?:thank you|{'|'.join(sorted(_THANKS_WORDS))})"
    r"(?: (?:so much|very much|a lot|again))?"
    r"(?: for (?:the|your|all the|all your) (?:help|answers?|info|information|reply|replies))?"
    r"\s*[,!.:;-]+\s*",
    re.IGNORECASE,
)
"""A thanks opening a sentence that goes on to ask something new ("Thanks for the help, is
there a newsletter?"): no request of its own, or the thanks is answered and the question
left unread."""
_COURTESY_WORDS = _THANKS_WORDS | frozenset(
    """hello hi hey hiya there all everyone team dear sir madam good morning afternoon evening
    day thank you many much in advance kind best regards greetings sincerely
    yours warm wishes appreciate it a lot for your help time again and the cern folks people
    bonjour hallo hola ciao salut dzien dobry zusammen allerseits tous tout le monde todos
    tutti anyone anybody someone somebody around online here listening awake to a vous toi is are
    ihr voi bonsoir guten tag morgen abend gruezi servus buenos buenas dias tardes noches
    buongiorno buonasera salve again qualcuno c e il y quelqu un jemand da ist hay alguien
    home namaste namaskar ola bom dia boa tarde hej moin ahoj shalom salam merhaba konnichiwa
    very so big lot u vielen mille muchas beaucoup ok okay right appreciated great perfect
    excellent wonderful brilliant awesome fantastic lovely
    alright with warmest sincerely br cordialement saluti saludos gruesse grusse mfg
    whole entire toute l equipe la est por ahi alli aqui el equipo todo an das ganze ganzen tutta
    squadra tudo bem obrigado obrigada tchau goedemorgen goedemiddag bedankt tot ziens doei
    groetjes straks en adeus ate logo amanha
    ktbot
    """.split()  # noqa: SIM905 - reads as text
)
"""Words a message of courtesies is made of; "ktbot", the bot's own name, addresses it ("helo
ktbot, good morning") rather than asking what it is."""
_MISTYPED_COURTESIES = tuple(
    """hello thanks thank morning afternoon evening regards greetings cheers bonjour merci
    grazie gracias danke buongiorno buenos sincerely appreciate appreciated""".split()  # noqa: SIM905
)
"""The courtesy words a slip of the finger is still read as ("thnaks", "helo", "good mornig"):
at one letter from one of these, a word that is no word of its own is that courtesy."""
_SHORTEST_MISTYPED = 4
"""A shorter word is too close to too many others to be read as a mistyped courtesy."""


@lru_cache(maxsize=4096)
def _is_courtesy_word(word: str) -> bool:
    """Whether `word` (folded) is a courtesy word, or a misspelling of one that is no word of
    any language the bot reads ("thnaks", not "think")."""
    if word in _COURTESY_WORDS:
        return True
    if len(word) < _SHORTEST_MISTYPED or word in everyday_words():
        return False
    return (
        process.extractOne(word, _MISTYPED_COURTESIES, scorer=OSA.distance, score_cutoff=1)
        is not None
    )


_WELL_WISHED = (
    r"(?: (?:all|both|keeping|doing|going|having|had|been|very|really|so|well|good|fine|great|ok"
    r"|okay|safe|a|an|nice|lovely|wonderful|relaxing|day|week|weekend|evening|one|on|at|your|the"
    r"|other|side|end|today|with|you|there|over|everyone)\b)*"
)
_CLAUSE_END = r"(?=\s*(?:[,.!;]|$))"
"""Where a pleasantry made of everyday words must end, at its clause's end: "that helps a
lot." thanks, "that helps small hospitals?" asks."""
_SMALL = r"(?:quick |short |small |little |brief )"
"""How a question is announced as small ("a quick question", "one short question")."""
_PLEASANTRY = WordStarts(
    r"\b(?:i |we )?hope (?:you(?:'|’)?re|you are|you re|you(?:'|’)?ve been|you have been|you all"
    r" are|you(?:'|’)?re all|all is|all s|everything is|things are|everyone is|everybody is"
    r"|this (?:message |email |note )?finds you|you have|you(?:'|’)?ll have|you will have"
    rf"|you had){_WELL_WISHED}"
    r"|\bhow (?:are|r) (?:you|u|things)(?: (?:doing|going|today|all|there)\b)*"
    r"|\b(?:nice|pleased|glad|good|great) to (?:meet|e ?meet|chat with|talk to|hear from) you"
    rf"|\b(?:have|enjoy) a{_WELL_WISHED}"
    r"|\b(?:talk|speak|chat)(?: (?:to you|with you|another time|again|soon|later|tomorrow"
    r"|next week)\b)+"
    r"|\b(?:(?:(?:i(?:'|’)?m|i am|im) )?(?:logging|signing|heading|checking)"
    r"|(?:i(?:'|’)?ll|i will|i must|i should|time to) (?:log|sign|head)) (?:off|out)(?: now)?"
    # "I'll pass it on to our legal team", "I'll have a look": what the reader does next
    r"|\b(?:i|we)(?:(?:'|’)?ll| will) (?:pass (?:it|this|that) on|forward (?:it|this|that)"
    r"|share (?:it|this|that)|have a look|take a look|look into (?:it|this|that)"
    r"|check (?:it|this|that) out|read (?:it|this|that)(?: (?:later|tonight|now))?)"
    rf"(?: (?:to|with) (?:\w+ ){{0,3}}\w+)?{_CLAUSE_END}"
    # "I think I have everything for now", "we've got all we need": nothing more is asked
    r"|\b(?:i think )?(?:i|we)(?: have|(?:'|’)?ve got| got) (?:everything|all)"
    rf"(?: (?:i|we) (?:need|needed)(?: for (?:now|today))?| for (?:now|today)){_CLAUSE_END}"
    r"|\b(?:take care|stay safe|all the best|until next time)"
    # "nothing more from me for now": nothing more is asked
    rf"|\bnothing (?:more|else)(?: (?:from me|from us|for now|for today|to ask))+{_CLAUSE_END}"
    # "I hope I've come to the right place", "not sure this is the right place": a doubt
    # about where one writes, before the question
    r"|\b(?:(?:i |we )?hope|(?:i(?:'|’)?m |i am |im )?not sure(?: if| whether)?) (?:i(?:'|’)?ve"
    r"|i have|we(?:'|’)?ve|we have|this is|i(?:'|’)?m|i am|im|we(?:'|’)?re|we are|it(?:'|’)?s"
    r"|it is)(?: come| reached| writing| asking| messaging)?(?: to| in)? the right"
    rf" (?:place|person|address|channel|people|team|bot|chat){_CLAUSE_END}"
    # "that helps a lot", "that's very helpful", "this was super useful", "very usefull":
    # thanks for an answer
    r"|\b(?:(?:that|this|it)(?:(?:'|’)?s| is| was| has been)? (?:really |very |super |so |most )?"
    r"|(?:really|very|super|so|most) )"
    r"(?:helps|helped|helpful|usefull?|informative)(?: (?:a lot|a bunch|loads|lots|tons|indeed))?"
    rf"{_CLAUSE_END}"
    # "that settles the NDA question for us", "this answers my question": thanks for an answer
    r"|\b(?:that|this|it)(?:(?:'|’)?s| has| have)? (?:settles|settled|answers|answered"
    r"|clears up|cleared up|clear(?:s|ed)? (?:things|it|that|this|everything) up|clarifies"
    r"|clarified|covers|covered|solves|solved|resolves|resolved)"
    r"(?: (?:it|that|everything|things|(?:my|our|the) (?:\w+ ){0,2}?(?:questions?|issues?|points?"
    r"|matter|doubts?|query|queries|bits?|parts?)))?"
    r"(?: (?:for (?:me|us|now)|then|nicely|perfectly))*"
    rf"{_CLAUSE_END}"
    # "I have a quick question", "I'm new here", "j'ai une petite question": a question
    # announced, not asked yet
    r"|\b(?:(?:i|we)(?: have|(?:'|’)?ve got| got| had) (?:a |one |some |a few |a couple of )?"
    rf"{_SMALL}?(?:questions?|query|queries|enquiry|enquiries)(?: for you)?"
    # "quick question coming up", "a short question for you"
    rf"|(?:a |one )?{_SMALL}(?:question|query)(?: (?:coming up|for you|here))?"
    r"|(?:i(?:'|’)?m|i am|im) new (?:here|to this)"
    r"|j(?:'|’)?ai (?:une |quelques )?(?:petites? |courtes? )?questions?"
    r"|ich (?:habe|hatte) (?:da |mal )?(?:eine |ein paar )?(?:kurze |kleine )?fragen?"
    r"|ho (?:una |qualche )?(?:piccola |breve )?(?:domanda|domandina|domande)"
    rf"|tengo (?:una |unas )?(?:pequenas? |breves? )?(?:preguntas?|dudas?|consultas?)){_CLAUSE_END}"
    # "that's everything I needed", "that's all for now": the end of a conversation
    r"|\b(?:that(?:'|’)?s|that is|thats) (?:all|everything|it|exactly what)(?: (?:i|we)"
    r" (?:needed|wanted|need|wanted to know|needed to know))?(?: for (?:now|today))?"
    rf"(?: from me)?{_CLAUSE_END}"
)
"""Pleasantries ("hope you're doing well", "have a lovely evening", "talk another time"):
courtesies made of everyday words, which the courtesy words alone would read as a request."""
_TITLES = frozenset({"dr", "prof"})
_CLOSINGS = frozenset(
    {
        "best",
        "regards",
        "wishes",
        "thanks",
        "thank",
        "cheers",
        "sincerely",
        "br",
        "cordialement",
        "saluti",
        "saludos",
        "gruesse",
        "grusse",
        "mfg",
        "merci",
        "danke",
        "grazie",
        "gracias",
    }
)
"""Words that close a message before the writer's name (the other words of a sign-off are
courtesy words: "kind", "with", "many")."""


def _signed(body: str) -> bool:
    """A sign-off with the writer's name ("Best, Amira", "Kind regards Jan Novak", "Thanks,
    Dr. Rossi"): courtesy words with a closing among them, then one or two capitalised
    words. Not "and FLASH?": a question about a project."""
    tokens = re.findall(r"\w+", body)
    courtesies = 0
    while courtesies < len(tokens) and fold(tokens[courtesies]) in _COURTESY_WORDS:
        courtesies += 1
    if not any(fold(t) in _CLOSINGS for t in tokens[:courtesies]):
        return False  # most sentences: the rest of a long one is not looked at
    names = [t for t in tokens[courtesies:] if t.lower() not in _TITLES]
    return 1 <= len(names) <= 2 and all(n[0].isupper() for n in names)


_WRITER_HERE = r"(?:[\w-]+ ){1,8}here\W*$"
"""Who is writing, then "here", ending the sentence: "journalist here", "Medical physicist from
Lyon here."."""
_INTRODUCTION = CaseFree(
    r"^(?:i\s*(?:'|’)?m|i am|im|i work|i lead|i run|i manage|i head|i coordinate|i represent"
    r"|i teach|i study|my name|we\s*(?:'|’)?re an?|we are an?|this is"
    r"|i (?:write|am writing) (?:from|for|on behalf of))\b"
    # "Journalist here from a Belgian daily", "medical physicist here at a clinic in Lyon"
    r"|^(?:[\w-]+ ){1,5}here (?:from|at|in|with)\b"
    # "Medical physicist from Lyon here.", but not "The FLASH machine is here."
    rf"|^(?!.*\b(?:is|are|was|were|it|its|they|this|that)\b){_WRITER_HERE}",
    re.IGNORECASE,
)
_ASKING = CaseFree(
    r"^(?:how|what|whats|which|who|whom|whose|where|when|why|can|could|would|will|should|shall"
    r"|may|might|is|are|am|was|were|do|does|did|has|have|any|anyone|please|tell|explain|show"
    r"|help|let me know|id like to|i would like to|id love to|i want to|i wish to|i need to"
    r"|we(?:d| would) like to|we want to|we need to|we(?:d| would) love to|looking for"
    r"|wondering|i wonder|curious|interested in knowing|is there|are there)\b",
    re.IGNORECASE,
)
_REQUEST_INSIDE = WordStarts(
    r"\b(?:could you|can you|would you|please|kindly (?:advise|let|tell|inform|share|send)"
    r"|(?:i|we)(?:'|’)?d (?:like|love) to (?:know|understand|learn|find out)|tell me|let me know"
    r"|(?:wants|asked|asks) (?:me|us) to (?:find out|check|ask|look into|understand)"
    r"|(?:i|we|and) (?:really |just |simply )?(?:need|want|would like|wish) to (?:know|understand"
    r"|find out|check)"
    # "I'm trying to understand CERN's strategy for medical applications: when…"
    r"|(?:i(?:'|’)?m|i am|we(?:'|’)?re|we are) (?:(?:just|really|still) )?(?:trying|hoping"
    r"|keen|eager|curious) to (?:know|understand|find out|learn|figure out|work out)"
    # "A short overview of the group would be really useful."
    r"|would be (?:really |very |most |extremely |so )?(?:useful|helpful|appreciated|welcome)"
    r"|i(?:'|’)?m wondering|we(?:'|’)?re wondering|wonder(?:ing)? (?:if|whether|how|what|why"
    r"|when|who|which))\b",
    re.IGNORECASE,
)
_ASKED_AFTER_A_COMMA = re.compile(
    # "…and possibly an interview, who should I contact". The comma first, then the word
    # before it (what `\b,` says): a literal first character, which the engine looks for in C.
    r",(?<=\w,) (?:and |so |but )?(?:who|whom|what|how|where|when|which) (?:should|shall|do"
    r"|does|can|could|would|will|is|are) (?:i|we|you|one)\b(?! (?:know|think)\b)\b",
    re.IGNORECASE,
)
"""A request asked after a comma: one of `_REQUEST_INSIDE`'s, kept apart because it does not
start a word."""


_WISH = WordStarts(
    r"\b(?:(?:would|we(?:'|’)?d|i(?:'|’)?d) like|want|wish|hope|plan|intend|are keen|are interested"
    r"|am interested|are looking|am looking|are exploring|am exploring) (?:to|in|for|at)\b"
    # "nous souhaitons obtenir…", "vorremmo…", "wir möchten…", "quisiéramos…"
    r"|\b(?:nous souhait\w+|je souhait\w+|nous voudrions|je voudrais|j aimerais|nous aimerions"
    r"|wir mochten|ich mochte|wir wurden gerne|vorrei|vorremmo|desidero|desideriamo|queremos"
    r"|quiero|quisieramos|quisiera|nos gustaria|me gustaria)\b"
)
"""An introduction that also says what the writer wants ("We're a medtech firm and would like
to commercialise one of your technologies") is context: the request is in it."""


_POINTING = re.compile(
    r"\b(?:it|its|them|they|their|this|that|these|those|such|there)\b"
    # "Which one applies to us?": one of the things the sentence before named
    r"|\bwhich (?:one|ones|of them|of the two|of both)\b"
    # "Is there an overview somewhere?": of what the sentence before described
    r"|\b(?:an?|any) (?:overview|list|summary|document|report)\b"
    r"(?! (?:of|about|on|for|regarding|covering)\b)"
    # The same in the other languages read: "Combien de temps cela prend-il ?", "Wie lange
    # dauert das?", "Quanto costa questo?", "¿Quién firma eso?". Not the words that are also
    # articles or verbs once folded ("le", "lo", Spanish "esta" for "está"); German "das"
    # only where it ends the question or an adverb follows it, not before a noun.
    r"|\b(?:cela|ca|ceci|celui|celle|ceux|celles|dies|dieses|diese|dafur|dazu|davon|damit"
    r"|darauf|daran|dabei|solch\w*|questo|questa|questi|queste|cio|tale|tali|eso|esto|ello"
    r"|ese|esos|esas|tal|tales)\b"
    r"|\bce (?:genre|type|cas|projet|dispositif)\b|\bso (?:etwas|was)\b"
    r"|\bdas(?: (?:ab|aus|an|denn|eigentlich|genau|ungefahr|normalerweise|typischerweise"
    r"|moglich|bei|beim|fur|mit|im))*$"
)
_EXISTENTIAL = re.compile(
    r"\b(?:(?:is|are|was|were|will|would|could|might) there|there (?:is|are|was|were|s|will))\b"
)
"""'Is there a way…', 'are there openings': 'there' that points at nothing before."""
_PROCEDURAL = re.compile(
    r"\b(?:where|how) (?:do|should|can|would|could|shall) (?:we|i|one) (?:(?:even|actually|best"
    r"|then|now) )?(?:start|begin|proceed"
    r"|go about|get started)\b|\b(?:first|next) steps?\b|\bhow to (?:proceed|start|begin)\b"
    r"|\bwhat (?:should|do|would) (?:we|i) (?:do|need to do)(?: next| first)?$"
    # "Who should we approach?", "Could you tell me how to apply?": whom, or how, for the
    # thing the sentence before described
    r"|\bwho (?:should|do|can|could|would|shall|might) (?:we|i) (?:approach|contact|talk to"
    r"|speak to|speak with|talk with|write to|turn to|get in touch with|reach out to|ask)\b"
    r"(?! (?:about|regarding|concerning|for|on|at|in)\b)"
    r"|\bhow (?:(?:do|can|could|should|would) (?:we|i|one) |to )apply\b(?! (?:for|to|at)\b)"
    r"|\bwhat (?:support|help|assistance|options) (?:is|are|would be|could be) (?:offered"
    r"|available|provided|on offer)\b"
    # The same in the other languages read: "Quelle est la démarche ?", "Come posso procedere?",
    # "Wie gehen wir vor?", "¿Cuál es el procedimiento?"
    r"|\b(?:quelle est la|quelles sont les) (?:demarche|procedure|marche a suivre|etapes?)s?\b"
    r"|\bcomment (?:proceder|faire|commencer)\b|\b(?:par ou|ou) commencer\b"
    r"|\bcome (?:posso|possiamo|devo|dobbiamo) (?:procedere|fare|iniziare)\b"
    r"|\bqual e la procedura\b"
    r"|\bwie (?:gehen wir|gehe ich|sollen wir|soll ich) (?:vor|am besten vor)\b"
    r"|\bwie (?:ist|lauft) das (?:vorgehen|verfahren)\b"
    r"|\bcomo (?:debo|debemos|puedo|podemos) (?:proceder|hacer|empezar)\b"
    r"|\bcual es el (?:procedimiento|proceso)\b"
)
"""A procedural follow-up ("Where do we start?", "What's the first step?") names no subject:
like a question that points back, it is about the sentence before."""
_HELP_ASKED = re.compile(
    # "What's the best way?", "What would you recommend?": to do what the sentence before said
    r"^(?:what(?: s| is)?|whats) the (?:best|right|quickest|easiest) (?:way|route|approach"
    r"|channel|path)(?: (?:to (?:do (?:it|this|that|so)|proceed|go about (?:it|this|that)|start"
    r"|begin)|forward|in))?$"
    r"|^what (?:would|do|can|could) you (?:recommend|suggest|advise)$"
    # "Any pointers?", "Any advice?", "Thoughts?": help with what the sentence before asked
    r"|^(?:any )?(?:pointers?|advice|tips|ideas|suggestions|thoughts|help|guidance)"
    r"(?: (?:please|welcome|appreciated|would be (?:great|appreciated)))?$"
    # "Please advise on the process.", "Kindly advise us.", "Please let me know how to proceed."
    r"|^(?:please |kindly )?advise(?: (?:us|me))?(?: (?:on|about) (?:the )?(?:process|procedure"
    r"|next steps?|way forward|steps))?(?: please)?$"
    r"|^(?:please |kindly )?let (?:me|us) know (?:how to proceed|the (?:process|procedure"
    r"|next steps?))$"
)
"""A request for help and nothing else ("What would you recommend?", "Any advice?",
"Please advise."): with what the sentence before said or asked."""
_DEMONSTRATIVE = re.compile(
    # "such a gift", "such an agreement": always something the message described before
    r"\bsuch an? \w+"
    r"|\b(?:that|this|these|those) (?:projects?|technology|technologies|facility"
    r"|facilities|machines?|devices?|program|programmes?|initiatives?|centers?|study|studies"
    r"|networks?|collaborations?|tools?|platforms?|systems?|isotopes?|schemes?|funds?|designs?"
    r"|detectors?|accelerators?|linacs?|gantry|gantries|beams?|instruments?|prototypes?)\b"
)
""""Where does that project stand?" refers back, however long the question: "that" before
such a noun is a pointer, not the conjunction of "I think that…"."""
_BARE_ASPECT = re.compile(
    r"\b(?:what|whats|how) (?:is|s|are|about|does|do) (?:the|our|my) (?:current |latest "
    r"|present |usual |normal |typical |standard |general )?"
    r"(?:status|timeline|timescale|schedule|state of play|situation|cost|costs|price|procedure"
    r"|process|deadline|next steps?|selection|application|eligibility|criteria|requirements"
    r"|conditions|options|obligations|rights|terms)\b(?! (?:of|for|on|at|with|in|to) )"
    r"|\bwhat happened\b"
    r"|\bwhat(?: s| is| are)? (?:available|on offer)\b"
    # "What do we actually get?", "Is Portugal covered?", "What kind of support could we get?"
    r"|\bwhat (?:do|would|could|can|will) (?:we|i) (?:actually |really |then )?(?:get|receive)\b"
    r"|\b(?:is|are) (?:\w+ ){0,2}(?:covered|eligible|included)\b"
    r"|\bwhat (?:kind|sort|type)s? of (?:support|help|assistance|benefits?) (?:could|can|would"
    r"|do|will) (?:we|i)\b"
    # "Are there fees or strings attached?": conditions of what the sentence before named
    r"|\b(?:is|are) there (?:any )?(?:fees?|costs?|charges?|conditions|strings|restrictions"
    r"|limits|limitations|requirements|deadlines|obligations|royalties|risks|catch(?:es)?)\b"
    # "There's a buzz about electron FLASH in Lausanne; what part does CERN play?"
    r"|\bwhat (?:part|role) (?:does|did|do|will|would) cern (?:play|have)\b"
    r"|\bwhat (?:is|s|was) cern s (?:role|part|involvement|contribution|stake)\b"
    r"|\b(?:how|is|was) cern (?:involved|contributing)\b"
    r"|\bwhere does cern (?:come|fit) in\b|\bwhat (?:does|did) cern (?:contribute|bring)\b"
    # "Still a thing?", "How?", "Possible?", "Any news?": a bare follow-up, all subject elsewhere
    r"|^(?:is (?:it|that|this) )?(?:still )?(?:a thing|possible|feasible|doable|allowed|true"
    r"|the case|available|open|running|ongoing|active|happening|going|on|alive)"
    r"(?: (?:at|with|through|via) cern| for (?:us|me|a company|companies|a start ?up))?"
    r"(?: now| today| nowadays)?$"
    r"|^(?:how|how so|when|where|who|why|and|which|any news|news|any updates?)$"
)
"""An aspect with no subject ("What is the status, and can we take part?"), or a bare
follow-up ("Still a thing?", "How?"): the subject is in the sentence before."""
MAX_POINTING_WORDS = 14
"""A question this short that points back ("Can you tell me about it?") takes its subject
from the sentence before; a longer one usually says what it is about."""


_TURN = re.compile(
    r"(?:,\s*|\s+)but\s+(?="
    r"(?:what|all)\s+(?:i|we)\b(?:\s*(?:'|’)\s*(?:m|re|d))?\s+(?:(?:really|just|actually|simply"
    r"|mainly|would|am|are)\s+)*(?:need|want|like|wish|ask|asking|wonder|wondering|care)\b"
    r"|(?:i|we)\s+(?:(?:really|just|actually|simply|mainly|first|now|would)\s+)*(?:need|want"
    r"|like|wish)\s+to\s+(?:know|understand|find out|ask|learn|check|see)\b"
    r"|(?:really|actually),?\s+(?:i|we)\b"
    r"|(?:my|the|our|this)\s+(?:real\s+|actual\s+|main\s+|practical\s+)?question\b)",
    re.IGNORECASE,
)
_AFTER_HEARING = re.compile(
    r"^((?:[^:,.?!]{1,40}:\s*)?(?:after|since|having|while|when|from)\s+"
    r"(?:hearing|reading|learning|seeing|attending|meeting|heard|read|learned|learnt|seen"
    r"|following|watching|watched|visiting|visited)\b[^,;]{0,100}?)"
    r"(?:,\s+|\s+(?=i\s+(?:started|began|got|became|was|am)\s+"
    r"(?:to\s+)?(?:wonder|wondering|curious|thinking)\b))",
    re.IGNORECASE,
)
"""A sentence that turns from what the writer knows to what they ask ("We read about the FLASH
agreement, but what I need is…", "After hearing about GaToroid at a conference, I'd like to
know…"): the first part is context, read as a sentence of its own."""


_FROM_PLACE = re.compile(r"(?:from|in) (?:the |sunny |rainy )?\w+(?:[ -]\w+){0,3}[^\w?]*")
"""What follows a greeting that only says where it comes from ("from Lagos 👋", "in Pune")."""


def sentences(text: str) -> list[str]:
    """The sentences of `text`, in order, without empty pieces."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


_LAST_CLAUSE = re.compile(r"(?:[,;]|\s[-–—])\s*([^,;?]{1,40})$")
"""The short clause after a sentence's last comma, semicolon or dash ("…, thanks in
advance!"): when it is only courtesies, they close the request (see `_clauses`)."""
_THANKS_AT_END = CaseFree(
    rf"\s((?:many |big |vielen |muchas )?(?:thank you|{'|'.join(sorted(_THANKS_WORDS))})"
    r"(?: (?:so much|very much|a lot|a bunch"
    r"|in advance|beaucoup|d(?:'|’)avance|mille|sch(?:ö|oe?)n|sehr|vielmals|im voraus"
    r"|de antemano|in anticipo))?)\W*$",
    re.IGNORECASE,
)
"""Thanks closing a request typed without a comma ("can we license flash thanks", "quería
saber si el CERN acepta donaciones gracias"): read whole, the thanks outweighed the request."""
_MIN_REQUEST_WORDS = 2
"""Words a request needs before its thanks are split off: "no thanks" declines an offer."""


def _clauses(sentence: str) -> list[str]:
    """`sentence`, split where it turns from context to the request (see `_TURN`), and
    before courtesies closing a request: "Who do I contact about licensing, thanks in
    advance!" was answered as a thank-you. "ok, thanks" stays whole: it asks nothing."""
    lead = _AFTER_HEARING.match(sentence)
    head = [lead.group(1)] if lead is not None else []
    rest = sentence[lead.end() :] if lead is not None else sentence
    parts = [p.strip() for p in _TURN.split(rest, maxsplit=1) if p and p.strip()]
    last = _LAST_CLAUSE.search(parts[-1]) if parts else None
    if last is not None:
        request = parts[-1][: last.start()].strip()
        if _read(last.group(1)).role is Role.COURTESY and _read(request).role is Role.QUESTION:
            parts[-1:] = [request, last.group(1).strip()]
            return head + parts
    thanks = _THANKS_AT_END.search(parts[-1]) if parts else None
    if thanks is not None:
        request = parts[-1][: thanks.start()].strip()
        if len(re.findall(r"\w+", request)) >= _MIN_REQUEST_WORDS and _read(request).role in (
            Role.QUESTION,
            Role.CONTEXT,
        ):
            parts[-1:] = [request, thanks.group(1).strip()]
    return head + parts


def role_of(sentence: str) -> Role:
    """What a sentence does in a message (a greeting prefix is ignored)."""
    return _read(sentence).role


_NEGATED = WordStarts(
    r"\b(?:(?:we|i)(?:(?:'|’)?re|(?:'|’)?m| are| am)? not (?:really |so much )?(?:interested in"
    r"|asking (?:about|for)|looking (?:for|at|into)|after|talking about|writing about"
    r"|concerned with)"
    r"|(?:this|my|our|the) (?:question|enquiry|inquiry|query) is not (?:about|on|regarding)"
    r"|(?:it(?:'|’)?s|it is|this is) not (?:about|regarding)"
    r"|not (?:a|an) (?:[\w-]+ ){1,2}(?:question|enquiry|inquiry|query)"
    r"|rather than|instead of)"
    # To the clause's end, a dash between spaces included: "a hospital rather than a
    # company - can we still do a joint R&D agreement?" rejects the company, not the ask.
    r"\b(?:(?!\s[-–—]\s)[^,.;:!?])*",
    re.IGNORECASE,
)
"""What the writer says they are not asking about, to the clause's end: "We're not interested
in licensing anything, only in a joint project", "Our question is not about the incubator
itself: …", "a person instead of a chatbot"."""


_ASKED_BY_OTHERS = WordStarts(
    r"\b(?:(?:our |my |the )?(?:visitors|people|students|pupils|customers|clients|colleagues"
    r"|friends|readers|listeners|viewers|families|parents|kids|children)"
    r"|(?:my|our) (?:\w+ ){0,2}?(?:son|daughter|kids?|children|class|pupils|students"
    r"|colleagues?|friends?|boss|manager|team|readers|audience))"
    r" (?:often |always |sometimes |keep |regularly |frequently |have |had |also |then )*"
    r"(?:ask|asks|asked|asking) (?:me|us)(?: (?:about|whether|if))?\b",
    re.IGNORECASE,
)
"""Who else asks ("Visitors often ask me about the doughnut magnet", "Families ask us whether
CERN can treat them"): what they ask is the question; who they are is not ("visitors" would
read as a request to visit CERN)."""


_SUBSTITUTING = re.compile(
    r"\b(?:use|uses|using|used|sub|substitute|replace|work|works|call|respond to)\b[^,.;:!?]*$",
    re.IGNORECASE,
)
"""'Can I use butter instead of oil?': both sides are what is asked, not one rejected."""


def _unless_substituted(found: re.Match[str]) -> str:
    """What replaces a `_NEGATED` match: nothing, unless it is the "instead of" of a
    substitution (`_SUBSTITUTING`), which stays."""
    if found.group().lower().startswith("instead") and _SUBSTITUTING.search(
        found.string[: found.start()]
    ):
        return found.group()
    return " "


def without_asides(sentence: str) -> str:
    """`sentence` without its asides, what it says it is not about (`_NEGATED`) and who else
    asks it (`_ASKED_BY_OTHERS`), unless nothing is left."""
    kept = _ASKED_BY_OTHERS.sub(" ", _NEGATED.sub(_unless_substituted, sentence))
    return " ".join(kept.split()) if re.search(r"\w", kept) else sentence


_ASKS_SOMETHING = re.compile(
    r"\b(?:how|what|which|who|where|when|why|whether|if|can|could|would|is there|are there|any"
    r"|know|question|please)\b"
)
_MAX_INTRODUCTION_WORDS = 12
_WHO_IS_WRITING = re.compile(
    r"^(?:(?:i\s*(?:'|’)?m|i am|im|we\s*(?:'|’)?re|we are) (?:a|an|the|from|with|at|in|part"
    r"|one|responsible|head|director|based)\b|my name\b|this is\b|i (?:work|lead|run|manage"
    rf"|head|coordinate|represent|teach|study)\b|{_WRITER_HERE})"
)
"""Who is writing: a role, a name or a workplace ("I'm a radiochemist", "journalist here"),
not how the writer is ("I'm having proton therapy next week")."""


def _only_who_is_writing(body: str, plain: str) -> bool:
    """ "licensing counsel at a radiotherapy OEM here", after a greeting: who is writing,
    nothing asked yet. A longer sentence, or one with a question's word, asks in the same
    breath ("I am interested to know which projects…")."""
    return (
        "?" not in body
        and len(plain.split()) <= _MAX_INTRODUCTION_WORDS
        and _WHO_IS_WRITING.match(plain) is not None
        and not _WISH.search(plain)
        and not _ASKS_SOMETHING.search(plain)
    )


def _read(sentence: str, whole: bool = False) -> Segment:
    """The sentence's role, and its text without an opening greeting if it says more than
    courtesies (see `segment`), and without its asides (`without_asides`). `whole`: the
    sentence is the whole message, so a greeting and who is writing say nothing else yet (in
    a longer message, who is writing is the context of what follows)."""
    sentence = without_asides(sentence)
    greeting = _LEADING_COURTESY.match(sentence)
    body = (sentence[greeting.end() :] if greeting is not None else sentence).strip()
    body = _LEADING_FILLER.sub("", body, count=1)
    thanks = _LEADING_THANKS.match(body)
    if thanks is not None and "?" in body[thanks.end() :]:
        body = body[thanks.end() :]
    plain = fold(body)
    words = re.findall(r"\w+", _PLEASANTRY.sub(" ", plain))
    if not words or all(_is_courtesy_word(w) for w in words) or _signed(body):
        return Segment(sentence, Role.COURTESY)
    if (
        greeting is not None
        and greeting.group().strip()
        and (_FROM_PLACE.fullmatch(plain) or (whole and _only_who_is_writing(body, plain)))
    ):
        # "Good morning from Lagos!", "Good morning, licensing counsel at a radiotherapy OEM
        # here.": the greeting is all there is to answer (it asks for the question), not a
        # topic the writer's place or job shares words with.
        return Segment(greeting.group().strip(), Role.COURTESY)
    if "?" in body or _REQUEST_INSIDE.search(plain) or _ASKED_AFTER_A_COMMA.search(plain):
        return Segment(body, Role.QUESTION, outright=True)
    if _ASKING.match(plain):
        return Segment(body, Role.QUESTION)
    if _INTRODUCTION.match(plain) and not _WISH.search(plain):
        return Segment(body, Role.INTRODUCTION)
    return Segment(body, Role.CONTEXT)


def segment(text: str) -> tuple[Segment, ...]:
    """The sentences of `text` with their roles. A message of one sentence, or one where no
    sentence weighs anything (only courtesies: "hello!"), is taken whole as the question.

    A greeting that opens a sentence saying something else ("Bonjour, est-ce que le CERN
    propose des stages ?") is left out of it: otherwise it alone can make the message look
    like small talk, and the question is greeted instead of answered or logged.
    """
    parts = [clause for sentence in sentences(text) for clause in _clauses(sentence)]
    if len(parts) <= 1:
        read = _read(text, whole=True)
        courtesy = read.role is Role.COURTESY
        whole = Segment(read.text, Role.QUESTION, outright=read.outright, courtesy=courtesy)
        return _without_contact_frames((whole,))
    segments = _without_contact_frames(tuple(_read(part) for part in parts))
    if not any(s.weight for s in segments):
        return (Segment(text, Role.QUESTION, courtesy=True),)
    if not any(s.role is Role.QUESTION for s in segments):
        # A statement-only message ("We'd be interested in licensing X.") states its request:
        # its context is the question.
        return tuple(
            Segment(s.text, Role.QUESTION, stated=True) if s.role is Role.CONTEXT else s
            for s in segments
        )
    return _with_referents(segments)


def following(segments: tuple[Segment, ...], previous: str) -> tuple[Segment, ...]:
    """`segments` of a follow-up read with the question it follows, as its referent: "Can
    we license it?" after "What is GaToroid?" asks about GaToroid's licence, as the two
    would in one message. Only a message that is a single question pointing back; one that
    says what it is about, or has a sentence of its own to point to, is read alone."""
    if len(segments) != 1 or not previous.strip():
        return segments
    (only,) = segments
    if only.role is not Role.QUESTION or only.courtesy or not _points_back(only.text):
        return segments
    return (Segment(previous, Role.REFERENT), only)


_OPENS_WITH_THANKS = re.compile(
    r"^(?:(?:ok|okay|right|great|perfect|alright|wow)\W+)?(?:thank you|thanks|many thanks"
    r"|thx|thnx|cheers|merci|danke|grazie|gracias)\b(?! in advance\b)"
)
_ANSWER_SERVED = re.compile(
    r"\b(?:(?:that(?:'|’)?s|that is|thats|this is|it(?:'|’)?s) (?:exactly |just |precisely )?what"
    r" (?:i|we|my \w+|our \w+) (?:needed|need|wanted|was looking for|were looking for)"
    r"|(?:that|this|it) (?:really )?(?:helps|helped)|(?:very|really|super|most) helpful)\b"
)
"""Saying an answer served its purpose: with a closing thanks, the conversation ends."""
_GOODBYE = re.compile(
    r"\b(?:bye|goodbye|good bye|see you|talk (?:soon|later)|au revoir|tschuss|tschuess"
    r"|auf wiedersehen|arrivederci|adios|hasta luego"
    r"|(?:that(?:'|’)?s|that is|thats) (?:all|everything)(?: (?:i|we) (?:need|needed))?"
    r" for (?:now|today))\b"
)


def closes_the_conversation(segments: tuple[Segment, ...]) -> bool:
    """A thanks or a goodbye around statements, asking nothing: "Many thanks for the clear
    answers on the KT Fund. I'll show my group leader this conversation. Cheers!", "OK,
    that's everything for today. I've noted the pages on licensing and will come back next
    week. Bye for now!". The topics it mentions are what was already answered, not what is
    asked. A question, a request or a wish ("we'd like to license it") makes it a request
    after all, and "thanks in advance" announces one."""
    if any((s.role is Role.QUESTION and not s.stated) or s.outright for s in segments):
        return False
    folded = [fold(s.text) for s in segments]
    said = [text for text, s in zip(folded, segments, strict=True) if s.role is not Role.COURTESY]
    if not said or any(_WISH.search(text) or "in advance" in text for text in said):
        return False
    # The thanks opens the message, after a greeting at most ("Hi! Thanks for the links."),
    # not only closes it ("quería saber si … gracias" asks).
    openers = folded[:2] if segments[0].role is Role.COURTESY and len(segments) > 2 else folded[:1]
    thanked = any(_OPENS_WITH_THANKS.match(text) for text in openers) or (
        # "Brilliant, that's exactly what my board needed. Cheers!": a closing thanks after
        # saying the answer served, not "quería saber si … gracias", which asks
        segments[-1].role is Role.COURTESY and any(_ANSWER_SERVED.search(text) for text in said)
    )
    return thanked or any(_GOODBYE.search(text) for text in folded)


_CONTACT_FRAME = re.compile(
    r"^\s*(?:(?:so|and|but|then),? )?(?:(?:who|whom) (?:do|should|can|could|would|might|shall"
    r"|must) (?:i|we) (?:(?:talk|speak|write|turn|reach out|go|get in touch) (?:to|with) |contact "
    r"|ask |approach )(?:about|regarding|concerning|re|for|on)|(?:the |a )?(?:right )?"
    r"contact(?: person)? (?:for|about|regarding))\s+(?=\w)"
    # "Who do I contact for more information?": nothing more than a contact is asked
    r"(?!(?:(?:more|further|any|general) )?(?:info|information|details|help|questions?"
    r"|support|assistance|enquiries|inquiries)\b)",
    re.IGNORECASE,
)
"""Asking whom to contact about something ("Who do I talk to about a start-up?"): the
answer about the subject carries its contact, so the subject is what is asked."""


def _without_contact_frames(segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """A question asking whom to contact about a subject, read as the subject asked about
    and the asking for a contact, which weighs as a referent (nearly a question's weight):
    as context, it let "Who should I contact about a medical project?" lose its contact answer."""
    found: list[Segment] = []
    for current in segments:
        frame = _CONTACT_FRAME.match(current.text) if current.role is Role.QUESTION else None
        subject = current.text[frame.end() :] if frame is not None else ""
        if frame is None or _points_back(subject):
            found.append(current)
            continue
        found += [
            Segment(frame.group().strip(), Role.REFERENT),
            Segment(subject, Role.QUESTION, outright=current.outright),
        ]
    return tuple(found)


def _with_referents(segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """ "I heard CERN designs a sturdier linac. Can you tell me about it?": the question's
    subject is the sentence before it, which then weighs nearly as much as the question."""
    found = list(segments)
    for i in range(1, len(found)):
        before, current = found[i - 1], found[i]
        if (
            current.role is Role.QUESTION
            and before.role in (Role.CONTEXT, Role.INTRODUCTION)
            and _points_back(current.text)
        ):
            found[i - 1] = Segment(before.text, Role.REFERENT)
        elif (
            current.role is Role.QUESTION
            and before.role is Role.QUESTION
            and _HELP_ASKED.search(_plain(current.text))
        ):
            # "We want to license a CERN detector. What would you recommend?": help with the
            # question before, whose words alone say what is asked; "recommend" would lean
            # to the declined questions ("Which hotel would you recommend?").
            found[i] = Segment(current.text, Role.COURTESY)
    return tuple(found)


def _plain(text: str) -> str:
    """`text` folded, as its words joined by single spaces: what the follow-up patterns
    (`_PROCEDURAL`, `_HELP_ASKED`…) read, anchored at both ends."""
    return " ".join(re.findall(r"\w+", fold(text)))


def _points_back(question: str) -> bool:
    plain = _plain(question)
    if _DEMONSTRATIVE.search(plain):
        return True
    return len(plain.split()) <= MAX_POINTING_WORDS and bool(
        _POINTING.search(_EXISTENTIAL.sub(" ", plain))
        or _PROCEDURAL.search(plain)
        or _HELP_ASKED.search(plain)
        or _BARE_ASPECT.search(plain)
    )
