"""The proxy's configuration: websockets passed, the client's own address forwarded, /metrics and the schema
on the internal port only, and an HTTPS example with HSTS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import crossplane
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PUBLIC = (DEPLOY / "nginx" / "public.conf").read_text()
INTERNAL = (DEPLOY / "nginx" / "internal.conf").read_text()


def _parse(tmp: Path, site: str, public: str = PUBLIC) -> dict[str, Any]:
    """nginx's own reading of a site as the proxy container loads it (inside http {}, the includes followed)."""
    (tmp / "centrale").mkdir(exist_ok=True)
    (tmp / "centrale" / "public.conf").write_text(public)
    (tmp / "centrale" / "internal.conf").write_text(INTERNAL)
    (tmp / site).write_text((DEPLOY / site).read_text().replace("/etc/nginx/centrale/", f"{tmp}/centrale/"))
    (tmp / "nginx.main.conf").write_text(f"events {{}}\nhttp {{\n    include {tmp}/{site};\n}}\n")
    result: dict[str, Any] = crossplane.parse(str(tmp / "nginx.main.conf"), check_ctx=True, check_args=True)
    return result


@pytest.mark.parametrize("site", ["nginx.conf", "nginx-tls.conf"])
def test_each_site_is_a_configuration_nginx_accepts(tmp_path: Path, site: str) -> None:
    parsed = _parse(tmp_path, site)
    assert parsed["status"] == "ok", parsed["errors"]
    files = {Path(c["file"]).name for c in parsed["config"]}
    assert {"public.conf", "internal.conf"} <= files
    # and the check is real: a directive in the wrong place, or with a missing argument, is refused
    for broken in (
        PUBLIC + "\nserver { }\n",  # a server inside a server
        PUBLIC.replace("proxy_set_header Host $host;", "proxy_set_header Host;"),
    ):
        assert _parse(tmp_path, site, broken)["status"] == "failed"


def _locations(conf: str) -> list[tuple[str, str, str]]:
    """(modifier, path, body) of each location block (one level of braces)."""
    return re.findall(r"location\s+(=|~|\^~)?\s*(\S+)\s*\{((?:[^{}]|\{[^{}]*\})*)\}", conf)


def test_both_sites_serve_the_same_public_locations_and_the_internal_port() -> None:
    for name in ("nginx.conf", "nginx-tls.conf"):
        conf = (DEPLOY / name).read_text()
        assert "server app1:8000;" in conf and "server app2:8000;" in conf
        assert "include /etc/nginx/centrale/public.conf;" in conf
        assert "include /etc/nginx/centrale/internal.conf;" in conf


def test_the_public_site_serves_neither_the_metrics_nor_the_schema() -> None:
    hidden = [(kind, path) for kind, path, body in _locations(PUBLIC) if "return 404" in body]
    assert ("=", "/metrics") in hidden
    pattern = next(p for kind, p in hidden if kind == "~")
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        assert re.match(pattern, path), path
    assert not re.match(pattern, "/api/v1/persons") and not re.match(pattern, "/documenti")


def test_the_public_site_forwards_the_address_that_connected_and_passes_websockets() -> None:
    proxied = [(path, body) for _kind, path, body in _locations(PUBLIC) if "proxy_pass" in body]
    assert {path for path, _ in proxied} == {"/", "/ws/"}
    for _path, body in proxied:
        # the edge proxy states who connected; a client's own X-Forwarded-For is not passed on
        assert "proxy_set_header X-Forwarded-For $remote_addr;" in body
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in body
    ws = dict(proxied)["/ws/"]
    assert "proxy_set_header Upgrade $http_upgrade;" in ws and "proxy_http_version 1.1;" in ws


def test_the_internal_port_shows_each_instance_metrics_and_the_schema_as_the_proxy_itself() -> None:
    assert re.search(r"listen 8081;", INTERNAL)
    locations = {path: body for _kind, path, body in _locations(INTERNAL)}
    assert "http://app1:8000/metrics" in locations["/metrics/app1"]
    assert "http://app2:8000/metrics" in locations["/metrics/app2"]
    for body in locations.values():
        if "proxy_pass" in body:  # the app sees the proxy's address, the one CENTRALE_METRICS_ALLOW names
            assert 'proxy_set_header X-Forwarded-For "";' in body
    assert "return 404" in locations["/"]


def test_the_tls_example_redirects_to_https_and_sends_hsts() -> None:
    conf = (DEPLOY / "nginx-tls.conf").read_text()
    assert re.search(r"listen 443 ssl;", conf)
    assert "return 301 https://$host$request_uri;" in conf
    hsts = re.search(r'add_header Strict-Transport-Security "max-age=(\d+)[^"]*" always;', conf)
    assert hsts and int(hsts.group(1)) >= 31536000  # at least a year
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in conf
