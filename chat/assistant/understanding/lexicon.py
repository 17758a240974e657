"""Word lists: the fixed vocabulary of days, parts of the day, modes, numbers and names."""

from __future__ import annotations

from .scanning import _Phrases, _spelled

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# Department prefixes read as course codes even when the roster lists no course of theirs.
# Words that are also ordinary English ("art", "bus", "data") are left out on purpose, so
# "bus 10" is not a course; a roster course brings its own department in.
DEFAULT_DEPARTMENTS = frozenset(
    "ACCT ANTH ASTR BIO BIOL CHEM CIS CNIT COMM CS CSC ECE ECON EE ENGL ENGR ESL GEOG GEOL "
    "HIST LING MATH PHIL PHYS POLS PSY PSYC SOC SOCI SPAN STAT".split()
)


# With the Spanish names, as many students at the center write them ("el jueves").
_WEEKDAY_WORDS = {
    **dict.fromkeys(("monday", "mon", "mondays", "lunes"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues", "tuesdays", "tusday", "martes"), 1),
    **dict.fromkeys(
        ("wednesday", "wed", "weds", "wednesdays", "wensday", "wendsday", "miercoles"), 2
    ),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs", "thursdays", "jueves"), 3),
    **dict.fromkeys(("friday", "fri", "fridays", "viernes"), 4),
    **dict.fromkeys(("saturday", "sat", "saturdays", "sabado"), 5),
    **dict.fromkeys(("sunday", "sun", "sundays", "domingo"), 6),
}
_TONIGHT_WORDS = ("tonight", "tonite", "2nite", "tonigh", "tonght")
_TOMORROW_WORDS = ("tomorrow", "tomorow", "tommorow", "tommorrow", "tmrw", "tmr", "2morrow")
_PARTS = ("morning", "afternoon", "evening")

_PART_PHRASES = _Phrases(
    {
        **_spelled("morning|mornings", "morning"),
        **_spelled("afternoon|afternoons|after school|tarde|la tarde", "afternoon"),
        **_spelled(
            "evening|evenings|night|nights|nite|nites|late evening|after work|after dinner"
            "|noche|la noche",
            "evening",
        ),
    }
)

_ONLINE, _ON_CAMPUS = "online", "on campus"
_MODE_PHRASES = _Phrases(
    {
        **_spelled(
            "online|on line|zoom|remote|remotely|virtual|virtually|video|google meet|webcam"
            "|en linea"
            "|from home",
            _ONLINE,
        ),
        **_spelled(
            "on campus|campus|in person|inperson|face to face|f2f|onsite|on site|irl|presencial"
            "|at the center|at the centre",
            _ON_CAMPUS,
        ),
    }
)

_NUMBER_WORDS = dict(
    zip("one two three four five six seven eight nine ten".split(), range(1, 11), strict=True)
)
_ORDINALS = {
    **dict(
        zip(
            "first second third fourth fifth sixth seventh eighth ninth tenth".split(),
            range(1, 11),
            strict=True,
        )
    ),
    **dict(zip("1st 2nd 3rd 4th 5th 6th 7th 8th 9th 10th".split(), range(1, 11), strict=True)),
}
_CHOICE_LEADS = tuple(
    _spelled("option|choice|number|num|pick|choose|take|select|go with|tutor|slot", None)
)
_CHOICE_WORD_PHRASES = _Phrases(
    {(*lead, word): n for lead in _CHOICE_LEADS for word, n in _NUMBER_WORDS.items()}
)
# What may follow an ordinal for it to be a pick: "the second one", "the first option",
# "I'll take the first" (nothing) or "the first please"; not "first thing in the morning".
_AFTER_ORDINAL = {"one", "option", "choice", "tutor", "slot", "time", "session", "person"}
_MAY_FOLLOW_ORDINAL = _AFTER_ORDINAL | {
    "please",
    "pls",
    "plz",
    "thanks",
    "thank",
    "then",
    "instead",
}
_PICK_VERBS = {"take", "pick", "choose", "select"}

# Words that, after a number, make it a quantity rather than a time or a choice.
_QUANTITY_WORDS = frozenset(
    "hour hours hr hrs h minute minutes min mins session sessions people person persons "
    "student students week weeks day days time times tutor tutors class classes month months "
    "year years of more x pages problems questions friends dollars".split()
)
_NUMBER_FILLER = frozenset(
    "please pls plz thanks thank you ty ok okay um uh hmm so just lets do go with i ill id "
    "take pick choose want the option number choice let me works work is good fine then".split()
)

# Tutor first or last names that are also everyday words: they count only after "with" or
# "tutor", or as the whole message.
_NAME_WORDS = frozenset(
    "will may mark bill grace rose june april august sun joy hope faith chase art pat sue don "
    "ray max jack frank rich sky summer autumn dawn eve ivy lily gene guy hunter major miles "
    "penny reed rob sage stone wade warren young king long white brown green black park hall "
    "wood hill lee page bell price star chance an al ed jo am".split()
)
# Real words that sit one edit from a subject or weekday and must not be taken for it.
_NOT_TYPOS = frozenset("assemble assembled assembles sundae sundry".split())
_TYPO_TARGET_MIN = 6
_TYPO_WORD_MIN = 5

_MONTHS = {
    **dict.fromkeys(("january", "jan"), 1),
    **dict.fromkeys(("february", "feb"), 2),
    **dict.fromkeys(("march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    "may": 5,
    **dict.fromkeys(("june", "jun"), 6),
    **dict.fromkeys(("july", "jul"), 7),
    **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("october", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))

# --- Yes and no ---

_YES_PHRASES = (
    "yes|y|yeah|yea|ya|yah|yep|yup|yess|yes yes|sure|sure thing|ok|okay|okey|oki|k|kk"
    "|alright|all right|fine|sounds good|sounds great|sounds perfect|that works|works for me"
    "|please do|do it|go ahead|go for it|book it|lets do it|lets do that|correct|right"
    "|thats right|thats correct|exactly|perfect|great|definitely|absolutely|of course"
    "|certainly|affirmative|confirm|confirmed|i do|i think so|why not|thats fine|thats good"
    "|looks good|looks great|looks fine|cool|cool cool|bet|deal|same|the same|same details"
    "|same as before|same info|works|that one works|sounds fine|fine by me|good|all good"
    "|im in|lets go|sure why not|ok sure|yes yes yes|uh huh|mhm|yas|ye|yeh|that one|this one"
    "|that one please|that time|that works for me|works fine|ill take it|i will take it"
    "|ill take that|ill take that one|take it|i want it|i want that one|lets book it"
    "|book that one|book that|id like that|id like that one|yse|yeas|yesss|okie|okk|ofc"
    "|for sure|yessir|yup yup|sure sure|okey dokey|ok ok|yes maam|yes sir|si|claro|vale"
    "|say less|aight|ight|fs|bet bet|sounds bomb|lets gooo|yuh|yurr|fasho|for sho|say no more"
    "|looks right|looks correct|all correct|thats all correct|all looks good|everything looks good"
    "|looks good to me|lgtm|thats it book it|yes thats right|yep thats right"
)
_NO_PHRASES = (
    "no|n|nope|nah|naw|not really|no thanks|no thank you|dont|do not|please dont|dont do it"
    "|dont book it|negative|not now|not yet|no way|never|i dont think so|definitely not"
    "|absolutely not|of course not|not at all|wrong|thats wrong|incorrect|not interested"
    "|noo|nooo|nop|nahh|nope nope|no no|no ty|nah thanks|nah im good|im good|all set|pass"
)
_YES_NO_FILLER = (
    "please|pls|plz|thanks|thank you|thank u|thx|ty|so much|very much|oh|um|uh|hmm|well"
    "|really|actually|i think|then|for now|lol|haha|now|ah|oh ok|so|great|cool|awesome|nice"
)


# Words common in messages that are never compared with tutor names for a misspelling.
_NOT_NAMES = frozenset(
    """
    about also anything anyone anybody available back been book booked booking bookings busy
    cancel class classes college could does doing done email essay else even every free from
    good have help here info just know like later maybe mean more morning much need next none
    nope okay only open other over please really right same school session sessions should
    some someone something sorry still sure take than thank thanks that then there they thing
    think this those time times today tomorrow tutor tutors tutoring very want week what when
    where which while will with work works would yeah your lines inside
    """.split()
)

# Subjects a college student may ask for, as the center would name them, so a subject the
# roster lacks is answered "we don't tutor ..." rather than not understood. The roster is read
# first, so a subject it has is never taken from this list.
_COLLEGE_SUBJECTS: dict[tuple[str, ...], str] = {
    **_spelled(
        "chemistry|chem|organic chemistry|orgo|o chem|ochem|biochem|biochemistry", "Chemistry"
    ),
    **_spelled("biology|bio|microbiology|microbio|genetics", "Biology"),
    **_spelled("anatomy|physiology|anatomy and physiology", "Anatomy and Physiology"),
    **_spelled("physics|phys|mechanics", "Physics"),
    **_spelled("psychology|psych|psyc", "Psychology"),
    **_spelled(
        "english|engl|essay|essays|writing|english comp|composition|grammar|reading", "English"
    ),
    **_spelled("esl|english as a second language", "ESL"),
    **_spelled("spanish|espanol|ingles", "Spanish"),
    **_spelled("french", "French"),
    **_spelled("german", "German"),
    **_spelled("chinese|mandarin|cantonese", "Chinese"),
    **_spelled("japanese", "Japanese"),
    **_spelled("korean", "Korean"),
    **_spelled("italian", "Italian"),
    **_spelled("tagalog|filipino", "Filipino"),
    **_spelled("history|us history|world history", "History"),
    **_spelled("art history", "Art History"),
    **_spelled("art|drawing|painting", "Art"),
    **_spelled("music|music theory|piano|guitar", "Music"),
    **_spelled("economics|econ|microeconomics|macroeconomics|micro|macro", "Economics"),
    **_spelled("accounting|acct|bookkeeping", "Accounting"),
    **_spelled("business|marketing|finance", "Business"),
    **_spelled("sociology|soc", "Sociology"),
    **_spelled("philosophy|ethics", "Philosophy"),
    **_spelled("political science|poli sci|polisci|government", "Political Science"),
    **_spelled("anthropology|anthro", "Anthropology"),
    **_spelled("geography|geology", "Geography"),
    **_spelled("nursing|pharmacology", "Nursing"),
    **_spelled("algebra|precalc|precalculus|pre calc|trig|trigonometry|geometry", "Algebra"),
    **_spelled("astronomy", "Astronomy"),
    **_spelled("photography|film", "Photography"),
    **_spelled("communication|public speaking|speech", "Communication"),
    **_spelled("excel|microsoft office|word processing", "Microsoft Office"),
    **_spelled("r programming|matlab", "MATLAB"),
    **_spelled("swift|ios|android|kotlin|rust|golang|ruby|php|c sharp|csharp|c#", "Programming"),
    **_spelled("programming|coding|computer science|comp sci|compsci", "Programming"),
    **_spelled("python|python3|python 3|py", "Python"),
    **_spelled("java", "Java"),
    **_spelled("javascript|js|typescript|node|nodejs|react", "JavaScript"),
    **_spelled("c++|cpp|c plus plus", "C++"),
    **_spelled("sql|mysql|database|databases|postgres", "SQL"),
    **_spelled("linux|unix|bash|shell scripting", "Linux"),
    **_spelled("html|css|web dev|web development|web design", "Web Development"),
    **_spelled("data structures|algorithms|dsa", "Data Structures"),
    **_spelled("assembly|mips|computer architecture", "Assembly"),
    **_spelled("networking|networks|cisco", "Networking"),
    **_spelled("cybersecurity|cyber security|security|infosec", "Cybersecurity"),
    **_spelled("calculus|calc|calc 1|calc 2|calc 3|derivatives|integrals", "Calculus"),
    **_spelled("statistics|stats|stat|probability", "Statistics"),
    **_spelled("discrete math|discrete|discrete mathematics", "Discrete Math"),
    **_spelled("linear algebra|differential equations|diff eq", "Linear Algebra"),
    **_spelled("math|maths|mathematics", "Math"),
}
