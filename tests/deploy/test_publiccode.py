"""publiccode.yml has the keys the standard (0.4) requires, with allowed values, in step with pyproject.toml."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
# the standard's controlled vocabularies (categories-list, scope-list, and the enumerations of schema.core)
CATEGORIES = set(
    "accounting agile-project-management applicant-tracking application-development appointment-scheduling backup "
    "billing-and-invoicing blog budgeting business-intelligence business-process-management cad "
    "call-center-management cloud-management collaboration communications compliance-management "
    "contact-management content-management crm customer-service-and-support data-analytics data-collection "
    "data-visualization design design-system digital-asset-management digital-citizenship document-management "
    "donor-management e-commerce e-signature educational-content email-management email-marketing "
    "employee-management enterprise-project-management enterprise-social-networking erp event-management "
    "facility-management feedback-and-reviews-management financial-reporting fleet-management fundraising "
    "gamification geographic-information-systems grant-management graphic-design help-desk hr ide "
    "identity-management instant-messaging integrated-library-system inventory-management it-asset-management "
    "it-development it-management it-security it-service-management knowledge-management "
    "learning-management-system marketing mind-mapping mobile-marketing mobile-payment network-management office "
    "online-booking online-community payment-gateway payroll predictive-analysis procurement productivity-suite "
    "project-collaboration project-management property-management real-estate-management "
    "regulations-and-directives remote-support resource-management sales-management seo service-desk "
    "social-media-management survey talent-management task-management taxes-management test-management "
    "time-management time-tracking translation video-conferencing video-editing visitor-management voip "
    "warehouse-management web-collaboration web-conferencing website-builder whistleblowing workflow-management "
    "other".split()
)
SCOPES = set(
    "agriculture culture defence education emergency-services employment energy environment "
    "finance-and-economic-development foreign-affairs government healthcare infrastructures justice "
    "local-authorities manufacturing research science-and-technology security society sport tourism "
    "transportation welfare".split()
)
SOFTWARE_TYPES = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}


def _publiccode() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "publiccode.yml").read_text())
    return data


def _project() -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def test_the_required_keys_are_there_with_allowed_values() -> None:
    pc = _publiccode()
    assert pc["publiccodeYmlVersion"] == "0.4"
    assert pc["name"] and pc["url"].startswith("https://")
    assert pc["platforms"] and set(pc["platforms"]) <= {"web", "windows", "mac", "linux", "ios", "android"}
    assert pc["categories"] and set(pc["categories"]) <= CATEGORIES
    assert set(pc["intendedAudience"]["scope"]) <= SCOPES
    assert pc["developmentStatus"] in {"concept", "development", "beta", "stable", "obsolete"}
    assert pc["softwareType"] in SOFTWARE_TYPES
    assert pc["maintenance"]["type"] in {"internal", "contract", "community", "none"}
    if pc["maintenance"]["type"] in {"internal", "community"}:
        assert all(contact["name"] for contact in pc["maintenance"]["contacts"])
    assert pc["localisation"]["localisationReady"] in (True, False)
    assert "it" in pc["localisation"]["availableLanguages"]


def test_each_description_has_a_short_and_a_long_text_and_features() -> None:
    descriptions = _publiccode()["description"]
    assert "it" in descriptions
    for lang, text in descriptions.items():
        assert 0 < len(text["shortDescription"].strip()) <= 150, lang
        assert 150 <= len(text["longDescription"].strip()) <= 10000, lang
        assert text["features"] and all(isinstance(f, str) and f for f in text["features"]), lang


def test_version_date_and_licence_agree_with_the_project() -> None:
    pc, project = _publiccode(), _project()
    assert pc["softwareVersion"] == project["version"]
    assert date.fromisoformat(pc["releaseDate"]) <= date.today()
    assert pc["legal"]["license"] == project["license"]


def test_the_italian_extension_names_the_reusing_administration() -> None:
    it = _publiccode()["it"]
    assert it["countryExtensionVersion"] == "1.0"
    assert it["riuso"]["codiceIPA"]
    assert all(isinstance(v, bool) for v in it["piattaforme"].values())
