"""Who may do what to a class and its students, asked of the services the views call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import PASSWORD, assign

from quizapp.classes.accounts import managed_student, new_cards, reset_card
from quizapp.classes.assignments import assignable_set, class_assignment, member_assignment
from quizapp.classes.classrooms import archive, create_classroom, managed_classrooms, may_manage
from quizapp.classes.join import join, may_join
from quizapp.models import Role, utcnow


@pytest.fixture
def rooms(db, make_user):
    """A teacher, their class, and another teacher's class."""
    teacher = make_user("teach", role="teacher")
    mine = create_classroom(teacher, "2nde B", "Europe/Paris")
    theirs = create_classroom(make_user("other", role="teacher"), "1re A", "Europe/Paris")
    db.session.commit()
    return teacher, mine, theirs


def test_a_class_is_run_by_its_teacher_and_any_admin(db, rooms, make_user):
    teacher, classroom, other_classroom = rooms
    admin = make_user("root", role="admin")
    assert may_manage(teacher, classroom) and not may_manage(teacher, other_classroom)
    assert may_manage(admin, other_classroom)
    assert not may_manage(make_user("pupil"), classroom)
    assert [c.id for c in managed_classrooms(teacher)] == [classroom.id]
    assert {c.id for c in managed_classrooms(admin)} == {classroom.id, other_classroom.id}


def test_only_students_join_classes(make_user):
    assert may_join(make_user("pupil"))
    assert not may_join(make_user("t", role="teacher"))
    assert not may_join(make_user("a", role="admin"))


def test_a_teacher_manages_only_the_students_of_their_class(db, rooms, make_user):
    _teacher, classroom, other_classroom = rooms
    pupil = join(classroom, make_user("pupil"), "Ada L.")
    elsewhere = join(other_classroom, make_user("away"), "Alan T.")
    promoted = join(classroom, make_user("later"), "Grace H.")
    db.session.commit()
    # A membership left behind by a role change: the class's teacher may not reset a
    # teacher's password, nor lift their lock.
    promoted.user.role = Role.teacher.value
    db.session.commit()
    assert managed_student(classroom, pupil.id) == pupil
    assert managed_student(classroom, elsewhere.id) is None
    assert managed_student(classroom, promoted.id) is None
    assert managed_student(classroom, 10_000) is None


def test_a_reset_card_carries_a_new_password_and_ends_sessions(db, rooms, make_user):
    classroom = rooms[1]
    membership = join(classroom, make_user("pupil"), "Ada L.")
    db.session.commit()
    version = membership.user.session_version
    card = reset_card(membership)
    db.session.commit()
    assert (card.display_name, card.username) == ("Ada L.", "pupil")
    assert membership.user.check_password(card.password)
    assert not membership.user.check_password(PASSWORD)
    assert membership.user.session_version == version + 1


def test_new_cards_go_to_the_students_of_the_class_only(db, rooms, make_user):
    _teacher, classroom, other_classroom = rooms
    students = [join(classroom, make_user(f"s{i}"), f"Student {i}") for i in range(2)]
    promoted = join(classroom, make_user("later"), "Grace H.")
    elsewhere = join(other_classroom, make_user("away"), "Alan T.")
    db.session.commit()
    promoted.user.role = Role.teacher.value
    db.session.commit()
    untouched = {m.user_id: m.user.password_hash for m in (promoted, elsewhere)}
    cards = new_cards(classroom)
    db.session.commit()
    assert sorted(card.username for card in cards) == ["s0", "s1"]
    for membership, card in zip(
        sorted(students, key=lambda m: m.user.username),
        sorted(cards, key=lambda c: c.username),
        strict=True,
    ):
        assert membership.user.check_password(card.password)
    assert {m.user_id: m.user.password_hash for m in (promoted, elsewhere)} == untouched


def test_only_active_sets_are_assignable(db, make_set, make_user):
    question_set = make_set()
    teacher = make_user(role="teacher")
    assert assignable_set(question_set.id, teacher) == question_set
    question_set.status = "retired"
    db.session.commit()
    assert assignable_set(question_set.id, teacher) is None
    assert assignable_set(10_000, teacher) is None


def test_an_assignment_is_seen_by_its_class_and_its_students(db, rooms, make_set, make_user):
    _teacher, classroom, other_classroom = rooms
    now = utcnow()
    question_set = make_set()
    assignment = assign(db, classroom, question_set, now, now + timedelta(days=1))
    student = make_user("pupil")
    join(classroom, student, "Ada L.")
    db.session.commit()
    assert class_assignment(classroom, assignment.id) == assignment
    assert class_assignment(other_classroom, assignment.id) is None
    assert class_assignment(classroom, 10_000) is None
    assert member_assignment(student, assignment.id) == assignment
    assert member_assignment(make_user("stranger"), assignment.id) is None
    assert member_assignment(student, 10_000) is None
    archive(classroom)
    db.session.commit()
    assert member_assignment(student, assignment.id) is None
