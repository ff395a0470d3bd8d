"""A laptop on a classroom LAN: join links, QR codes and login cards carry the address students
use (QUIZAPP_PUBLIC_URL) even when the teacher browses the laptop as 127.0.0.1."""

from __future__ import annotations

import io
import re

import pytest
import segno
from helpers import PASSWORD

from quizapp import create_app
from quizapp.config import TestConfig
from quizapp.extensions import db


@pytest.fixture
def lan_app(tmp_path):
    config = type(
        "Config",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'lan.sqlite3'}",
            "PUBLIC_URL": "http://192.168.1.20:5000",
        },
    )
    app = create_app(config)
    with app.app_context():
        db.create_all()
        from quizapp.auth.services import create_user
        from quizapp.classes.classrooms import create_classroom

        teacher = create_user("marie", PASSWORD, role="teacher")
        classroom = create_classroom(teacher, "CM2", "Europe/Paris")
        db.session.commit()
        app.config["CLASS"] = (classroom.id, classroom.join_code)
        yield app
        db.engine.dispose()


def qr_modules(svg: bytes | str) -> str:
    """The drawn modules of a segno SVG (its path), whatever its title."""
    text = svg.decode() if isinstance(svg, bytes) else svg
    return re.search(r'class="qrline"[^>]* d="([^"]+)"', text).group(1)


def test_join_link_qr_code_and_cards_use_the_public_address(lan_app):
    classroom_id, code = lan_app.config["CLASS"]
    client = lan_app.test_client()
    login = {"username": "marie", "password": PASSWORD}
    assert (
        client.post("/auth/login", data=login, base_url="http://127.0.0.1:5000").status_code == 302
    )
    page = client.get(f"/classes/{classroom_id}", base_url="http://127.0.0.1:5000")
    expected = f"http://192.168.1.20:5000/join/{code}"
    assert f'<a href="{expected}">{expected}</a>' in page.get_data(as_text=True)
    assert "127.0.0.1" not in page.get_data(as_text=True)
    qr = client.get(f"/classes/{classroom_id}/qr.svg", base_url="http://127.0.0.1:5000")
    drawn = io.BytesIO()
    segno.make(expected, error="m").save(drawn, kind="svg", scale=8, border=2)
    assert qr_modules(qr.data) == qr_modules(drawn.getvalue())
    cards = client.post(
        f"/classes/{classroom_id}/roster",
        data={"names": "Léa Martin"},
        base_url="http://127.0.0.1:5000",
    )
    assert "http://192.168.1.20:5000/auth/login" in cards.get_data(as_text=True)


@pytest.mark.parametrize("url", ["192.168.1.20:5000", "ftp://host", "http://host/quiz", "http://"])
def test_a_malformed_public_url_stops_the_app_with_an_example(url, tmp_path):
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", "PUBLIC_URL": url}
    with pytest.raises(SystemExit) as stopped:
        create_app({**config, "TESTING": True, "SECRET_KEY": "x"})
    assert "QUIZAPP_PUBLIC_URL must be" in str(stopped.value)
    assert "http://192.168.1.20:5000" in str(stopped.value)
