# One Cloud Function (gen2) per entry point in catalog.tf, all built from the same bundle.
# HTTP functions take traffic from anywhere (public or IAM-protected); scheduled and Pub/Sub
# functions accept internal traffic only (Cloud Scheduler and Pub/Sub push count as internal).

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  name        = each.key
  location    = var.region
  description = "Hybrid Calendar ${each.key} (${each.value.trigger})"
  labels      = local.labels

  build_config {
    runtime         = var.runtime
    entry_point     = each.key
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket     = google_storage_bucket.source.name
        object     = google_storage_bucket_object.source.name
        generation = local.source_generation
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout
    max_instance_request_concurrency = each.value.concurrency
    min_instance_count               = each.value.min
    max_instance_count               = each.value.max
    ingress_settings                 = each.value.trigger == "http" ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.fn[each.key].email
    environment_variables            = merge(local.function_env, local.caller_env[each.key])

    dynamic "secret_environment_variables" {
      for_each = each.key == "admin_api" ? [google_secret_manager_secret.admin_token.secret_id] : []
      content {
        key        = "HYBRIDCAL_ADMIN_TOKEN"
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = length(local.unknown_overrides) == 0
      error_message = "function_overrides names functions that do not exist: ${join(", ", local.unknown_overrides)}."
    }
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.build,
    google_secret_manager_secret_version.admin_token,
    google_secret_manager_secret_iam_member.admin_token,
  ]
}
