from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as HTTPResponse

from .. import access
from ..extensions import db
from . import services
from .forms import DeleteForm, LanguageForm, PasswordForm

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(status: int = 200, **forms: object) -> tuple[str, int]:
    context = {
        "password_form": PasswordForm(formdata=None, prefix="pw"),
        "language_form": LanguageForm(
            formdata=None, locale=current_user.locale or "", prefix="lang"
        ),
        "delete_form": DeleteForm(formdata=None, prefix="delete"),
    }
    context.update(forms)
    return render_template("account/index.html", **context), status


@bp.route("/")
@access.logged_in
def index() -> tuple[str, int]:
    return _page()


@bp.route("/password", methods=["POST"])
@access.logged_in
def password() -> HTTPResponse | tuple[str, int]:
    form = PasswordForm(prefix="pw")
    if form.validate():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.WrongPassword as error:
            form.current.errors = [str(error)]
        else:
            db.session.commit()
            # This session gets the new version in its cookie; the others end.
            login_user(current_user._get_current_object())
            flash(_("Password changed. Your other sessions are logged out."), "success")
            return redirect(url_for("account.index"))
    return _page(422, password_form=form)


@bp.route("/language", methods=["POST"])
@access.logged_in
def language() -> HTTPResponse | tuple[str, int]:
    form = LanguageForm(prefix="lang")
    if not form.validate():
        return _page(422, language_form=form)
    current_user.locale = form.locale.data or None
    db.session.commit()
    session.pop("lang", None)  # the account's choice now decides, not an earlier ?lang=
    return redirect(url_for("account.index"))


@bp.route("/export.json")
@access.logged_in
def export() -> Response:
    body = json.dumps(services.export(current_user), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="quizapp-{current_user.username}.json"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/delete", methods=["POST"])
@access.logged_in
def delete() -> HTTPResponse | tuple[str, int]:
    form = DeleteForm(prefix="delete")
    if form.validate():
        try:
            services.delete_own_account(current_user._get_current_object(), form.password.data)
        except (services.WrongPassword, services.AccountInUse) as error:
            db.session.rollback()
            form.password.errors = [str(error)]
        else:
            db.session.commit()
            logout_user()
            flash(_("Your account and all its data are deleted."), "info")
            return redirect(url_for("main.index"))
    return _page(422, delete_form=form)
