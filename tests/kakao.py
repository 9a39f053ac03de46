"""A stand-in for Kakao's OAuth endpoints on loopback: authorize, token and user info.

It answers as Kakao does (https://developers.kakao.com/docs/latest/en/kakaologin/rest-api):
the authorize page sends the browser back to ``redirect_uri`` with a code and the
state; the token endpoint trades the code for an access token (checking the client's
id and secret); the user-info endpoint returns the account for that token. Tests set
``profile`` to the Kakao account the next log-in brings.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "baro-test-kakao-client"
CLIENT_SECRET = "baro-test-kakao-secret"


class KakaoStandIn:
    def __init__(self) -> None:
        self.profile: dict = {}
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.requests: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                stand_in.requests.append(f"GET {url.path}")
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/oauth/authorize":
                    if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    stand_in.codes[code] = dict(stand_in.profile)
                    back = {"code": code, "state": query.get("state", "")}
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{urlencode(back)}")
                    self.end_headers()
                    return None
                if url.path == "/v2/user/me":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in stand_in.tokens:
                        return self._json(401, {"msg": "this access token does not exist"})
                    return self._json(200, stand_in.tokens[token])
                return self._json(404, {"error": "not found"})

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                stand_in.requests.append(f"POST {url.path}")
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if url.path != "/oauth/token":
                    return self._json(404, {"error": "not found"})
                if (
                    form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or form.get("grant_type") != "authorization_code"
                    or form.get("code") not in stand_in.codes
                ):
                    return self._json(400, {"error": "invalid_grant"})
                token = secrets.token_urlsafe(16)
                stand_in.tokens[token] = stand_in.codes.pop(form["code"])
                return self._json(
                    200, {"access_token": token, "token_type": "bearer", "expires_in": 21599}
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def account(
        self, *, kakao_id: int, nickname: str, email: str | None, verified: bool = True
    ) -> None:
        """What the next log-in's user-info answer says about the shopper."""
        kakao_account: dict = {"profile": {"nickname": nickname}}
        if email is not None:
            kakao_account.update(email=email, is_email_verified=verified, is_email_valid=True)
        self.profile = {"id": kakao_id, "kakao_account": kakao_account}

    def __enter__(self) -> KakaoStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def configure(settings, stand_in: KakaoStandIn) -> None:
    """Point the shop's Kakao settings at ``stand_in`` (pytest-django's ``settings``)."""
    settings.KAKAO_CLIENT_ID = CLIENT_ID
    settings.KAKAO_CLIENT_SECRET = CLIENT_SECRET
    settings.KAKAO_AUTHORIZE_URL = f"{stand_in.url}/oauth/authorize"
    settings.KAKAO_TOKEN_URL = f"{stand_in.url}/oauth/token"
    settings.KAKAO_PROFILE_URL = f"{stand_in.url}/v2/user/me"
    # The log-in form's redirect goes on to the stand-in: the policy's form-action must say so.
    policy = settings.CONTENT_SECURITY_POLICY
    directives = {**policy["DIRECTIVES"]}
    directives["form-action"] = [*directives["form-action"], stand_in.url]
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    settings.SOCIALACCOUNT_PROVIDERS = {
        "kakao": {
            **settings.SOCIALACCOUNT_PROVIDERS["kakao"],
            "APPS": [{"client_id": CLIENT_ID, "secret": CLIENT_SECRET}],
        }
    }
