# Service accounts: one per function (least privilege), the build, the two callers (Pub/Sub push,
# Cloud Scheduler) and the Workspace delegation identity. Roles are granted on the narrowest
# resource that works: a topic, a secret, a key, a function - the project only where GCP has no
# finer grain (Firestore, build logs).

resource "google_service_account" "fn" {
  for_each = local.functions

  account_id   = "fn-${replace(each.key, "_", "-")}"
  display_name = "Hybrid Calendar function ${each.key}"
  description  = "Runs the ${each.key} Cloud Function (${each.value.trigger})."
}

resource "google_service_account" "build" {
  account_id   = "hybrid-calendar-build"
  display_name = "Hybrid Calendar function builds"
}

resource "google_service_account" "pubsub_push" {
  account_id   = "hybrid-calendar-push"
  display_name = "Pub/Sub push to Hybrid Calendar consumers"
}

resource "google_service_account" "scheduler" {
  account_id   = "hybrid-calendar-scheduler"
  display_name = "Cloud Scheduler calls to Hybrid Calendar jobs"
}

# The identity a Workspace super admin authorises for domain-wide delegation (its unique id is
# the client id in the Admin console). It holds no project roles at all.
resource "google_service_account" "delegation" {
  account_id   = "workspace-delegation"
  display_name = "Hybrid Calendar Workspace delegation"
  description  = "Client id authorised in the Google Workspace Admin console for calendar and gmail.settings.basic."
}

# Pub/Sub's service agent: it must exist before it can be granted anything.
resource "google_project_service_identity" "pubsub" {
  provider = google-beta
  project  = var.project_id
  service  = "pubsub.googleapis.com"
}

locals {
  pubsub_agent = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

# ---------------------------------------------------------------- project-level (no finer grain)

resource "google_project_iam_member" "fn_firestore" {
  for_each = local.functions

  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.fn[each.key].member
}

# The roles Google documents for a custom function-build account: build logs, the image in
# Artifact Registry, and the source copy in the gcf-v2-sources bucket Cloud Functions manages.
resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer", "roles/storage.objectAdmin"])

  project = var.project_id
  role    = each.key
  member  = google_service_account.build.member
}

# ---------------------------------------------------------------- callers of the functions

# Pub/Sub mints the push OIDC tokens as hybrid-calendar-push.
resource "google_service_account_iam_member" "pubsub_mints_push_tokens" {
  service_account_id = google_service_account.pubsub_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  for_each = local.consumed_topics

  location = var.region
  name     = google_cloudfunctions2_function.fn[each.value.consumer].service_config[0].service
  role     = "roles/run.invoker"
  member   = google_service_account.pubsub_push.member
}

resource "google_cloud_run_v2_service_iam_member" "scheduler_invoker" {
  for_each = local.scheduled_functions

  location = var.region
  name     = google_cloudfunctions2_function.fn[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

# calendar_webhook (Google's push carries no credentials; the code checks the channel token) and
# meetings_api (the code checks the app's ID tokens and device tokens) are public by design.
resource "google_cloud_run_v2_service_iam_member" "public_invoker" {
  for_each = local.public_functions

  location = var.region
  name     = google_cloudfunctions2_function.fn[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_v2_service_iam_member" "admin_invoker" {
  for_each = toset(var.admin_members)

  location = var.region
  name     = google_cloudfunctions2_function.fn["admin_api"].service_config[0].service
  role     = "roles/run.invoker"
  member   = each.key
}

# ---------------------------------------------------------------- Workspace delegation signing

# keyless: functions that call Google as a user sign the delegation JWT with IAM signJwt.
resource "google_service_account_iam_member" "delegation_signer" {
  for_each = var.delegation_signing == "keyless" ? local.google_functions : {}

  service_account_id = google_service_account.delegation.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.fn[each.key].member
}
