"""Administrators: accounts and their roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response as HTTPResponse
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from .. import access
from ..account.services import AccountInUse, change_role
from ..extensions import db
from ..models import Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")
MAX_PAGE = 2**31 // 50


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Role.student.value, _l("student")),
            SelectChoice(Role.teacher.value, _l("teacher")),
            SelectChoice(Role.admin.value, _l("administrator")),
        ],
    )


@bp.route("/users")
@access.roles(Role.admin)
def users() -> str:
    search = (request.args.get("q") or "").strip()
    query = select(User).order_by(User.role, User.username)
    if search:
        pattern = f"%{search.casefold()}%"
        query = query.where(
            func.lower(User.username).like(pattern) | func.lower(User.display_name).like(pattern)
        )
    # Past the last page is an empty page; a number beyond any offset either database can
    # hold must not reach it.
    number = request.args.get("page", 1, type=int)
    if not 1 <= number <= MAX_PAGE:
        abort(404)
    page = db.paginate(query, page=number, per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, search=search, form=RoleForm())


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@access.roles(Role.admin)
def set_role(user_id: int) -> HTTPResponse:
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate():
        abort(400)
    try:
        change_role(user, Role(form.role.data))
    except AccountInUse as error:
        flash(str(error), "error")
        return redirect(url_for("admin.users"))
    db.session.commit()
    label = {c.value: c.label for c in form.role.choices}[form.role.data]
    flash(_("%(name)s is now %(role)s.", name=user.display_name, role=label), "success")
    return redirect(url_for("admin.users", q=request.args.get("q") or None))
