"""deploy/kubernetes: valid against a current Kubernetes' schemas, and shaped for two instances behind an Ingress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from centrale.settings import Settings, env_names
from web.health import router as health

KUBE = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
MANIFESTS = sorted(p for p in KUBE.glob("*.yaml") if p.name != "kustomization.yaml")
SETTINGS = {n for name, field in Settings.model_fields.items() for n in env_names(name, field)}
SECRETS = {"CENTRALE_SECRET_KEY", "CENTRALE_DATABASE_PASSWORD", "CENTRALE_REDIS_PASSWORD", "TWILIO_AUTH_TOKEN"}
SECRETS |= {"CENTRALE_WAAS_TOKEN", "CENTRALE_PSEUDONYM_KEY"}


def _resources() -> dict[str, dict[str, Any]]:
    found = {}
    for path in MANIFESTS:
        for doc in yaml.safe_load_all(path.read_text()):
            found[doc["kind"]] = doc
    return found


def _pod(kind: str) -> dict[str, Any]:
    spec: dict[str, Any] = _resources()[kind]["spec"]["template"]["spec"]
    return spec


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_each_manifest_is_valid_for_a_current_kubernetes(path: Path) -> None:
    version = kubernetes_validate.latest_version()
    assert tuple(int(x) for x in version.split(".")[:2]) >= (1, 33)
    for doc in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(doc, version, strict=True)  # raises on any unknown or mistyped field


def test_the_validation_really_checks() -> None:
    bad = _resources()["Deployment"]
    bad["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, kubernetes_validate.latest_version(), strict=True)


def test_the_kustomization_applies_every_manifest_with_the_image_it_names() -> None:
    kustomization = yaml.safe_load((KUBE / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(p.name for p in MANIFESTS)
    image = kustomization["images"][0]["name"]
    for kind in ("Deployment", "Job"):
        assert {c["image"] for c in _pod(kind)["containers"]} == {image}


def test_two_instances_probed_on_healthz_and_readyz_with_requests() -> None:
    paths = {route.path for route in health.routes}  # type: ignore[attr-defined]
    assert {"/healthz", "/readyz"} <= paths
    deployment = _resources()["Deployment"]
    assert deployment["spec"]["replicas"] >= 2
    (app,) = _pod("Deployment")["containers"]
    assert app["command"][:2] == ["centrale", "serve"]
    assert app["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert app["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for kind in ("Deployment", "Job"):
        for container in _pod(kind)["containers"]:
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])


def test_the_migration_job_upgrades_the_schema_once() -> None:
    job = _resources()["Job"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["centrale", "db", "upgrade"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_secrets_come_from_the_secret_as_files_and_settings_from_the_configmap() -> None:
    config = _resources()["ConfigMap"]["data"]
    assert set(config) <= SETTINGS, set(config) - SETTINGS
    assert not set(config) & SECRETS
    for kind in ("Deployment", "Job"):
        pod = _pod(kind)
        (volume,) = [v for v in pod["volumes"] if "secret" in v]
        assert volume["secret"]["secretName"] == "centrale-secrets"
        for container in pod["containers"]:
            (mount,) = [m for m in container["volumeMounts"] if m["name"] == volume["name"]]
            assert container["envFrom"] == [{"configMapRef": {"name": _resources()["ConfigMap"]["metadata"]["name"]}}]
            for var in container["env"]:
                assert var["name"].endswith("_FILE") and var["name"].removesuffix("_FILE") in SECRETS
                assert var["value"].startswith(mount["mountPath"] + "/")
            needed = {"CENTRALE_SECRET_KEY_FILE", "CENTRALE_DATABASE_PASSWORD_FILE"}
            assert {v["name"] for v in container["env"]} >= needed
    app_env = {v["name"].removesuffix("_FILE") for v in _pod("Deployment")["containers"][0]["env"]}
    assert app_env == SECRETS


def test_service_ingress_and_disruption_budget_point_at_the_pods() -> None:
    found = _resources()
    labels = found["Deployment"]["spec"]["template"]["metadata"]["labels"]
    ports = {p["name"] for p in found["Deployment"]["spec"]["template"]["spec"]["containers"][0]["ports"]}
    service = found["Service"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports
    pdb = found["PodDisruptionBudget"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert 1 <= pdb["spec"]["minAvailable"] < found["Deployment"]["spec"]["replicas"]
    ingress = found["Ingress"]
    backends = [p["backend"]["service"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert backends == [{"name": service["metadata"]["name"], "port": {"name": "http"}}]
    # websockets: the board's connection stays open past the controller's 60 s default
    assert int(ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert ingress["spec"]["tls"]
