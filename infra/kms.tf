# The key-encryption key: it wraps the per-org data keys (envelope encryption). Only the
# functions' service accounts may use it; nobody gets it through a project-wide role here.

resource "google_kms_key_ring" "ring" {
  name     = "hybrid-calendar"
  location = var.region

  depends_on = [google_project_service.api]
}

resource "google_kms_crypto_key" "kek" {
  name            = "data-keys"
  key_ring        = google_kms_key_ring.ring.id
  purpose         = "ENCRYPT_DECRYPT"
  rotation_period = var.kms_rotation_period
  labels          = local.labels

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = var.kms_protection_level
  }

  # Destroying the key destroys every stored meeting and org key with it.
  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key_iam_member" "fn" {
  for_each = local.functions

  crypto_key_id = google_kms_crypto_key.kek.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = google_service_account.fn[each.key].member
}
