"""HTTP security headers, set by Flask-Talisman: a strict Content-Security-Policy, no framing,
no MIME sniffing, no referrer outside the site, and HSTS once the site is served over HTTPS.

Nothing inline may run or style a page: scripts and styles are files under static/. The one
exception is the `<style>` element that pygal puts in its charts, which carries this request's
nonce (see `csp_nonced`); a nonce does not allow anything an attacker could inject.
"""

from __future__ import annotations

import os

from flask import Flask, request
from flask_talisman import Talisman
from markupsafe import Markup

SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "default-src": SELF,
    "script-src": SELF,
    "style-src": SELF,
    "img-src": SELF,
    "font-src": SELF,
    "connect-src": SELF,
    "form-action": SELF,
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}

talisman = Talisman()


def csp_nonced(svg: Markup | str) -> Markup:
    """Give the `<style>` elements of a server-made SVG this request's CSP nonce."""
    nonce = getattr(request, "csp_nonce", "")
    return Markup(str(svg).replace("<style", f'<style nonce="{nonce}"'))


def init_app(app: Flask) -> None:
    secure = app.config.get(
        "SESSION_COOKIE_SECURE", os.environ.get("QUIZAPP_SECURE_COOKIES", "0") == "1"
    )
    talisman.init_app(
        app,
        # Redirecting to HTTPS is the reverse proxy's job (a classroom LAN may have none).
        force_https=False,
        session_cookie_secure=secure,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        # Talisman sends HSTS only on HTTPS requests (directly, or through ProxyFix).
        strict_transport_security=secure,
        strict_transport_security_include_subdomains=False,
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["style-src"],
        referrer_policy="same-origin",
        x_content_type_options=True,
    )
    app.jinja_env.filters["csp_nonced"] = csp_nonced
