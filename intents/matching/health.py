"""Is this a patient (or a relative) asking about their own health?

"Can FLASH cure my glioblastoma?" names a project, but what it needs is the honest "CERN does
not treat patients; ask your clinician" answer, never the project's description. Such a
message pairs a person ("my son", "I was diagnosed", "should I") with a clinical matter
(symptoms, a diagnosis, a dose, a treatment choice). Both cues are about how people write
of their own health, not about any topic, so they hold whatever the knowledge base says. They
are written for the five languages the bot reads (English, French, German, Italian, Spanish).
"""

from __future__ import annotations

import re

from intents.text.cues import WordStarts, cued, word_cues
from intents.text.normalize import I_AM, WE_ARE, words
from intents.text.segments import sentences

_NOT_UNWELL = (
    r"(?! (?:conflicting|mixed|contradictory|different|confusing) (?:accounts|stories|reports"
    r"|dates|figures|numbers|sources|versions)\b| (?:an? )?errors?\b| nowhere\b"
    r"| (?:trouble|difficulty|problems?|a hard time) (?:finding|understanding|reaching"
    r"|getting|with (?:the|your|this|that|my login|the website))\b)"
)
"""What "I'm having", "I'm getting" go on with when it is not one's health: "I'm getting
conflicting accounts" of a history, "I'm having trouble finding the page"."""

_PERSON = word_cues(
    # "my youngest son", "our 6 year old daughter"; not "our institute was a partner": the
    # words between are the relative's description, never a verb or an article.
    r"\b(?:my|our) (?:(?!(?:is|was|are|were|has|had|have|a|an|the|as|and|of|for|with|in|on|at"
    r"|to|by)\b)\w+ ){0,3}?(?:son|daughter|child|children|kid|baby|boy|girl|mother|mum|mom"
    r"|father|dad|husband|wife|partner|brother|sister|grandmother|grandma|grandfather|grandpa"
    r"|grandad|granddad|granny|gran|nan|nanna|aunt|uncle|niece|nephew|friend|family"
    r"|father-in-law|mother-in-law|parent|parents"
    r"|grandchildren|grandchild|grandson|granddaughter|fiance|fiancee|girlfriend|boyfriend"
    r"|toddler|newborn|infant|preemie|cousin|mate|buddy|godson|goddaughter|godchild|stepson"
    r"|stepdaughter|stepfather|stepmother"
    r"|\d{1,2} year old|\d{1,2} yr old|\d{1,2} ?yo|\d{1,2} y o)s?\b"
    r"|\bi (?:still |also |now |really |often |always )?(?:have|had|was diagnosed|am diagnosed"
    r"|got|suffer|feel(?! (?:able|ready|confident|comfortable|free|sure|that|like|informed"
    r"|prepared|equipped)\b))\b"
    # ... but not "I have a question about therapy", "I have a tumour-imaging start-up",
    # "I have to give a talk", "I have read about GaToroid".
    r"(?! to\b| (?:what|everything|enough|nothing|plenty|read|heard|seen|followed|looked|learned"
    r"|learnt|noticed|visited|worked"
    r"|written|spoken|talked|attended|watched|studied|checked|used|developed|built|published"
    r"|contacted|come across|curious|interested|intrigued|fascinated|wondering|thinking|in touch"
    r"|told|the impression|a look)\b"
    r"| (?:a |an |some |one |two |few |quick |short )?(?:\w+ ){0,2}(?:questions?|query|idea"
    r"|company|startup|start up|business|project|team|proposal|product|device|technology"
    r"|patent|background|degree|phd|experiments?|study|studies|samples?|prototypes?|grant"
    r"|dataset|data|paper|talk|presentation|meeting|lab|group|contract|licen[cs]e|client|concept"
    r"|design|invention|innovation|solution|system|tool|software|method|technique|plan"
    r"|abstract|poster|manuscript|submission|article|publication|thesis|material|materials"
    r"|notes|sources|literature|references|information|info)\b)"
    # ("im having" is read with "i m having" below)
    r"|\bim (?:being|getting)\b"
    + _NOT_UNWELL
    + r"|\b(?:i ve|ive) (?:felt|been feeling)\b|\bi felt\b"
    r"|\b(?:i ve|ive|i have) (?:got|had|been (?:diagnosed|told|treated|offered))\b"
    # "I'm starting radiotherapy", not "I'm starting as a junior physicist"
    r"|\b(?:i m|im|i am) (?:undergoing|starting(?! (?:as|at|in|on|out|work|a|an|my|our)\b)"
    r"|finishing|having|on chemo\w*|the patient)\b"
    + _NOT_UNWELL
    # "I finished radiotherapy last year", not "I finished my thesis on radiotherapy"
    + r"|\bi (?:finished|completed|underwent|started|began) (?:my )?(?:radiotherapy|chemo\w*"
    r"|treatment|radiation|proton therapy|surgery|immunotherapy)\b"
    r"|\b(?:he|she) (?:has|had|was diagnosed|is diagnosed|got|suffers|needs|was told|was offered)"
    r"\b(?! (?:\w+ ){0,2}(?:questions?|company|startup|project|team|idea|patent|phd|facts"
    r"|sources|material|homework|poster|essay)\b)"
    # "a 70-year-old with prostate cancer", "I'm 27", "diagnosed with stage 2 prostate cancer"
    r"|\b(?:a|an|my|our) \d{1,3} (?:year|yr)s? old\b"
    r"|\b(?:im|i m|i am|he s|hes|he is|he|she s|shes|she is|she) \d{1,3}\b"
    r"(?! (?:\w+ )?(?:staff|people|employees|engineers|patients|beds|rooms|centres|centers"
    r"|hospitals|partners)\b)"
    r"|\b(?:ho|tengo|j ai|ai) \d{1,3} (?:anni|anos|ans)\b|\bich bin \d{1,3}\b|\bdiagnosed with\b"
    # A clinician's case: "my patient is 72 with a recurrent tumour", "a patient of mine has"
    r"|\b(?:my|our) patient (?:is|was|has|had)\b|\ba patient of (?:mine|ours)\b"
    r"|\bmy (?:\w+ ){0,2}(?:tumou?rs?|cancer|diagnosis|scan|symptoms?|treatment|doctor|oncologist"
    r"|condition|illness|disease|headaches?|pain|prostate|brain|lungs?|breasts?|body|health|dose"
    r"|therapy|skin|thyroid|blood|heart|liver|kidneys?|eyes?|bones?|chest|head|neck|throat"
    r"|mouth|stomach|back|bladder|bowel|hair|gp|insurance|insurer|surgeon|radiologist"
    # "my memory is getting worse", not "my memory is hazy" of a writer recalling the 1980s
    r"|memory(?! (?:is |was )?(?:hazy|fuzzy|vague|rusty|serves|of)\b)"
    r"|ears?|belly|tummy|abdomen|insides|guts?|womb|ovar(?:y|ies)|testicles?|jaw|tongue"
    r"|knees?|hips?|shoulders?|legs?|ankles?|wrists?|elbows?|markers?|ca ?125"
    r"|blood (?:tests?|results|counts?|work)"
    # "my pathology report", not "my course report"
    r"|(?<!course )(?<!school )(?<!project )(?<!annual )(?<!final )(?<!lab )report"
    r"|radiotherapy|radiation|chemo\w*|surgery|operation|biopsy|results|psa|skull|face|larynx"
    r"|spine|rectum|pelvis|cervix|colon|pancreas|sarcoma|carcinoma|lymphoma|melanoma|glioma"
    r"|glioblastoma|leuka?emia|metastas[ie]s|nodes?|radiotherapist|urologist|nurse|chordoma)\b"
    # ... but not "my radiation oncology team", "my radiotherapy software company", "my
    # Geant4 dose simulations".
    r"(?! (?:\w+ ){0,2}(?:team|group|department|unit|company|firm|startup|software|product"
    r"|device|lab|service|research|project|business|colleagues|simulations?|calculations?"
    r"|measurements?|experiments?|code)\b)"
    # "Dad's glioblastoma", "mum's scan" (the possessive's s is not a word of its own).
    r"|\b(?:dad|daddy|mum|mummy|mom|mommy|mother|father|husband|wife|son|daughter|brother"
    r"|sister|grandad|granddad|grandpa|grandma|granny|partner|baby|uncle|aunt) (?:\w+ )?"
    r"(?:tumou?rs?|cancer|glioblastoma|glioma|sarcoma|lymphoma|leuka?emia|diagnosis|scans?"
    r"|chemo\w*|radiotherapy|treatment|surgery|biopsy|prognosis|oncologist|illness|disease)\b"
    # Fear told in the first person, a diagnosis dated, one's own case: "I'm terrified",
    # "Scared.", "Diagnosed 2019.", "in my case", "dans mon cas", "im meinem Fall".
    rf"|\b(?:{I_AM}|{WE_ARE}) (?:so |really |very |absolutely |just )?(?:terrified"
    r"|scared|frightened|petrified|devastated|worried sick)\b"
    r"|\bdiagnosed (?:in )?(?:19|20)\d\d\b|\bout of pocket\b|\bin my case\b"
    # "I own a pharmacy but this is personal: what dose…": the writer says whose health it is
    r"|\b(?:this|it|that) is (?:a )?personal\b|\bpersonal (?:question|matter|reasons?)\b"
    r"|\basking for myself\b"
    r"|\b(?:a )?case like mine\b"
    # "That's what they're planning for me", "a sarcoma forum", "if I'd qualify"
    r"|\b(?:planning|planned|proposing|proposed|offering|offered|recommending|recommended"
    r"|suggesting|suggested|prescribed|prescribing) (?:\w+ ){0,4}?(?:for|to) (?:me|him|her)\b"
    r"|\b(?:cancer|sarcoma|tumou?r|patients?|oncology|glioma|chordoma|breast|prostate)"
    r" (?:forum|support group)\b|\b(?:i d|id|i would|would i|do i|can i) qualify\b"
    r"|\b(?:dans )?mon cas\b|\bon me propose\b|\b(?:in )?meinem fall\b|\bich hatte\b"
    r"(?! (?:\w+ )?(?:frage|idee|firma|projekt)\w*\b)|\b(?:nel |il )?mio caso\b|\ben mi caso\b"
    # French, German, Italian, Spanish: "mon père", "meine Mutter", "mio figlio", "mi hija"…
    r"|\b(?:mon|ma|mes|notre|nos) (?:pere|mere|fils|fille|enfants?|mari|femme|epoux|epouse"
    r"|frere|s(?:oe|œ)ur|grand-?pere|grand-?mere|oncle|tante|ami|amie|famille|bebe|parents"
    r"|conjoint|compagnon|compagne|radiotherapie|chimio\w*|peau|tumeur|cancer|traitement"
    r"|medecin|oncologue|beau pere|belle mere|beau frere|belle soeur|petite fille|petit fils"
    r"|petits enfants)\b|\b(?:j )?ai (?:passe|fait|eu|(?:tres )?peur)\b"
    # "J'ai une tumeur", "ich habe Krebs", "ho un tumore", "tengo la piel quemada"; not "j'ai
    # une question", "ich habe eine Frage", "tengo una pregunta sobre…".
    r"|\b(?:(?:j )?ai (?:un|une|la|le|les|des|mal)|ich habe|ho (?:un|una|perso|dolore|male)"
    r"|tengo (?:la|el|un|una|dolor))\b(?! (?:\w+ )?(?:question|frage|domanda|pregunta|idee|idea"
    r"|entreprise|firma|unternehmen|azienda|empresa|projet|projekt|progetto|proyecto|start ?up"
    r"|startup|societe|societa|brevet|patent|brevetto|patente)\w*\b)"
    r"|\bmir (?:ist|wird|tut|geht)\b|\b(?:ist|wird) mir\b|\bich (?:stille|bin schwanger)\b"
    r"|\b(?:mi|me) (?:duele|quema|recomiendan|siento)\b|\bho paura\b|\bmi (?:faccia|fa|fanno) \w+"
    r"|\bestoy (?:muy )?(?:desesperad|asustad|cansad|preocupad)\w*|\bllevo (?:\w+ ){0,3}con\b"
    # Who pays for one's own treatment: "if my insurance won't pay", "si la sécurité sociale
    # ne rembourse pas", "se il servizio sanitario non la copre".
    r"|\b(?:insurance|securite sociale|secu|mutuelle|assurance maladie|krankenkasse"
    r"|servizio sanitario|seguro medico)\b"
    r"|\b(?:mein|meine|meinem|meiner|meinen|unser|unsere|unseren|unserem|unserer)"
    r" (?:vater|mutter|sohn|tochter|kind"
    r"|kinder|mann|frau|bruder|schwester|oma|opa|grossvater|grossmutter|onkel|tante|freund"
    r"|freundin|familie|baby|eltern|partner|partnerin|enkel|enkelin|enkelsohn|enkeltochter"
    r"|schwiegervater|schwiegermutter)\b"
    r"|\b(?:mio|mia|mie|miei|nostro|nostra) (?:padre|madre|figlio|figlia|figli|marito|moglie"
    r"|fratello|sorella|nonno|nonna|zio|zia|amico|amica|famiglia|bambino|bambina|genitori"
    r"|nipote|nipotino|nipotina|nipoti)\b|\bho fatto (?:la|il|una|un)\b"
    r"|\b(?:mi|mis|nuestro|nuestra) (?:padre|madre|hijo|hija|hijos|marido|esposo|esposa|mujer"
    r"|hermano|hermana|abuelo|abuela|tio|tia|amigo|amiga|familia|bebe|padres|nieto|nieta)\b"
)
_OPENING = re.compile(
    r"(?:(?:just|recently|newly|got|been|was) )*(?:scared|terrified|frightened|diagnosed)\b"
)
"""A message opening on fear or a diagnosis ("Scared.", "Diagnosed 2019.", "got diagnosed
w…"). Apart from `_PERSON`: an alternative anchored at the start would make Python's regex
engine try the whole pattern at every position (ten times slower on a long message)."""


_RELATIVE_NOT_ILL = WordStarts(
    r"\b(?:my|our) (?:\w+ ){1,3}?(?="
    r"(?:says|said|told (?:me|us)|claims|thinks|thought|believes|believed|reckons|swears"
    r"|mentioned|insists) (?:(?:that )?(?:cern|physicists|scientists|the internet)|so)\b"
    r"|(?:worked|works|working|used to work|retired|trained|was employed|is employed"
    r"|has worked) (?:as|at|in|for|with|on)\b"
    r"|(?:was|is|has been) an? (?:\w+ ){0,2}?(?:physicist|engineer|scientist|technician|nurse"
    r"|doctor|physician|radiographer|radiologist|chemist|researcher|teacher|professor)\b)"
    # "my department head encouraged me": a boss, not a body part.
    r"|\b(?:my|our) (?:\w+ )?(?:department|unit|group|team|lab|division|section|ward|clinic)"
    r" (?:head|chief|lead)\b"
    # A relative who studies: "my daughter studies biomedical engineering", "My son is 12 and
    # is doing a school project on detectors".
    r"|\b(?:my|our) (?:\w+ ){1,3}?(?=(?:and )?(?:studies|studied|is studying|wants to study"
    r"|is (?:a|an) (?:\w+ )?student|is (?:doing|writing|preparing) (?:a|an|his|her) (?:\w+ )?"
    r"(?:project|thesis|dissertation|degree|phd|internship|poster|presentation|homework|essay"
    r"|report)s?)\b)"
    # A curious relative: "My son saw it in a YouTube video and won't stop asking", "My
    # 10-year-old asked me if CERN helps sick people".
    r"|\b(?:my|our) (?:\w+ ){1,3}?(?=(?:saw|has seen|watched|heard|read) (?:it|about|a|an|this"
    r"|that|something|on|in)\b|(?:asked|asks|keeps asking|kept asking) (?:me|us)\b"
    r"|(?:is|was|got) (?:curious|fascinated)\b)"
    # A head in an idiom: "the physics goes over my head", "off the top of my head", "I can't
    # get my head around the licence terms".
    r"|\b(?:over|off the top of) (?:my|our) heads?\b"
    r"|\b(?:get|got|getting|wrap|wrapping|scratching) (?:my|our) heads?\b"
)
"""A relative as the source of a claim about CERN ("my uncle says CERN invented the PET scan",
"Is CERN a hospital? My aunt thinks so.") or with a job ("My father worked as a technician at
the cantonal hospital", "My grandfather was a nuclear physicist"), one's boss ("my
department head") and one's head in an idiom ("over my head"): no patient."""


def _person(plain: str) -> bool:
    plain = _RELATIVE_NOT_ILL.sub("", plain)
    return cued(_PERSON, plain) or _OPENING.match(plain) is not None


_PRESCRIBED = r"(?:normal|usual|typical|right|correct|recommended|safe|maximum)"
_FOR_A_PATIENT = (
    r"(?:for|to treat|against) (?:a |an |my |the )?(?:\w+ ){0,2}(?:tumors?|cancers?|patients?"
    r"|child|children|kids?|adults?|lymphoma|leuka?emia|cycles?|rounds? of treatment|scans?"
    r"|exams?|examinations?|metastas[ie]s|treatments?)\b"
)
"""A dose "normal for prostate cancer", "safe for a child": a prescription, not physics."""
_OF_WHAT = r"(?:of (?:[\w-]+ ){1,2}(?:\d+ )?)"
"""What a dose is of: "lutetium-177", "radioactive iodine", "iodine 131"."""
_PATIENT = word_cues(
    # "side effects", and as typed: "side efects", "side affects", "sideeffects"
    r"\bside ?[ae]ff?ects?\b|\bsafe (?:radiation )?doses?\b|\bchances? of surviv\w*"
    r"|\blife expectancy\b"
    # A remedy asked for ("skin redness after radiotherapy, what cream?"): only a patient asks
    r"|\b(?:what|which|any|best|good) (?:\w+ )?(?:creams?|lotions?|ointments?|moisturi[sz]ers?"
    r"|painkillers?|remed(?:y|ies))\b"
    r"|\b(?:(?:i|we|he|she) (?:can|could|would like to|want to|wants to|hope to|hopes to"
    r"|wish to)|(?:id|i d|wed) like to) (?:get|be) treated\b"
    r"|\b(?:safe|dangerous|risky|ok|okay) to (?:fly|travel|drive|work|breastfeed|be around)"
    r"|\b(?:does|will|would|is) (?:\w+ ){0,3}(?:hurt|painful)\b"
    # One's own odds: "my own risk of having another stroke", "my chances of a relapse"
    r"|\bmy (?:own )?(?:risk|chances?|odds) of (?:having|getting|developing|dying|surviv\w*"
    r"|relapse|recurrence|another|a|cancer)\b"
    r"|\bpregnan\w*|\bgrossesse\b|\bschwangerschaft\b|\bgravidanza\b|\bembarazo\b"
    r"|\bbreast ?feed\w*|\benceinte\b|\ballait\w*|\bschwanger\w*|\bstillen\b"
    r"|\bincinta\b|\ballatt\w*|\bembarazad\w*|\bamamant\w*"
    # "Can I volunteer as a patient to be treated with the GaToroid gantry?": offering
    # oneself for treatment, trials included ("sign up as a trial patient").
    r"|\b(?:enrol|enroll|sign up|register|participate|take part|join|volunteer)\w* (?:\w+ ){0,5}?"
    r"as (?:a )?(?:test |trial |study |pilot )?patients?\b"
    # A dose asked for a disease or a patient: a prescription, not a physics question
    # ("a normal dose of lutetium-177 for tumours", "what proton dose is normal for prostate
    # cancer").
    rf"|\b{_PRESCRIBED} doses? {_OF_WHAT}?{_FOR_A_PATIENT}"
    rf"|\bdoses? {_OF_WHAT}?(?:is|are|would be) {_PRESCRIBED} {_FOR_A_PATIENT}"
    # "How many Gy should a prostate patient get?", "what dose does a child receive"
    r"|\b(?:how many|how much|what|which) (?:\w+ ){0,2}(?:gy|gray|sessions|fractions|doses?"
    r"|mbq|gbq|mci) (?:should|would|does|do|will|can) (?:a|an|the|my|his|her) (?:\w+ ){0,2}"
    r"(?:patients?|child|kid|baby|adult|man|woman) (?:get|receive|need|have|take)\b"
    # "Which hospital in Spain gives proton therapy to children?": where to be treated
    r"|\bwh?ich (?:hospital|clinic|centre|center|country|city)s? (?:\w+ ){0,6}?(?:best|treats?"
    r"|treatments?|therapy|radiotherapy|protons?|ions?|surgery) (?:\w+ ){0,3}?(?:for|to)"
    r" (?:a |an |my )?(?:\w+ )?(?:child|children|kids?|adults?|patients?|baby|babies"
    r"|teenagers?|infants?|cancers?|tumou?rs?|sarcomas?|gliomas?|glioblastomas?|lymphomas?"
    r"|leuka?emia|melanomas?|chordomas?|carcinomas?|medulloblastomas?|meningiomas?)\b"
    # "Is lutetium therapy safe for someone with kidney problems?"
    r"|\b(?:safe|suitable|dangerous|risky|ok|okay|an option) for (?:someone|somebody|anyone"
    r"|a person|people|patients?|an? (?:\w+ ){0,2}patients?|elderly|older people) (?:with|who"
    r"|on|after|suffering)\b"
    # "Is proton therapy safer than X-rays for a child with medulloblastoma?"
    r"|\bfor (?:a|an|my|our|his|her) (?:\w+ ){0,2}(?:child|kid|baby|boy|girl|son|daughter"
    r"|toddler|teenager|infant) (?:with|who has)\b"
    # "Which proton centre has the shortest waiting list for children?": where to be treated
    r"|\bwaiting lists?\b|\bwaiting times? (?:for|at) (?:\w+ ){0,3}?(?:treatments?|therapy"
    r"|surgery|patients?|children|kids|adults|appointments?|consultations?)\b"
    r"|\bhow many (?:\w+ ){0,2}sessions\b|\bcure (?:my|his|her|me|him)\b"
    r"|\bcan (?:he|she|i) be treated|\bbe treated at cern\b|\btreat (?:my|him|her|me)\b"
    r"|\b(?:etre|se faire) (?:soigne|traite|opere)e?s? (?:au|a) cern\b|\beffets? secondaires?\b"
    r"|\bam cern behandelt\b|\bnebenwirkung\w*|\b(?:essere|farsi) (?:curat|trattat)\w* al cern\b"
    r"|\beffetti collaterali\b|\bser (?:tratad|atendid)\w* en el cern\b|\befectos secundarios\b"
)
_ASKER = word_cues(
    r"\b(?:for|to) (?:me|him|her)\b|\b(?:cure|treat) (?:me|him|her|us|them)\b"
    r"|\bpour (?:elle|lui|moi)\b|\bfur (?:ihn|sie|mich)\b|\bper (?:lei|lui)\b"
    r"|\bpara (?:ella|el|mi)\b"
    r"|\b(?:scan|operate on|irradiate|examine|save) (?:me|him|her)\b"
    r"|\b(?:make|makes|burn|hurt|harm|affect) (?:me|him|her)\b"
    # "will it give me cancer?", not "can you give me that overview?"
    r"|\b(?:give|gives) (?:me|him|her)\b(?! (?:an? |the |that |this |some |more |your )?"
    r"(?:(?:short|quick|brief|rough|general|reliable|simple|clear|good|full|proper|big|broad"
    r"|overall) ){0,2}"
    r"(?:overview|summary|list|details?|info\w*|contacts?|names?|pointers?|links?|brief\w*"
    r"|update|idea|sense|answer|account|history|story|explanation|description|background"
    r"|introduction|rundown|version|picture|gist|lowdown|breakdown|examples?"
    r"|advice on (?:the|your|cern)))"
    # "can protons help him?", not "help me write a business plan"
    r"|\bhelp (?:me|him|her|us|them)(?: (?:at all|too|now))?$"
    # "is that normal?", "can I enrol in the trial?", "can he get it?"; not "can we get…",
    # a lab's or a company's ("can we get lutetium-177 from you?")
    r"|\bis (?:this|that|it) (?:still )?normal\b"
    r"|\b(?:can|could) i (?:enrol|enroll|sign up|register|join|take part|participate)\b"
    r"|\bi (?:could|can|might) (?:enrol|enroll|sign up|register|join|take part|participate)\b"
    # "Am I eligible for the FLASH trial?" (a trial is the clinical matter, a fund is not)
    r"|\b(?:am i|is (?:he|she)|would (?:i|he|she)(?: be)?) eligible\b"
    r"|\b(?:should|can|could|would|will) (?:i|he|she|they) (?:get|have|take|go|fly|do"
    r"|be treated|receive|travel|choose|try|follow|worry|be worried|stop|wait|come)\b"
    r"|\b(?:i|we) should (?:pick|choose|go|do|take|get|try)\b"
    r"|\bshould i (?:use|apply(?! (?:to|for)\b)|put|eat|avoid)\b|\b(?:darf|soll) ich\b"
    r"|\b(?:i|we) can (?:eat|do|take)\b|\bme (?:va|van) a\b"
)
"""Someone in the question itself ("is it safe for him?", "should we wait?"): weaker than a
relative or a diagnosis, and business as usual in a message's other sentences ("a
non-starter for us") or from a professional ("I'm a physicist: can we get beam time?")."""
_CLINICAL = re.compile(
    r"\b(?:diagnos\w*|symptom\w*|side ?[ae]ff?ects?|dizz\w*|nause\w*|pain\w*|headaches?|tumou?rs?"
    r"|cancer\w*|glioma|glioblastoma|sarcoma|chordoma|carcinoma|lymphoma|leukaemia|leukemia"
    r"|melanoma|metasta\w*|medulloblastoma|meningioma|chemo\w*|quimio|biops\w*|prognosis"
    # Tumours named by their suffix: "neuroblastoma", "astrocytoma", "myeloma", "adenoma"
    r"|\w+blastomas?|\w+cytomas?|\w*myelomas?|mesotheliomas?|ependymomas?|adenomas?"
    # A test result come back ("my CA-125 came back high")
    r"|came back (?:high|low|elevated|raised|abnormal|borderline)"
    r"|sarcome|sarkom\w*|\w+sarkom|chirurgie|chirurgia|cirugia|ions? carbone|ioni carbonio"
    r"|fractions?|capelli|cansancio"
    r"|cure[sd]?|surviv\w*|sessions?|doses?|dosage|scans?|mri|ct|pet|pet-ct|tep|x-rays?|x rays?"
    r"|treatments?|treated|treat|hospital|clinic|oncologist|doctor|specialist|safe|trial"
    r"|sign up|enrol\w*|study|studies|patients?|radiation|radioactive|irradiat\w*|iodine"
    r"|radium|lutetium|radioligand\w*|protons?|photons?|carbon ions?|gray|gy"
    r"|tumeurs?|diagnostic|symptomes?|douleurs?|traitements?|traite|soigne\w*|soigner|guerir"
    r"|gueri|hopital|medecin|seances?|essai|maladie|grossesse|peau|brul\w*"
    r"|krebs\w*|tumore?n?|diagnose|symptome?|schmerz\w*|behande?l\w*|heil\w*|krankenhaus"
    r"|klinik|arzt|arztin|dosis|krank\w*|strahl\w*|metastasen|protonen|schwangerschaft"
    r"|studien?|ubel|cancro|diagnosi|sintomi|dolore|trattament\w*|curat\w*|curare|guarire"
    r"|ospedale|medico|sedute|malattia|gravidanza|gusto|sperimentazion\w*"
    r"|diagnostico|sintomas|dolor|tratamiento|tratad\w*|curar|enfermedad|embarazo|piel"
    r"|quemad\w*|ensayo"
    # Symptoms after a treatment ("red and burning since radiotherapy", "ständig müde").
    r"|tired\w*|fatigu\w*|exhausted|burn\w*|rash|itch\w*|swell\w*|swollen|sore|throat|numb"
    r"|hurt\w*|toxic\w*|infertil\w*|fertility|bestrahl\w*|mude|muede|mudigkeit|stanc\w*"
    r"|cansad\w*"
    # A newborn's care: "monitor my premature baby at home so we can leave the NICU".
    r"|prematur\w*|preemies?|neonat\w*|nicu|incubators?|intensive care)\b"
    # Any therapy ("protontherapie", "adroterapia"): a suffix, so no word-start search.
    r"|(?:therap(?:y|ie|ies)|terapia)\b"
)


_ADVICE = re.compile(
    r"\bis (?:it|this|that) (?:\w+ )?(?:worth|safe|dangerous|normal|too|risky|possible"
    r"|serious|bad|ok|okay|true|harmful)\b|\bshould (?:i|we|he|she|they)\b"
    r"|\bwhat (?:do|would|should) you (?:think|recommend|suggest|advise)\b"
    r"|\bwhat (?:can|should) (?:i|we) do\b|\bhow long (?:does|will|can) (?:this|it|that)\b"
    r"|\bis (?:he|she) right\b|\b(?:can|could) (?:he|she|i|we) still\b|\bdoes (?:that|this) mean\b"
    r"|\bwhat would you (?:choose|do|pick)\b|\bworth (?:asking|trying|it)\b"
    r"|\bisn ?t (?:that|this|it) (?:a lot|too much|too many|dangerous|risky)\b"
    r"|\bhow much can\b|\bwhich (?:one|centre|center|hospital|country|clinic) (?:\w+ ){0,2}?"
    r"(?:has|is|should|would)\b|\ben pensez vous\b"
    r"|\bwas (?:meinen|denken) sie\b|\bche ne (?:pensa|pensate)\b|\bque (?:opina|piensa)\w*\b"
    r"|\b(?:could|can|will|would) (?:it|the \w+) (?:have )?(?:harm|hurt|damage|affect)\w*\b"
    r"|\b(?:risque|risquent) (?:t il |t elle )?de\b"
    r"|\bmi conviene\b|\ben que pais\b|\bcuanto cuesta\b|\bquanto costa\b"
    r"|\b(?:is )?too (?:much|many|high|strong)\b|\bvaut (?:vraiment )?la peine\b"
    r"|\bque (?:pouvons nous|puis je|dois je) faire\b|\bque faire\b|\bc(?: est)? normal\b"
    r"|\best ce (?:normal|dangereux|grave)\b|\bist das (?:noch )?(?:normal|gefahrlich)\b"
    r"|\bwie lange (?:geht|dauert)\b|\be normale\b|\btornera\b|\bes normal\b"
    r"|\bque (?:me )?recomienda\w*\b|\bque hago\b"
)
"""A question asking for a judgement on what the message told ("Is it worth it?", "What do
you think, should we try?", "Is this too toxic at her age?")."""
_BARE_NORMAL = re.compile(r"(?:is (?:it|this|that) )?normal")
"""The whole question is "Normal?" (apart from `_ADVICE` for the reason `_OPENING` is)."""
_PROFESSIONAL = re.compile(
    r"\b(?:journalist|reporter|newsletter|article|unpublished|dataset|evidence|peer reviewed"
    r"|publications?|statistics|(?:our|my) (?:\w+ )?(?:data|study|studies|company|firm|startup"
    r"|sme|clinicians|department|group|team|lab|institute|centre|center|patients|engineers"
    r"|hospital|hospitals|clinic|clinics|network|consortium"
    r"|physicists|chambers|detectors?|devices?|prototype|product|software|colleagues))\b"
    rf"|\b(?:{I_AM}|{WE_ARE}) (?:a |an )?(?:\w+ ){{0,2}}(?:physicists?|engineers?|oncologists?"
    r"|radiologists?|physicians?|doctors?|nurses?|radiographers?|pharmacists?"
    r"|researchers?|scientists?|radiobiologists?|radiochemists?|dosimetrists?|developers?"
    r"|students?|professors?|manufacturers?|vendors?|suppliers?|startups?|company|firm)\b"
    r"|\bi work (?:at|for|in|on)\b|\bwe (?:develop|make|build|sell|run|manufacture|design)\b"
    r"|\b(?:physicists?|writers?|editors?|i manage|i run|i lead|i head|registry|radiobiologists?"
    r"|radiochemists?|dosimetrists?|clinicians?|teams?|cell cultures?|treatment plans?|thesis"
    r"|dissertation)\b"
    r"|\bwe are an? (?:\w+ ){0,3}(?:hospital|group|company|centre|center|clinic|network|team)\b"
    # "Neonatal nurse manager here. Electrodes tear our preemies' skin…"
    r"|\b(?:nurse|doctor|physician|oncologist|radiologist|radiographer|pharmacist|surgeon"
    r"|pa?ediatrician|midwife|therapist|engineer)s?(?: \w+)? here\b"
    # "PhD student in dosimetry. Can I get beam time … under ultra-high dose rate electrons?"
    r"|\b(?:phd|postdocs?|doctoral|beam ?time|test beams?|dose rates?)\b"
)
"""Someone writing about their work: side effects in "our unpublished side-effect data" or a
reporter's "does FLASH cut side effects?" are nobody's own health."""
_CURIOUS = re.compile(
    r"\b(?:(?:made|makes|make|got|gets|left) (?:me|us)|i got|we got|i became|i grew)"
    r" (?:\w+ )?(?:curious|intrigued)\b"
)
"""Curiosity told ("My mum had a PET scan and it made me curious: what is CERN's link to PET?"):
a relative's scan is how the question came up, not what it asks. Not "I'm curious which
hospital…": that asks."""
_BUSINESS = re.compile(
    r"\b(?:licen[cs]\w*|patent\w*|collaborat\w*|partner(?:ship)?s?|invest\w*|company|firm"
    r"|startup|start up|spin ?off|procurement|supplier|funding|grant|donat\w*|fellowship|job"
    # "Is it safe to describe my invention here, or should I wait for an NDA?"
    r"|invent(?:ion|ions|or|ors)|confidential\w*|nda|cda|non disclosure|contracts?)\b"
)
"""What a relative's illness told as background to a business or giving question is about."""
_TOLD_TO = re.compile(
    r"\b(?:explain|describe|send|show|tell|mail|email|forward|introduce|outline|summari[sz]e"
    r"|give|pass|present)\b(?: \w+){0,8}? to (?:me|him|her)\b"
)
"""Something to be explained or sent to the writer ("Explain the FLASH idea to me like I'm a
board member"): who reads the answer, not whose health it is."""
_GIVING = re.compile(
    r"\b(?:donat\w*|gift|bequest|legacy|in (?:his|her|their) (?:memory|name)|in memory of"
    r"|fundrais\w*|give (?:money|funds)|tax deductible"
    # "leave a part of my heritage to cancer research", "remember CERN in my will"
    r"|bequeath\w*|inheritance|in (?:my|our|his|her) will"
    r"|leave (?:\w+ ){0,4}?(?:estate|heritage|inheritance|savings|assets|money)"
    # "fund research", "support CERN's work", "sponsor one of your cancer-related projects"
    r"|(?:fund|finance|sponsor|support) (?:one of |some of )?(?:the |your |cern s |cern |some "
    r"|more )?(?:\w+ ){0,2}?(?:research|projects?|programmes?|programs?|work)"
    r"|(?:our|my|a) (?:family |private |charitable )?foundation"
    # "give something towards CERN's cancer-related research", "contribute to your work"
    r"|(?:give|contribute) (?:\w+ ){0,2}?(?:to|towards?) (?:\w+ ){0,4}?"
    r"(?:research|work|projects?)"
    # the same in French, German, Italian and Spanish: "faire un don à la mémoire de ma mère",
    # "eine Spende im Gedenken an meinen Vater", "una donazione in memoria di mia madre"
    r"|un don|des dons|mecenat|(?:a la|en) memoire d\w*|spende\w*"
    r"|gespendet|im gedenken|zum gedenken|vermachtnis|nachlass|donazion\w*|in memoria d\w*"
    r"|lascit\w*|donacion\w*|donativo\w*|en memoria de|herencia)\b"
)
"""A relative's illness told to explain a donation is not a request for medical advice."""


_WHICH_PROJECT = re.compile(
    r"\bwhat (?:is|was|s) (?:that|this|the|it) (?:\w+ )?(?:project|device|technology|invention"
    r"|machine|monitor|system|called|name)\b|\bwhat (?:is|was|s) (?:it|that|this) called\b"
    r"|\bwhich (?:cern )?(?:project|device|technology|invention) (?:is|was)\b"
)
"""A question asking which project or device the message describes ("I read that CERN built
a monitor that never touches the patient. What is that project?"): the name of a project,
whatever illness the message tells first."""


def is_personal_health_question(text: str, context: str = "") -> bool:
    """True when `text` (the question of a message) reads as someone asking about their own
    or a relative's health. The person may be introduced in the rest of the message
    (`context`: "Our son has a medulloblastoma. Which hospital would you recommend?"). The
    clinical matter must be in the question, unless the question asks for a judgement on
    what the message told ("My husband was offered lutetium. Is it worth it?"), or a sentence
    tells a relative's or one's own illness ("Our son has a medulloblastoma and the team
    proposes photons. Who is right?") and the message asks nothing of business. Someone
    writing about their work (a reporter, "our unpublished side-effect data") is no patient
    unless the question itself says whose health it is."""
    plain = " ".join(words(text))
    around = " ".join(words(context))
    strong = _person(plain) or (bool(around) and _person(around))
    asker = cued(_ASKER, plain)
    # Only a question with an asker cue is re-read without what it asks to be told "to me".
    weak = asker and cued(_ASKER, _TOLD_TO.sub("", plain))
    patient = cued(_PATIENT, plain)
    patient_around = bool(around) and cued(_PATIENT, around)
    if not (strong or weak or patient or patient_around):
        return False  # no one's health in sight (most messages): the rest needs one of these
    if _GIVING.search(plain) or _GIVING.search(around):
        return False  # a relative's illness told to explain a gift (only looked for now)
    if _PROFESSIONAL.search(f"{plain} {around}") and not strong:
        return False
    if patient:
        return True
    if _CURIOUS.search(plain) and not weak:
        return False
    if _WHICH_PROJECT.search(plain) and not asker:
        return False
    advice = bool(_ADVICE.search(plain) or _BARE_NORMAL.fullmatch(plain))
    clinical = bool(_CLINICAL.search(plain))
    if patient_around and (weak or advice or clinical):
        return True  # "I'm 9 weeks pregnant. Could the tracer have harmed the baby?"
    if clinical:
        # "Horizon Europe consortium on heavy-ion therapy … how early should I do it?": an
        # asker cue alone is no patient beside a partnership, a licence or a grant.
        return strong or (weak and not _BUSINESS.search(f"{plain} {around}"))
    # "My husband was offered lutetium for his cancer. Is it worth it?", "My brother's
    # tumours stopped responding. Can he get terbium from you?": the question asks for a
    # judgement on, or a treatment for, what the message told.
    if strong and (advice or weak) and _CLINICAL.search(around):
        return True
    # "Our 6-year-old has a medulloblastoma and the team proposes photons. Who is right?":
    # a relative's or one's own illness told in the same sentence as a clinical matter.
    if not strong or _BUSINESS.search(f"{plain} {around}"):
        return False
    told = (" ".join(words(sentence)) for sentence in sentences(f"{context} {text}"))
    return any(_person(s) and _CLINICAL.search(s) for s in told)
