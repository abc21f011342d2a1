"""INPS's own specifications, shipped verbatim in ``spec/`` (MIT, INPS): loaded, never retyped."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import xmlschema
import yaml

SPEC_DIR = Path(__file__).parent / "spec"
PS_PSA_SINA_XSD = SPEC_DIR / "PS_PSA_SINA201812.xsd"
API_COMUNI_YAML = SPEC_DIR / "api-comuni.yaml"
NAMESPACE = "http://inps.it/Casellario"


@lru_cache
def ps_psa_sina_schema() -> xmlschema.XMLSchema:
    """The PS-PSA-SINA schema (``PS_PSA_SINA201812.xsd``)."""
    return xmlschema.XMLSchema(str(PS_PSA_SINA_XSD))


@lru_cache
def api_comuni() -> dict[str, Any]:
    """The WaaS OpenAPI document (``api-comuni.yaml``) as a dict."""
    with API_COMUNI_YAML.open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = yaml.safe_load(fh)
    return loaded


def validation_errors(xml: bytes) -> list[str]:
    """Every reason the XSD refuses ``xml`` (empty when it is valid)."""
    schema = ps_psa_sina_schema()
    return [f"{error.path}: {error.reason}" for error in schema.iter_errors(xml.decode("utf-8"))]
