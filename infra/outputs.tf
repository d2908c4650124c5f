# What the operator needs after `terraform apply` (docs/deploy.md walks through each).

output "workspace_delegation" {
  description = "Enter these in the Google Workspace Admin console: Security > API controls > Domain-wide delegation."
  value = {
    client_id       = google_service_account.delegation.unique_id
    scopes          = join(",", local.google_scopes)
    service_account = google_service_account.delegation.email
    signing         = var.delegation_signing
  }
}

output "delegation_key_secret" {
  description = "Secret Manager secret for the delegation service-account key (secret_key signing only)."
  value       = var.delegation_signing == "secret_key" ? google_secret_manager_secret.delegation_key[0].id : null
}

output "admin_token_secret" {
  description = "Secret holding the admin API bearer token (gcloud secrets versions access latest --secret ...)."
  value       = google_secret_manager_secret.admin_token.secret_id
}

output "function_urls" {
  description = "Cloud Run URL of every function."
  value       = { for name, fn in google_cloudfunctions2_function.fn : name => fn.service_config[0].uri }
}

output "webhook_url" {
  description = "Where Google Calendar push notifications arrive (HYBRIDCAL_PUBLIC_URL/calendar_webhook)."
  value       = "${local.public_url}/calendar_webhook"
}

output "admin_api_url" {
  description = "Base URL of the admin API (append /admin/v1)."
  value       = google_cloudfunctions2_function.fn["admin_api"].service_config[0].uri
}

output "meetings_api_url" {
  description = "Base URL of the app API (/v1), the web page (/app) and the device API."
  value       = google_cloudfunctions2_function.fn["meetings_api"].service_config[0].uri
}

output "kms_key" {
  description = "HYBRIDCAL_KMS_KEY: the key-encryption key."
  value       = google_kms_crypto_key.kek.id
}

output "dead_letter_subscriptions" {
  description = "Pull subscriptions holding dead-lettered messages, by source topic."
  value       = { for name, sub in google_pubsub_subscription.dead_letter : name => sub.id }
}

output "source" {
  description = "The deployed source bundle (bucket, object, generation) - note it before an upgrade to roll back."
  value = {
    bucket     = google_storage_bucket.source.name
    object     = google_storage_bucket_object.source.name
    generation = local.source_generation
    md5        = data.archive_file.source.output_md5
  }
}
