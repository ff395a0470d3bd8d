"""Every route declares its access rule; an undeclared one would be refused by default."""

from __future__ import annotations

from quizapp import access


def test_every_endpoint_has_an_access_rule(app):
    missing = [
        rule.endpoint for rule in app.url_map.iter_rules() if access.rule_of(rule.endpoint) is None
    ]
    assert missing == []


def test_a_view_without_a_rule_is_refused(app, client):
    app.add_url_rule("/forgotten", "forgotten", lambda: "open")
    assert client.get("/forgotten").status_code == 403


def test_logged_in_pages_redirect_anonymous_visitors_to_login(client):
    response = client.get("/quizzes")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
