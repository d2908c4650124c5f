# Secret Manager: the Workspace delegation key (only when signing is not keyless) and the admin
# API's bearer token. Secrets stay in var.region.

# Created empty: the operator adds the JSON key as a version (docs/deploy.md), so the key never
# passes through Terraform state. Orgs reference it instead of uploading the key.
resource "google_secret_manager_secret" "delegation_key" {
  count = var.delegation_signing == "secret_key" ? 1 : 0

  secret_id = "hybrid-calendar-delegation-key"
  labels    = local.labels

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret_iam_member" "delegation_key" {
  for_each = var.delegation_signing == "secret_key" ? local.google_functions : {}

  secret_id = google_secret_manager_secret.delegation_key[0].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.fn[each.key].member
}

# HYBRIDCAL_ADMIN_TOKEN for admin_api: callers need both the IAM invoker role and this token.
resource "random_password" "admin_token" {
  length  = 48
  special = false
}

resource "google_secret_manager_secret" "admin_token" {
  secret_id = "hybrid-calendar-admin-token"
  labels    = local.labels

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret_version" "admin_token" {
  secret      = google_secret_manager_secret.admin_token.id
  secret_data = random_password.admin_token.result
}

resource "google_secret_manager_secret_iam_member" "admin_token" {
  secret_id = google_secret_manager_secret.admin_token.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.fn["admin_api"].member
}
