"""One StrEnum per closed list of values: the file format, the database's CHECK constraints and
the code all read the same members."""

from __future__ import annotations

import re
from typing import get_args

import pytest

from quizapp import enums
from quizapp.bank.schema import Settings
from quizapp.extensions import db
from quizapp.qtypes import QUESTION_TYPES


def test_the_file_format_accepts_exactly_the_enumerated_values():
    assert set(get_args(Settings.model_fields["feedback"].annotation)) == set(enums.FeedbackMode)
    assert set(get_args(Settings.model_fields["visibility"].annotation)) == set(enums.SetVisibility)


CHECKED = {
    ("user", "role_known"): enums.Role,
    ("question_set", "status_known"): enums.SetStatus,
    ("attempt", "state_known"): enums.AttemptState,
    ("assignment", "late_policy_known"): enums.LatePolicy,
    ("assignment", "feedback_known"): enums.FeedbackMode,
    ("assignment", "score_rule_known"): enums.ScoreRule,
    ("assignment", "kind_known"): enums.AssignmentKind,
    ("live_session", "state_known"): enums.LiveState,
    ("live_session", "names_known"): enums.LeaderboardNames,
    ("question", "type_known"): QUESTION_TYPES,
}


@pytest.mark.parametrize(("table", "name"), sorted(CHECKED))
def test_each_check_constraint_lists_its_enumeration(table, name):
    import quizapp.models  # noqa: F401  (registers the tables)

    constraint = next(
        c
        for c in db.metadata.tables[table].constraints
        if getattr(c, "name", "") and str(c.name).endswith(name)
    )
    listed = re.findall(r"'([^']+)'", str(constraint.sqltext))
    assert listed == [str(value) for value in CHECKED[(table, name)]]
