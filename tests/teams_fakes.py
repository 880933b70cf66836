"""Local stand-ins for the Microsoft clouds the Teams channel talks to, on 127.0.0.1:0.

`FakeMicrosoft` answers, with the documented payload shapes:
- GET  /keys/<instance>: the Bot Framework signing keys (JWKS) — holding a test RSA key, with a
  key id derived from the key, as Microsoft gives each signing key its own;
- POST /{tenant}/oauth2/v2.0/token: the Entra client-credentials grant, with the app secret or
  a client assertion signed with the key of a certificate in `certificates`;
- POST /v3/conversations: the Bot Connector's create conversation (a personal chat: the answer
  is {"id": "a:personal-<user id>"}; `refuse_personal_chats` makes it 403);
- POST /v3/conversations/{id}/activities[/{reply to id}]: the Bot Connector's send/reply;
- GET  /v3/conversations/{id}/members/{user id}: the Teams roster (email, UPN).
Everything it receives is recorded for the tests to assert on.

`mint_token` signs a Bot Framework channel token (iss https://api.botframework.com, aud = the
bot's app id, serviceurl claim) with the test key, so the SDK's real JWT validation runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.client_assertion import assertion_refusal

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
CONNECTOR_TOKEN = "fake-connector-token"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_id(key: rsa.RSAPrivateKey) -> str:
    """The key's own id (`kid`): a digest of its public modulus, so two test keys never share one."""
    modulus = key.public_key().public_numbers().n
    return "test-" + hashlib.sha256(modulus.to_bytes(256, "big")).hexdigest()[:16]


def mint_token(key: rsa.RSAPrivateKey, audience: str, service_url: str | None, *,
               issuer: str = BOT_FRAMEWORK_ISSUER, lifetime_s: int = 600, kid: str | None = None) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {"iss": issuer, "aud": audience, "nbf": now - 5, "iat": now - 5, "exp": now + lifetime_s}
    if service_url:
        claims["serviceurl"] = service_url
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid or key_id(key)})


class LoopbackServer:
    """An aiohttp app served on 127.0.0.1:<ephemeral> from its own thread and event loop."""

    def __init__(self, app: web.Application) -> None:
        self._app = app
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-microsoft", daemon=True)
        self.port = 0

    def start(self) -> str:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        return f"http://127.0.0.1:{self.port}"

    async def _listen(self) -> None:
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeMicrosoft:
    key: rsa.RSAPrivateKey
    app_id: str
    app_secret: str
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> roster entry
    refuse_conversations: set[str] = field(default_factory=set)  # answer 403 (bot removed)
    refuse_personal_chats: bool = False  # create conversation answers 403 (app not installed for the user)
    certificates: list[Any] = field(default_factory=list)  # x509 certificates uploaded to the app registration
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""
    instance: str = field(default_factory=lambda: uuid.uuid4().hex)
    _server: LoopbackServer | None = None

    def start(self) -> str:
        app = web.Application()
        app.router.add_get("/keys/{instance}", self._keys)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._activity)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self._server = LoopbackServer(app)
        self.url = self._server.start()
        return self.url

    @property
    def jwks_url(self) -> str:
        """Where this instance serves its signing keys. The SDK keeps one JWKS client (and its
        cached key set) per URL for the life of the process, and a later fake can be given the
        port an earlier one had, so the path names the instance too."""
        return f"{self.url}/keys/{self.instance}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    def posted(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path.startswith("/v3/")]

    def token_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/oauth2/v2.0/token")]

    async def _record(self, request: web.Request, body: Any) -> None:
        self.requests.append(Recorded(request.method, request.path, dict(request.headers), body))

    async def _keys(self, request: web.Request) -> web.Response:
        await self._record(request, None)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": key_id(self.key), "use": "sig", "alg": "RS256", "endorsements": ["msteams"]})
        return web.json_response({"keys": [jwk]})

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        await self._record(request, {k: ("***" if k == "client_secret" else v) for k, v in form.items()})
        if form.get("client_id") != self.app_id:
            return web.json_response({"error": "unauthorized_client", "error_description": "AADSTS700016"}, status=400)
        if "client_assertion" in form:
            refusal = assertion_refusal(form, self.certificates, self.app_id, str(request.url))
            if refusal is not None:
                return web.json_response({"error": "invalid_client", "error_description": refusal}, status=401)
        elif form.get("client_secret") != self.app_secret:
            return web.json_response({"error": "invalid_client", "error_description": "AADSTS7000215"}, status=401)
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": CONNECTOR_TOKEN})

    async def _activity(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._record(request, body)
        if request.headers.get("Authorization") != f"Bearer {CONNECTOR_TOKEN}":
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        if request.match_info["conversation"] in self.refuse_conversations:
            return web.json_response({"error": {"code": "BotNotInConversationRoster"}}, status=403)
        return web.json_response({"id": f"1700000000{len(self.posted()):03d}"}, status=201)

    @staticmethod
    def personal_chat(user_id: str) -> str:
        """The id create conversation gives the personal chat of the bot with `user_id`."""
        return f"a:personal-{user_id}"

    def created(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == "/v3/conversations"]

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._record(request, body)
        if request.headers.get("Authorization") != f"Bearer {CONNECTOR_TOKEN}":
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        members = body.get("members") or []
        if self.refuse_personal_chats:
            return web.json_response({"error": {"code": "Forbidden", "message": "Bot is not installed in user's "
                                                "personal scope"}}, status=403)
        if body.get("isGroup") or len(members) != 1 or not (body.get("bot") or {}).get("id"):
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        return web.json_response({"id": self.personal_chat(members[0]["id"])}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        await self._record(request, None)
        member = self.members.get(request.match_info["member"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(member)


def post_json(url: str, payload: Any, token: str | None = None, timeout: float = 15.0,
              authorization: str | None = None) -> tuple[int, Any]:
    """POST JSON (a dict, or raw bytes sent as they are); (status, decoded body or None)."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if authorization:
        headers["Authorization"] = authorization
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
        error.close()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")
