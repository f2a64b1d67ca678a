"""The demo website's server and the credentials file the Rasa server starts with."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Iterator

import pytest
import requests
import yaml

from bot import servers
from bot.channels import credentials, website

SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret", "SLACK_CHANNEL": "C0TEST"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- credentials ---------------------------------------------------------------


def test_credentials_without_slack_have_rest_and_the_fixed_socketio_channel() -> None:
    built = credentials.build({})
    assert "bot.channels.rest.RestInput" in built
    socketio = built["bot.channels.socketio.SocketIOInput"]
    assert socketio["session_persistence"] is True
    assert not any("slack" in key.lower() for key in built)


def test_slack_is_added_with_our_class_only_when_all_three_variables_are_set() -> None:
    assert credentials.slack_credentials({**SLACK_ENV, "SLACK_CHANNEL": ""}) is None
    built = credentials.build(SLACK_ENV)
    slack = built[credentials.SLACK_CHANNEL_CLASS]
    assert slack == {"slack_token": "xoxb-1", "slack_signing_secret": "s3cret", "slack_channel": "C0TEST"}
    with_api = credentials.build({**SLACK_ENV, "SLACK_API_URL": "http://127.0.0.1:9/api/"})
    assert with_api[credentials.SLACK_CHANNEL_CLASS]["api_url"] == "http://127.0.0.1:9/api/"


def test_written_credentials_are_private(tmp_path: Path) -> None:
    path = credentials.write(tmp_path / "c.yml", SLACK_ENV)
    assert path.stat().st_mode & 0o077 == 0
    assert yaml.safe_load(path.read_text())[credentials.SLACK_CHANNEL_CLASS]["slack_token"] == "xoxb-1"


# --- settings --------------------------------------------------------------------


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOT_HOST", "RASA_PORT", "ACTION_PORT", "WEB_PORT", "BOT_ALLOWED_ORIGINS", "RASA_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WEB_PORT", "8100")
    settings = servers.Settings.from_env()
    assert settings.host == "127.0.0.1"
    assert settings.allowed_origins.split() == ["http://localhost:8100", "http://127.0.0.1:8100"]
    assert settings.api_token is None
    assert settings.web_url == "http://localhost:8100/"
    monkeypatch.setenv("BOT_ALLOWED_ORIGINS", "https://www.example.org")
    monkeypatch.setenv("RASA_API_TOKEN", "t0ken")
    settings = servers.Settings.from_env()
    assert settings.allowed_origins == "https://www.example.org"
    cmd = servers.rasa_server_cmd(settings, Path("c.yml"))
    assert cmd[cmd.index("--cors") + 1] == "https://www.example.org"
    assert cmd[cmd.index("--auth-token") + 1] == "t0ken" and "--enable-api" in cmd
    assert servers.child_env(settings)["BOT_ALLOWED_ORIGINS"] == "https://www.example.org"


def test_rasa_api_is_off_without_a_token() -> None:
    cmd = servers.rasa_server_cmd(servers.Settings(), Path("c.yml"))
    assert "--enable-api" not in cmd and "--auth-token" not in cmd
    assert cmd[cmd.index("--interface") + 1] == "127.0.0.1"


# --- the demo website -------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost:8000", "localhost"),
        ("127.0.0.1:8000", "127.0.0.1"),
        ("bot.example.org", "bot.example.org"),
        ("[::1]:8000", "[::1]"),
        ('evil"host</script>:80', "localhost"),
        ("", "localhost"),
        (None, "localhost"),
    ],
)
def test_browser_hostname(host: str | None, expected: str) -> None:
    assert website.browser_hostname(host) == expected


def test_socket_url_follows_the_browser_unless_configured() -> None:
    assert website.socket_url("localhost:8000", 5005) == "http://localhost:5005"
    assert website.socket_url("x:1", 5005, "https://chat.example.org/") == "https://chat.example.org"


def test_page_gets_the_socket_url_as_a_js_string_and_the_nonce() -> None:
    page = website.render_page('http://a"</script>', "n0nce").decode()
    assert 'nonce="n0nce"' in page
    assert '"http://a\\"\\u003c/script>"' in page
    assert "__SOCKET_URL__" not in page and "__NONCE__" not in page
    assert '<script src="/embed.js" async></script>' in page


def test_csp_allows_the_socket_and_the_nonced_snippet_only() -> None:
    policy = website.csp("abc", "https://chat.example.org")
    assert "script-src 'self' 'nonce-abc'" in policy
    assert "connect-src 'self' https://chat.example.org wss://chat.example.org" in policy
    assert "unsafe-eval" not in policy


@pytest.fixture
def site() -> Iterator[str]:
    port = free_port()
    demo = website.DemoSite("127.0.0.1", port, rasa_port=5999).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        demo.stop()


def test_demo_site_serves_the_page_with_the_widget_config(site: str) -> None:
    response = requests.get(site + "/", headers={"Host": "localhost:8000"}, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in response.text
    config = re.search(r"socketUrl: (\"[^\"]*\")", response.text).group(1)
    assert json.loads(config) == "http://localhost:5999"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.get(site + "/", timeout=5).headers["Content-Security-Policy"] != response.headers[
        "Content-Security-Policy"
    ], "a fresh nonce for every page"


def test_demo_site_serves_the_embed_script_and_the_widget_from_the_project(site: str) -> None:
    embed = requests.get(site + "/embed.js", timeout=5)
    assert embed.status_code == 200 and "javascript" in embed.headers["Content-Type"]
    assert "vendor/rasa-webchat.js" in embed.text
    assert not any(cdn in embed.text for cdn in ("jsdelivr", "unpkg", "cdnjs"))
    widget = requests.get(site + "/vendor/rasa-webchat.js", timeout=5)
    if website.WIDGET_JS.is_file():
        assert widget.status_code == 200 and "WebChat" in widget.text[:2000]
        assert "fonts.googleapis.com" in website.WIDGET_JS.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in widget.text, "the widget would fetch Google Fonts"
    else:
        assert widget.status_code == 503 and "make install" in widget.text


@pytest.mark.parametrize(
    "path", ["/package.json", "/../bot/servers.py", "/site/index.html", "/node_modules/rasa-webchat/lib/index.js",
             "/%2e%2e/pyproject.toml", "/vendor/"],
)
def test_demo_site_serves_nothing_else(site: str, path: str) -> None:
    assert requests.get(site + path, timeout=5).status_code == 404


def test_demo_site_accepts_no_posts(site: str) -> None:
    assert requests.post(site + "/", data="x", timeout=5).status_code == 501


def test_servers_run_numpy_single_threaded_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    env = servers.child_env(servers.Settings())
    assert env["OPENBLAS_NUM_THREADS"] == "1" and env["OMP_NUM_THREADS"] == "4"
