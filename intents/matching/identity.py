"""Does the message ask about the assistant itself: who or what answers, what it keeps, how
current it is?

"Am I talking to a person or to an automated assistant?", "who am I chatting with?", "is this a
bot?": people ask it before they trust an answer, and so are "Is this just ChatGPT?", "do you
keep a log of these conversations?" and "how up to date is what you tell me?". Their words
("talking to a person") are also how people ask for a human contact, so the words alone lean to
the contact topic, while the question is what the bot is. A request ("can I talk to a real
person instead?") is no such question and keeps its contact answer. The cues are how the
question is put, not a topic's wording, so they hold whatever the knowledge base says.

The other way round, asking for a human ("Can a human take over here?", "I'd like to speak to
an actual person, not a bot", "how quickly does your team answer?") wants the contact topic,
even when the words lean to what the bot is ("bot") or to nothing at all.
"""

from __future__ import annotations

import re

from intents.text.cues import cued, word_cues
from intents.text.normalize import normalize_text

_WHO = (
    r"(?:(?:real|actual|live|genuine) )?(?:person|human|human being|people|bot|robot|chatbot"
    r"|machine|computer|ai|program|programme|automated \w+|assistant|algorithm)"
)
"""Who might be answering: "a real person", "an automated assistant", "a machine"."""
_WHAT_IS_SENT = (
    r"(?:my|our|these|this|what (?:i|we)) (?:\w+ )??(?:messages?|conversations?|chats?"
    r"|questions?|history|type|typed|write|wrote|send|sent|ask|asked)"
)
"""What the user sends the assistant: "my messages", "these chat messages", "what I type"."""
_LANGUAGES = (
    r"(?:french|german|italian|spanish|portuguese|dutch|english|another language"
    r"|other languages|my (?:own )?language)"
)
"""Languages someone may ask the assistant to read or write in."""
_ABOUT_THE_ASSISTANT = word_cues(
    # "Am I talking to a person or to a bot?", "am i chatting with a machine"
    r"\b(?:am i|are we) (?:talking|chatting|speaking|writing|texting|communicating) "
    rf"(?:to|with) (?:an? )?{_WHO}\b"
    # "Who am I talking to?"
    r"|\bwho am i (?:talking|chatting|speaking|writing|texting) (?:to|with)\b"
    # "Are you a real person?", "are you human or ai"
    rf"|\bare you (?:an? )?{_WHO}\b"
    # "Is this a bot?", "is this chat automated", "is it a human answering"
    r"|\bis (?:this|it|that) (?:chat |conversation |service )?(?:an? )?(?:(?:real|actual|live) )?"
    r"(?:bot|chatbot|robot|human|person|ai|automated)\b"
    # "Are you the KT office?", "are you part of CERN's knowledge transfer group?"
    r"|\bare you (?:part of |from |with )?(?:the )?(?:cern(?: s)? )?(?:kt|knowledge transfer"
    r"|technology transfer|tech transfer) (?:office|group|team|department|unit|people)\b"
    # "Is a human reading this?", "is someone reading my messages", "is there a human behind"
    r"|\bis (?:there )?(?:an? |any )?(?:human|person|someone|somebody|anyone|anybody) "
    r"(?:reading|answering|replying|responding|behind|typing|on the other end)\b"
    # "Is this just ChatGPT?", "are you an LLM", "is it a generative AI"
    r"|\b(?:are you|is (?:this|it|that)(?: (?:chat|bot|chatbot|assistant|service|thing))?)"
    r" (?:just |only |simply |really |basically )?(?:an? )?"
    r"(?:chatgpt|chat gpt|gpt\w*|llm|large language model|language model|generative)\b"
    # "Is this chat answered by a language model or by someone from the KT group?", "are my
    # messages read by a person?"
    r"|\b(?:is|are) (?:this|it|these|my|our) (?:\w+ )?(?:answered|handled|read|written|run"
    r"|powered|replied to) by (?:an? |some )?(?:(?:real|actual|live) )?(?:person|human|people"
    r"|bot|robot|chatbot|machine|computer|ai|program|algorithm|someone|somebody|chatgpt|llm"
    r"|large language model|language model)\b"
    # "Who built you?", "are you officially run by CERN?"
    r"|\bwho (?:built|made|created|wrote|programmed|developed|designed|runs|operates|trained)"
    r" (?:you|this (?:bot|chatbot|assistant|chat|service))\b"
    r"|\bare you (?:officially |actually |really )?(?:run|operated|made|built|endorsed|provided)"
    r" by\b"
    # "Do you keep a log of these conversations?", "do you use my messages to train anything?"
    r"|\b(?:do|will|would|can) you (?:keep|store|save|log|record|remember|retain|read|use"
    rf"|learn from|train on) (?:a (?:log|record|copy) of )?{_WHAT_IS_SENT}\b"
    # "Who reads these messages?", "who can see what I type here?"
    r"|\bwho (?:reads|sees|can (?:see|read)|gets to (?:see|read)|has access to)"
    rf" {_WHAT_IS_SENT}\b"
    # "Is this chat private?", "will my messages be kept confidential?"
    r"|\b(?:is|are|will) (?:this (?:chat|conversation)|these (?:chats|conversations|messages)"
    r"|my (?:messages?|questions?|data)|what (?:i|we) (?:write|type|send|say) (?:here|in this"
    r" (?:chat|conversation)))(?: be)? (?:kept |stay |remain )?(?:private|confidential|secure"
    r"|encrypted|stored|recorded|saved|logged|shared)\b"
    # "If I describe our invention in this chat, will it be kept private?": what the chat
    # keeps, where "do you keep our designs confidential?" asks for an agreement with CERN
    r"|\b(?:here|in this (?:chat|conversation))\b[^.?!]{0,60}\b(?:will|would) (?:it|that|this)"
    r" (?:be |stay |remain )(?:kept )?(?:private|confidential|secret)\b"
    # "Can I ask you things in French?", "do you understand German?"
    r"|\b(?:(?:can|may|could) (?:i|we) (?:ask|write|talk|chat|speak|type)(?: to)?(?: you)?"
    rf"(?: \w+)? in|do you (?:speak|understand|read|answer|reply)(?: in)?) {_LANGUAGES}\b"
    # "How up to date is what you tell me?", "are your answers current?", "where do your
    # answers come from?"
    r"|\bhow (?:up to date|current|recent|reliable|accurate|trustworthy|old) (?:is|are)"
    r" (?:what you|your (?:answers|information|info|replies|data))\b"
    r"|\bare your (?:answers|replies|information|info) (?:up to date|current|reliable|accurate"
    r"|official|checked|reviewed)\b"
    r"|\bwhere do (?:you get|your (?:answers|information|info|replies) come from)\b"
)


def asks_about_the_assistant(text: str) -> bool:
    """True when `text` asks what is answering it: a person or a program, what kind of
    program and whose, what it keeps of the conversation, where its answers come from."""
    return cued(_ABOUT_THE_ASSISTANT, normalize_text(text))


_PERSON = (
    r"(?:an? |the |some |any )?(?:(?:real|actual|live|human) )?(?:person|human|human being"
    r"|someone|somebody|people|colleague|staff member|member of (?:staff|the team)|agent"
    r"|operator)"
)
_OF_THE_TEAM = (
    r"(?: (?:from|at|in|of|on) (?:your|the|cern(?:'|’)?s|kt(?:'|’)?s) (?:[\w-]+ ){0,3}?"
    r"(?:team|office|group|section|department|side|unit))?"
)
"""Where the person is ("someone from your team", "a colleague in the KT office")."""
_FOR_A_PERSON = word_cues(
    # "I'd like to speak to an actual person", "can I talk to a human instead?", "I'd rather
    # deal with a person"
    r"\b(?:talk|speak|chat|write|deal) (?:to|with) (?:an? |some )?(?:real|actual|live|human)"
    r" (?:person|human|being|someone)\b"
    rf"|\b(?:talk|speak|chat|deal) (?:to|with) (?:an? |some )?(?:human|human being|person)\b"
    r"(?! (?:about|at|in|from|who (?:works|knows)))"
    # "Can a human take over here?", "could someone from your team get back to me"
    rf"|\b(?:can|could|will|would|may) {_PERSON}{_OF_THE_TEAM} (?:please )?(?:take over"
    r"|get back to|call|ring|phone|contact|answer|reply to|respond to) (?:me|us|here|this|my"
    r"|our)\b"
    # "please call me back tomorrow", "can you ring us back?"
    r"|\b(?:call|ring|phone) (?:me|us) back\b"
    # "Can I book a video call with someone from the medical applications section?"
    r"|\b(?:book|arrange|schedule|set up|organise|organize|have) an? (?:(?:video|phone|quick"
    rf"|short|zoom|teams|online) ){{0,2}}(?:call|meeting|chat) with {_PERSON}\b"
    # "who at CERN can I interview about the medical programme?"
    r"|\bwho (?:at cern |there |in your team |on your side )?(?:can|could|should|may|might)"
    r" (?:i|we) interview\b"
    # "put me through to a colleague", "connect us with someone"
    rf"|\b(?:put|transfer|connect|forward|pass|hand) (?:me|us) (?:through |over |on )?"
    rf"(?:to|with) {_PERSON}\b"
    # "not a bot", "instead of a chatbot", "rather than this machine"
    r"|\b(?:not|instead of|rather than) (?:to |with )?(?:an? |the |this |some )?(?:bot|chatbot"
    r"|chat bot|robot|machine|computer|program|automated \w+)\b"
    # "I want a human", "get me a real person"
    r"|\b(?:i want|i need|give me|get me) (?:an? )?(?:real |actual |live )?(?:human|person)\b"
    # ... not "a human-readable summary", "I need human cells"
    r"(?! (?:readable|rights|resources|error|factors?|body|bodies|anatomy|trials?|data|cells?"
    r"|samples?|tissues?|genome|health|use|studies|subjects?|participants?)\b)"
    # "How quickly does your team usually answer an enquiry?"
    r"|\bhow (?:quickly|fast|soon|long) (?:does|do|will|would|can) (?:your|the) (?:kt )?"
    r"(?:team|office|colleagues|staff|people|group) (?:\w+ )?(?:answer|reply|respond|get back"
    r"|come back)\b"
    r"|\bhow long (?:until|before|till) (?:someone|somebody|a person|a human|you|your team)"
    r" (?:answers|replies|responds|gets back|writes back|calls)\b"
    # "How soon can I expect a reply after sending an enquiry?"
    r"|\bhow (?:soon|quickly|fast|long) (?:can|will|should|do|would) (?:i|we) (?:expect|get"
    r"|receive|hear)(?: back)? (?:a |an )?(?:reply|answer|response|back|from (?:you|your team))\b"
    r"|\bhow long (?:does it|do you|does your team) (?:usually |normally |typically )?take to"
    r" (?:reply|answer|respond|get back)\b"
)


_ONLY_A_PERSON = re.compile(
    r"(?:an? )?(?:real |actual |live )?(?:human|human being|person|agent|operator)"
    r"(?: (?:please|pls|plz|now))?$"
)
"""A message asking for a person and nothing else: "human pls", "a real person please".
Apart from `_FOR_A_PERSON`, whose alternatives are only tried where a word starts (`cued`)."""


def asks_for_a_person(text: str) -> bool:
    """True when `text` asks to deal with a human: to talk to one, be called back, be put
    through, or how soon the team answers."""
    plain = normalize_text(text)
    return cued(_FOR_A_PERSON, plain) or _ONLY_A_PERSON.match(plain) is not None
