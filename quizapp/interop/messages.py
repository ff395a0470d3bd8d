"""The messages of imports and exports, as templates in the interface's catalogue.

Losses are written in `qtypes/exchange.py` (which cannot import the bank) and listed here so that
pybabel extracts them; `tests/test_interop.py` checks that each one still matches.
"""

from __future__ import annotations

from ..bank.messages import N_

# Reading the files.
TOO_LARGE = N_("the file is larger than %(size)s MB")
NOT_UTF8 = N_("the file is not UTF-8 text")
UNKNOWN_FORMAT = N_("cannot tell the format: expected GIFT or Moodle XML")
UNCLOSED_BRACE = N_("a `{` is never closed: end the answers with `}`")
STRAY_CLOSE = N_("a `}` without its `{`: write `\\}` for a brace in the text")
NESTED_BRACE = N_("a `{` inside the answers: close the first one, or write `\\{`")
SECOND_BLOCK = N_("a second answer block: separate questions with a blank line")
UNCLOSED_TITLE = N_("a title opened with `::` is never closed")
STRAY_EQUALS = N_("a stray `%(mark)s`: an answer with no text")
TEXT_BEFORE_ANSWER = N_("text before the first answer: start each answer with `=` or `~`")
BAD_WEIGHT = N_("an answer weight is written %%50%%: found %(weight)s")
BAD_NUMBER = N_("not a number: %(text)s")
BAD_MATCH = N_("every answer of a matching question is `=left -> right`")
NOT_XML = N_("not well-formed XML: %(problem)s")
XML_FORBIDDEN = N_("the XML declares entities or a DTD, which are refused")
NOT_MOODLE_XML = N_("not Moodle XML: the root element is %(tag)s, not quiz")
NO_QUESTIONS = N_("no question could be converted; the first: %(problem)s")
EMPTY = N_("the file holds no question")

# Skipped or approximated questions.
SKIPPED_KIND = N_("skipped: a %(kind)s question has no quizapp type")
SKIPPED_DESCRIPTION = N_("skipped: a description (text without answers)")
SKIPPED_ESSAY = N_("skipped: an essay question cannot be graded automatically")
SKIPPED_NO_KEY = N_("skipped: no fully right answer")
SKIPPED_INVALID = N_("skipped: %(problem)s")
HTML_DROPPED = N_("HTML removed: %(tags)s")
NO_EXPLANATION = N_("no general feedback: students see no explanation")
MISSING_WORD = N_("the answers stood inside the text: the blank is shown as _____")
GIFT_POINTS = N_("GIFT has no points: Moodle gives this question its default mark, not %(points)s")
EXTRA_FEEDBACK = N_("the quote and the dated note go out as general feedback")

# From qtypes/exchange.py (what a question type cannot carry over).
N_("partial credit on wrong choices is lost: a single-choice question scores 0 or 1")
N_(
    "the answer weights are approximated: each right choice adds and each wrong choice takes "
    "away 1/%(count)s of the points"
)
N_("per-answer feedback is added to the explanation")
N_("partially right answers are dropped: %(answers)s")
N_("answers worth nothing are dropped, with their feedback: %(answers)s")
N_("the answers are case-sensitive in the source; quizapp ignores case")
N_("only the first fully right number is kept: %(answers)s dropped")
N_("other units are dropped: %(units)s")
N_("right sides without a left side (distractors) are dropped: %(answers)s")
N_(
    "GIFT has no ordering question: written as a matching question (each item to its position), "
    "which Moodle grades per position"
)
N_("GIFT has no units: the unit %(unit)s is added to the prompt")
N_("forgiven typing slips (typos: %(count)s) cannot be expressed")
N_("the accepted pattern (accept_regex) cannot be expressed")
N_(
    "Moodle grades this ordering question by %(method)s; quizapp by the share of pairs of items "
    "put in the right order"
)
N_("Moodle shows only some of the items (%(method)s); quizapp shows them all")
N_("QTI's standard response processing grades the order all or nothing")
N_("a QTI player compares the answer ignoring case only, not accents, punctuation or spacing")
N_("the weight %(percent)s%% is not one Moodle offers; Moodle may round it")
