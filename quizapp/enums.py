"""The closed lists of values the app stores and compares: one StrEnum each, used everywhere
instead of string literals. Pure (no Flask, no SQLAlchemy): the bank and the models share them.

A StrEnum member is its value (`FeedbackMode.never == "never"`), so stored strings, JSON
settings and form data compare with them directly.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    student = "student"
    teacher = "teacher"
    admin = "admin"


class SetStatus(enum.StrEnum):
    active = "active"
    retired = "retired"  # its file is gone: kept for the attempts that used it


class SetVisibility(enum.StrEnum):
    public = "public"  # in every student's catalogue
    assigned = "assigned"  # only through assignments


class FeedbackMode(enum.StrEnum):
    immediate = "immediate"
    after_submit = "after_submit"
    after_due = "after_due"
    never = "never"


class AttemptState(enum.StrEnum):
    in_progress = "in_progress"
    submitted = "submitted"
    graded = "graded"
    expired = "expired"


class LatePolicy(enum.StrEnum):
    refuse = "refuse"
    accept = "accept"
    penalty = "penalty"


class ScoreRule(enum.StrEnum):
    best = "best"
    last = "last"
    average = "average"


class TallyKind(enum.StrEnum):
    """What an item's answer tally (`ItemTally`) counts."""

    choice = "choice"  # a choice picked (its original index; true/false: 1 or 0)
    place = "place"  # an order item at a place, a match pair
    wrong = "wrong"  # a typed answer (normalised) that was not right
    seconds = "seconds"  # a time bucket (lower bound, seconds) of the time spent


class MarkState(enum.StrEnum):
    """How feedback marks one choice, pair or item of an answer (icon and words, never colour)."""

    right = "right"  # chosen (or placed) and right
    wrong = "wrong"  # chosen (or placed) and wrong
    missed = "missed"  # right, but not chosen (or left blank)


class Theme(enum.StrEnum):
    """A person's colour scheme; `auto` follows the device (`prefers-color-scheme`)."""

    auto = "auto"
    light = "light"
    dark = "dark"


class AssignmentKind(enum.StrEnum):
    regular = "regular"  # set by a teacher, taken at each student's pace
    live = "live"  # the scores of a live session, entered once when it ends


class LiveState(enum.StrEnum):
    lobby = "lobby"  # players join; no question shown yet
    question = "question"  # a question is open (or paused) until its deadline
    reveal = "reveal"  # the question is closed: distribution, key, leaderboard
    finished = "finished"  # the podium; the PIN no longer works


class LeaderboardNames(enum.StrEnum):
    shown = "shown"  # nicknames or class names on the projector
    hidden = "hidden"  # ranks and points only: each player sees their own rank on their phone


def sql_list(values: type[enum.StrEnum] | tuple[str, ...]) -> str:
    """`'a', 'b', 'c'`: the values for a CHECK constraint's IN list."""
    return ", ".join(f"'{value}'" for value in values)


class ExchangeFormat(enum.StrEnum):
    """The files questions come in from and go out to (quizapp/interop/)."""

    gift = "gift"
    moodle_xml = "moodle-xml"
    qti = "qti"


class MoodleKind(enum.StrEnum):
    """Moodle's question types that an exchange file may hold (GIFT and Moodle XML)."""

    multichoice = "multichoice"
    truefalse = "truefalse"
    shortanswer = "shortanswer"
    numerical = "numerical"
    matching = "matching"
    ordering = "ordering"
    essay = "essay"
    description = "description"
    category = "category"
