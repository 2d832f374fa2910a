"""A minimal OpenID Connect provider on loopback, for the single sign-on tests.

Authorization code flow with PKCE: discovery, authorize (consents at once,
for whoever the test put in ``next_person``), token (an RS256 ID token signed
with a key made for the test run), userinfo and the JWKS. It checks what a
real provider checks (client secret, redirect URI, code verifier, one use per
code), so a mistake on our side fails the sign-in as it would in production.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "breachdesk-test"
CLIENT_SECRET = "test-client-secret"
KEY_ID = "test-key-1"


class Provider:
    """The provider's state: its key, the person who signs in next, codes and tokens issued."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.next_person: dict = {}
        # Lets a test send an ID token for another client, to see it refused.
        self.audience = CLIENT_ID
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def settings(self) -> dict:
        """BreachDesk's OIDC_* settings for this provider."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_ISSUER": self.url,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    def id_token(self, person: dict, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": person["sub"],
            "aud": self.audience,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
        }
        if "amr" in person:
            claims["amr"] = person["amr"]
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def _json(self, body: dict, status: int = 200):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                return self._json(
                    {
                        "issuer": provider.url,
                        "authorization_endpoint": f"{provider.url}/authorize",
                        "token_endpoint": f"{provider.url}/token",
                        "userinfo_endpoint": f"{provider.url}/userinfo",
                        "jwks_uri": f"{provider.url}/jwks",
                        "response_types_supported": ["code"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "code_challenge_methods_supported": ["S256"],
                    }
                )
            if parts.path == "/jwks":
                return self._json(provider.jwks())
            if parts.path == "/authorize":
                return self._authorize(query)
            if parts.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                person = provider.access_tokens.get(token)
                if person is None:
                    return self._json({"error": "invalid_token"}, 401)
                return self._json({key: value for key, value in person.items() if key != "amr"})
            return self._json({"error": "not_found"}, 404)

        def _authorize(self, query):
            if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                return self._json({"error": "unauthorized_client"}, 400)
            code = secrets.token_urlsafe(16)
            provider.codes[code] = {
                "person": dict(provider.next_person),
                "nonce": query.get("nonce", ""),
                "redirect_uri": query["redirect_uri"],
                "challenge": query.get("code_challenge"),
            }
            location = (
                f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            )
            self.send_response(302)
            self.send_header("Location", location)
            self.end_headers()

        def do_POST(self):
            if urlsplit(self.path).path != "/token":
                return self._json({"error": "not_found"}, 404)
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            grant = provider.codes.pop(form.get("code", ""), None)
            if (
                grant is None
                or form.get("client_id") != CLIENT_ID
                or form.get("client_secret") != CLIENT_SECRET
                or form.get("redirect_uri") != grant["redirect_uri"]
            ):
                return self._json({"error": "invalid_grant"}, 400)
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if challenge != grant["challenge"]:
                return self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
            access_token = secrets.token_urlsafe(16)
            provider.access_tokens[access_token] = grant["person"]
            return self._json(
                {
                    "access_token": access_token,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": provider.id_token(grant["person"], grant["nonce"]),
                }
            )

    return Handler
