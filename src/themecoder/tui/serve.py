"""``themecoder serve``: the coding app in a web browser, for coders without a terminal.

textual-serve runs the app once per browser tab, as its own process, and streams it to
the page. Each tab first asks the coder's name and is then an ordinary coding session on
the same project: the same store, the same claims (two tabs never get the same answer to
do) and the same decisions, saved the moment they are made.

The server listens on 127.0.0.1 unless told otherwise. On any other address it needs a
token, given on the command line and carried in the URL (``/?token=…``); the page and
the app's connection are refused without it. The page loads nothing from the internet
(the font is served from the package).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server

from themecoder.errors import ThemecoderError

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8000
MIN_TOKEN_LENGTH = 16
"""A token shorter than this is refused (it could be guessed)."""

PROJECT_ENV = "THEMECODER_DB"
"""How each tab's process learns the project (never on a command line, which any user of
the machine can read)."""

TEMPLATES = Path(__file__).parent / "web"


class ServeError(ThemecoderError):
    """The server cannot start as asked (an exposed address without a token, ...)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def check_exposure(host: str, token: str | None) -> None:
    """Refuse to serve beyond this machine without a token, or with a guessable one.

    Raises:
        ServeError: with a one-line message saying what to give instead.
    """
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ServeError(f"the token must be at least {MIN_TOKEN_LENGTH} characters; make one "
                         "with: python3 -c 'import secrets; print(secrets.token_urlsafe())'",
                         field="--token")
    if not is_loopback(host) and not token:
        raise ServeError(f"serving on {host} lets other machines connect: give a --token "
                         "(at least 16 characters) that every coder's URL must carry, or "
                         f"serve on {LOOPBACK}", field="--host")


def page_url(host: str, port: int, token: str | None) -> str:
    """The address coders open (with the token when there is one)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


class CodingServer(Server):
    """textual-serve's server with a token check, a per-tab coder name, and an offline page.

    Args:
        project_location: The project every tab codes (a file or a database URL).
        host: Address to listen on.
        port: Port to listen on.
        token: Required in the URL when given (always when ``host`` is not loopback).
        title: What the page calls the app.
    """

    def __init__(self, project_location: str, *, host: str = LOOPBACK,
                 port: int = DEFAULT_PORT, token: str | None = None,
                 title: str = "themecoder") -> None:
        check_exposure(host, token)
        command = f"{shlex.quote(sys.executable)} -m themecoder.tui.web_session"
        super().__init__(command, host=host, port=port, title=title,
                         templates_path=TEMPLATES)
        self.token = token
        self.project_location = project_location
        self.announce = ""
        """The line printed when the server is ready (the URL to open)."""
        # every tab's process inherits the environment: that is how it finds the project
        os.environ[PROJECT_ENV] = project_location

    def initialize_logging(self) -> None:
        super().initialize_logging()
        # the access log would print every URL, token included
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    def allowed(self, request: web.Request) -> bool:
        """Whether a request carries the token (always, when none is required)."""
        if not self.token:
            return True
        given = request.match_info.get("token") or request.query.get("token", "")
        return hmac.compare_digest(given.encode(), self.token.encode())

    def _refuse(self) -> web.HTTPForbidden:
        return web.HTTPForbidden(text="This themecoder server needs the token in the URL "
                                      "(…/?token=…). Ask whoever started it for the link.\n")

    async def _make_app(self) -> web.Application:
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES))
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            # the page's script adds "?width=…" to the socket address, so the token goes in
            # the path
            web.get("/ws/{token}", self.handle_websocket, name="websocket-token"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if not self.allowed(request):
            raise self._refuse()
        scheme = "wss" if request.secure else "ws"
        socket = f"{scheme}://{request.host}/ws" + (f"/{self.token}" if self.token else "")
        context: dict[str, Any] = {
            "font_size": max(8, min(40, _int(request.query.get("fontsize"), 16))),
            "app_websocket_url": socket,
            "config": {"static": {"url": "/static/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self.allowed(request):
            raise self._refuse()
        return await super().handle_websocket(request)

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        if not self.allowed(request):
            raise self._refuse()
        return await super().handle_download(request)

    async def on_startup(self, app: web.Application) -> None:
        if self.announce:
            self.console.print(self.announce, highlight=False, markup=False, soft_wrap=True)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def serve(project_location: str, *, host: str = LOOPBACK, port: int = DEFAULT_PORT,
          token: str | None = None, announce: str = "") -> None:
    """Serve the coding app until interrupted (Ctrl+C).

    Raises:
        ServeError: an exposed address without a token, or a token too short.
    """
    server = CodingServer(project_location, host=host, port=port, token=token)
    server.announce = announce
    server.serve()
