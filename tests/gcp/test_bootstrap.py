"""The gcp branch of the composition root, the KMS endpoint setting, and lazy imports on the embedded path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from emulator.kms import KmsEmulator
from shared.adapters.bus.pubsub import PubSubBus
from shared.adapters.crypto.kms import CloudKmsKek
from shared.adapters.store.firestore import FirestoreDocumentStore
from shared.bootstrap import build
from shared.config import Settings
from shared.domain.principals import CredentialRef, Org
from shared.errors import ConfigError
from tests.contract.conftest import GCP_PROJECT, reset_firestore
from tests.gcp.conftest import KEY_NAME
from tests.support.gcp_emulators import EmulatorProcess

ROOT = Path(__file__).resolve().parents[2]


def test_kms_endpoint_setting_is_parsed_and_checked() -> None:
    """HYBRIDCAL_KMS_ENDPOINT takes host:port and refuses anything else, naming the variable."""
    env = {"HYBRIDCAL_BACKEND": "gcp", "HYBRIDCAL_GCP_PROJECT": "p", "HYBRIDCAL_KMS_KEY": KEY_NAME}
    assert Settings.from_env(env).kms_endpoint is None
    assert Settings.from_env({**env, "HYBRIDCAL_KMS_ENDPOINT": "127.0.0.1:9"}).kms_endpoint == "127.0.0.1:9"
    with pytest.raises(ConfigError, match="HYBRIDCAL_KMS_ENDPOINT"):
        Settings.from_env({**env, "HYBRIDCAL_KMS_ENDPOINT": "http://kms"})


@pytest.mark.firestore
def test_gcp_backend_wires_firestore_kms_and_pubsub(
    firestore_emulator: EmulatorProcess, kms: KmsEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """build() on the gcp backend serves stores from Firestore with keys wrapped by Cloud KMS, and a Pub/Sub bus."""
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", firestore_emulator.host_port)
    reset_firestore(firestore_emulator.host_port)
    settings = Settings(
        backend="gcp",
        data_dir=tmp_path / "unused",
        gcp_project=GCP_PROJECT,
        kms_key=KEY_NAME,
        kms_endpoint=kms.endpoint,
        topic_prefix="boot-",
    )
    app = build(settings)
    try:
        assert isinstance(app.documents, FirestoreDocumentStore)
        assert isinstance(app.kek, CloudKmsKek) and isinstance(app.bus, PubSubBus)
        assert app.bus.topic_path("calendar-sync") == f"projects/{GCP_PROJECT}/topics/boot-calendar-sync"
        app.stores.orgs.put_org(Org(id="o1", domain="example.com", credential=CredentialRef("stored", "")), "KEY-TEXT")
        assert app.stores.orgs.service_account_key("o1") == "KEY-TEXT"
        assert kms.calls["Encrypt"] == 1
        assert not (tmp_path / "unused").exists()
    finally:
        app.close()


def test_embedded_path_imports_no_google_cloud_library(tmp_path: Path) -> None:
    """Building the embedded App loads neither Firestore, Pub/Sub nor KMS client libraries."""
    code = (
        "import sys; from pathlib import Path; from shared.bootstrap import build; from shared.config import Settings;"
        f"app = build(Settings(data_dir=Path({str(tmp_path)!r}))); app.close();"
        "loaded = [m for m in ('google.cloud.firestore', 'google.cloud.pubsub_v1', 'google.cloud.kms_v1')"
        " if m in sys.modules]; print(loaded)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
