"""CloudKmsKek against the Cloud KMS emulator: round trips, AAD binding, CRC32C checks, retries, REST form."""

from __future__ import annotations

import base64

import flask
import pytest

from emulator.kms import KmsEmulator, KmsState, crc32c, kms_blueprint
from shared.adapters.crypto.kms import CloudKmsKek
from shared.errors import IntegrityError, InvalidInput, Unavailable
from tests.gcp.conftest import KEY_NAME

DEK = bytes(range(32))


def test_wrap_unwrap_round_trip_counts_calls(kek: CloudKmsKek, kms: KmsEmulator) -> None:
    """A wrapped key unwraps to itself; one RPC each, and the adapter counts one wrap and one unwrap."""
    wrapped = kek.wrap(DEK, b"aad-1")
    assert DEK not in wrapped
    assert kek.unwrap(wrapped, b"aad-1") == DEK
    assert dict(kms.calls) == {"Encrypt": 1, "Decrypt": 1}
    assert (kek.wrap_calls, kek.unwrap_calls) == (1, 1)
    assert kek.name == KEY_NAME


def test_aad_and_key_are_bound(kek: CloudKmsKek, kms: KmsEmulator) -> None:
    """Another AAD, another key or a flipped byte fails with IntegrityError, and is not retried."""
    wrapped = kek.wrap(DEK, b"aad-1")
    with pytest.raises(IntegrityError):
        kek.unwrap(wrapped, b"aad-2")
    other = CloudKmsKek(KEY_NAME.replace("/kek", "/other"), endpoint=kms.endpoint, sleep=lambda _: None)
    with pytest.raises(IntegrityError):
        other.unwrap(wrapped, b"aad-1")
    tampered = wrapped[:-1] + bytes([wrapped[-1] ^ 1])
    with pytest.raises(IntegrityError):
        kek.unwrap(tampered, b"aad-1")
    assert kms.calls["Decrypt"] == 3


def test_corrupted_encrypt_checksum_is_retried(kek: CloudKmsKek, kms: KmsEmulator) -> None:
    """Two corrupted ciphertext checksums cost two extra Encrypt calls, then the wrap succeeds."""
    kms.inject(corrupt_crc32c=2)
    wrapped = kek.wrap(DEK, b"aad")
    assert kms.calls["Encrypt"] == 3
    assert kek.wrap_calls == 1
    assert kek.unwrap(wrapped, b"aad") == DEK


def test_persistent_corruption_gives_up_after_three_attempts(kek: CloudKmsKek, kms: KmsEmulator) -> None:
    """Corruption on every answer stops after exactly 3 calls with Unavailable (retry later, never trust it)."""
    kms.inject(corrupt_crc32c=10)
    with pytest.raises(Unavailable, match="3 times"):
        kek.wrap(DEK, b"aad")
    assert kms.calls["Encrypt"] == 3
    kms.state.reset()
    wrapped = kek.wrap(DEK, b"aad")
    kms.inject(corrupt_crc32c=10)
    with pytest.raises(Unavailable):
        kek.unwrap(wrapped, b"aad")
    assert kms.calls["Decrypt"] == 3


def test_corrupted_decrypt_checksum_is_retried(kek: CloudKmsKek, kms: KmsEmulator) -> None:
    """One corrupted plaintext checksum costs one extra Decrypt call."""
    wrapped = kek.wrap(DEK, b"aad")
    kms.inject(corrupt_crc32c=1)
    assert kek.unwrap(wrapped, b"aad") == DEK
    assert kms.calls["Decrypt"] == 2


def test_unverified_request_checksums_are_retried(kek: CloudKmsKek, kms: KmsEmulator) -> None:
    """An answer that did not verify the request checksums is not trusted: one more Encrypt call."""
    kms.inject(unverified=1)
    kek.wrap(DEK, b"aad")
    assert kms.calls["Encrypt"] == 2


def test_unavailable_is_retried_then_raised(kek: CloudKmsKek, kms: KmsEmulator) -> None:
    """UNAVAILABLE twice then success costs 3 calls; three times in a row raises Unavailable after 3 calls."""
    kms.inject(unavailable=2)
    wrapped = kek.wrap(DEK, b"aad")
    assert kms.calls["Encrypt"] == 3
    kms.inject(unavailable=3)
    with pytest.raises(Unavailable):
        kek.unwrap(wrapped, b"aad")
    assert kms.calls["Decrypt"] == 3


def test_backoff_between_attempts_is_bounded(kms: KmsEmulator) -> None:
    """Retries back off 0.1 s then 0.2 s; no sleep after the last attempt."""
    naps: list[float] = []
    kek = CloudKmsKek(KEY_NAME, endpoint=kms.endpoint, sleep=naps.append)
    kms.inject(unavailable=3)
    with pytest.raises(Unavailable):
        kek.wrap(DEK, b"aad")
    assert naps == [0.1, 0.2]


def test_bad_key_name_is_invalid_input(kms: KmsEmulator) -> None:
    """A malformed key name is refused as InvalidInput without retries."""
    kek = CloudKmsKek("projects/p/keys/nope", endpoint=kms.endpoint, sleep=lambda _: None)
    with pytest.raises(InvalidInput):
        kek.wrap(DEK, b"aad")
    assert kms.calls["Encrypt"] == 1


def _rest_client(state: KmsState) -> flask.testing.FlaskClient:
    app = flask.Flask("kms-test")
    app.register_blueprint(kms_blueprint(state))
    return app.test_client()


def test_rest_form_round_trips_and_shares_state(kek: CloudKmsKek, kms: KmsEmulator) -> None:
    """REST encrypt output decrypts over gRPC and back; checksums are reported; calls count on one state."""
    client = _rest_client(kms.state)
    body = {
        "plaintext": base64.b64encode(DEK).decode(),
        "additionalAuthenticatedData": base64.b64encode(b"aad").decode(),
        "plaintextCrc32c": str(crc32c(DEK)),
        "additionalAuthenticatedDataCrc32c": str(crc32c(b"aad")),
    }
    answer = client.post(f"/v1/{KEY_NAME}:encrypt", json=body)
    assert answer.status_code == 200, answer.text
    out = answer.get_json()
    ciphertext = base64.b64decode(out["ciphertext"])
    assert out["name"] == KEY_NAME + "/cryptoKeyVersions/1"
    assert out["verifiedPlaintextCrc32c"] is True and out["verifiedAdditionalAuthenticatedDataCrc32c"] is True
    assert int(out["ciphertextCrc32c"]) == crc32c(ciphertext)
    assert kek.unwrap(ciphertext, b"aad") == DEK
    wrapped = kek.wrap(DEK, b"aad")
    back = client.post(
        f"/v1/{KEY_NAME}:decrypt",
        json={"ciphertext": base64.b64encode(wrapped).decode(), "additionalAuthenticatedData": "YWFk"},
    ).get_json()
    assert base64.b64decode(back["plaintext"]) == DEK and int(back["plaintextCrc32c"]) == crc32c(DEK)
    assert dict(kms.calls) == {"Encrypt": 2, "Decrypt": 2}


def test_rest_errors_have_googles_shape() -> None:
    """A checksum mismatch is 400 INVALID_ARGUMENT, a wrong AAD too, an unknown method 404, faults 503."""
    state = KmsState()
    client = _rest_client(state)
    bad = client.post(f"/v1/{KEY_NAME}:encrypt", json={"plaintext": "eA==", "plaintextCrc32c": "1"})
    assert bad.status_code == 400 and bad.get_json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "checksum" in bad.get_json()["error"]["message"]
    ct = client.post(f"/v1/{KEY_NAME}:encrypt", json={"plaintext": "eA=="}).get_json()["ciphertext"]
    wrong = client.post(f"/v1/{KEY_NAME}:decrypt", json={"ciphertext": ct, "additionalAuthenticatedData": "eA=="})
    assert wrong.status_code == 400
    assert client.post(f"/v1/{KEY_NAME}:rotate", json={}).status_code == 404
    state.inject(unavailable=1)
    down = client.post(f"/v1/{KEY_NAME}:encrypt", json={"plaintext": "eA=="})
    assert down.status_code == 503 and down.get_json()["error"]["status"] == "UNAVAILABLE"
    assert state.calls["Encrypt"] == 3
