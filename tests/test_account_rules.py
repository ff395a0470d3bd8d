"""The rules of one's own account and of roles, asked of the services the views call."""

from __future__ import annotations

import pytest
from helpers import PASSWORD
from sqlalchemy import select

from quizapp.account.services import (
    AccountInUse,
    WrongPassword,
    change_password,
    change_role,
    delete_account,
    delete_own_account,
)
from quizapp.models import Role, User


def test_a_password_changes_only_given_the_current_one(db, make_user):
    user = make_user("ada")
    version = user.session_version
    with pytest.raises(WrongPassword):
        change_password(user, "not-" + PASSWORD, "a new long secret")
    assert user.check_password(PASSWORD) and user.session_version == version
    change_password(user, PASSWORD, "a new long secret")
    db.session.commit()
    assert user.check_password("a new long secret") and user.session_version == version + 1


def test_one_s_own_account_is_deleted_only_given_its_password(db, make_user):
    user = make_user("ada")
    with pytest.raises(WrongPassword):
        delete_own_account(user, "not-" + PASSWORD)
    db.session.rollback()
    assert db.session.scalar(select(User.id).where(User.username == "ada")) is not None
    delete_own_account(user, PASSWORD)
    db.session.commit()
    assert db.session.scalar(select(User.id).where(User.username == "ada")) is None


def test_the_last_administrator_keeps_the_role_and_the_account(db, make_user):
    admin = make_user("root", role="admin")
    with pytest.raises(AccountInUse):
        change_role(admin, Role.teacher)
    with pytest.raises(AccountInUse):
        delete_account(admin)
    db.session.rollback()
    assert db.session.get(User, admin.id).role == Role.admin
    # With a second administrator, either may step down.
    other = make_user("root2", role="admin")
    change_role(admin, Role.teacher)
    db.session.commit()
    assert admin.role == Role.teacher
    with pytest.raises(AccountInUse):
        delete_account(other)
