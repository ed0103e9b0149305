"""Does the question take CERN for a hospital, a clinic or a maker of medical products?

"Does CERN run its own cancer clinic?", "Is CERN a hospital?", "Do you make cancer drugs?":
people who have only heard that CERN does something for medicine ask whether it treats
patients or sells equipment. They share few words with any topic and fall back, while the
overview of CERN's medical work says exactly what CERN does and does not do. The cues are
about how such a question is put (CERN or "you" as the one treating, running a clinic,
selling scanners), not about any topic, so they hold whatever the knowledge base says.
"""

from __future__ import annotations

from intents.text.cues import cued, word_cues
from intents.text.normalize import normalize_text

_ON_THE_WAY = r"(?:(?!(?:with|for|to|and|of|in|at|on|from|near|by|about)\b)\w+ )"
"""A word between a verb and its object that is not a preposition: "runs its own proton
clinic", not "has a partnership with hospitals"."""
_SO = (
    r"(?:(?:is|are|was|were|does|do|did|really|actually|already|now|also|still|currently|even"
    r"|itself|directly|just|not|ever|then) )*"
)
"""Auxiliaries and adverbs between CERN and its verb ("CERN is actually treating"): CERN must
be the one doing it, not "the CERN-CHUV machine" of a trial."""
_CERN_AS_CLINIC = word_cues(
    # "Is CERN a hospital?", "my neighbour thinks CERN is a clinic", "CERN was a pharma company"
    r"\b(?:(?:is|was) cern|cern (?:is|was)) (?:really |actually |just |also |basically )?"
    r"(?:a|an) (?:\w+ )?(?:hospital|clinic|pharma\w*|drug company|drugs company)\b"
    # "CERN is treating cancer patients", "do you cure patients there"
    rf"|\b(?:cern|you) {_SO}(?:treats?|treating|cures?|curing) (?:\w+ ){{0,2}}?patients\b"
    # "Does CERN run its own cancer clinic?", "CERN runs a proton clinic in Geneva"
    rf"|\b(?:cern|you) {_SO}(?:runs?|running|operates?|operating|has|have|owns?) "
    rf"(?:its own |your own |a |an |any )?{_ON_THE_WAY}{{0,3}}?(?:clinics?|hospitals?"
    r"|(?:treatment|therapy|cancer) cent(?:re|er)s?)\b"
    # "Does CERN build complete cancer hospitals for other countries?"
    rf"|\b(?:cern|you) {_SO}(?:builds?|building|constructs?) "
    rf"{_ON_THE_WAY}{{0,3}}?(?:hospitals?|clinics?)\b"
    # "Do you make cancer drugs?", "CERN makes MRI scanners", "sell proton therapy equipment"
    rf"|\b(?:cern|you) {_SO}(?:sells?|selling|manufactures?|manufacturing|makes?"
    rf"|making|produces?) {_ON_THE_WAY}{{0,3}}?(?:scanners?|mri|equipment|drugs|medicines"
    r"|pharmaceuticals|devices|machines)\b"
    # "Can our hospital simply buy a device from CERN?": CERN as the vendor
    r"|\b(?:buy|buying|purchase|purchasing|order|ordering) (?:\w+ ){0,3}?(?:devices?|machines?"
    r"|equipment|scanners?) (?:\w+ )?from (?:cern|you)\b"
)


def takes_cern_for_a_clinic(text: str) -> bool:
    """True when `text` asks or presumes that CERN treats patients, is or runs a hospital or
    clinic, or makes and sells medical products (scanners, equipment, drugs)."""
    return cued(_CERN_AS_CLINIC, normalize_text(text))
