# Derived values shared by every file, the project data and the APIs the deployment needs.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  labels = merge({ app = "hybrid-calendar", managed-by = "terraform" }, var.labels)

  # Catalogue sizing with the operator's overrides applied (null override fields are ignored).
  functions = {
    for name, ep in local.entry_points : name => merge(try(local.trigger_defaults[ep.trigger], {}), ep, {
      for key, value in try(var.function_overrides[name], {}) : key => value if value != null
    })
  }
  unknown_overrides   = sort(setsubtract(keys(var.function_overrides), keys(local.entry_points)))
  scheduled_functions = { for name, fn in local.functions : name => fn if fn.trigger == "scheduled" }
  public_functions    = { for name, fn in local.functions : name => fn if fn.access == "public" }
  google_functions    = { for name, fn in local.functions : name => fn if fn.google_apis }

  consumed_topics    = { for name, t in local.topics : name => t if t.consumer != null }
  dead_letter_topics = { for name, t in local.topics : name => t if t.dead_letter }
  # One (function, topic) pair per publisher grant.
  publisher_grants = merge([
    for fn_name, fn in local.functions : {
      for topic in fn.publishes : "${fn_name}:${topic}" => { function = fn_name, topic = topic }
    }
  ]...)

  firestore_location = var.firestore_location != "" ? var.firestore_location : var.region
  sealed_field_list = flatten([
    for collection, fields in local.sealed_fields : [
      for field in fields : { key = "${collection}.${field}", collection = collection, field = field }
    ]
  ])

  # The cloudfunctions.net host serves every function at /<function name>, so /calendar_webhook
  # under it is the webhook (the function is named after its entry point for this reason).
  default_public_url = "https://${var.region}-${var.project_id}.cloudfunctions.net"
  public_url         = var.public_url != "" ? var.public_url : local.default_public_url

  # The scopes the Workspace admin authorises for the delegation client id (shared/config.py GOOGLE_SCOPES).
  google_scopes = [
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/gmail.settings.basic",
  ]

  # Environment of every function: only HYBRIDCAL_* names from shared/config.py SETTINGS
  # (tests/infra checks this). Secrets come through secret_environment_variables instead.
  function_env = {
    HYBRIDCAL_BACKEND            = "gcp"
    HYBRIDCAL_GCP_PROJECT        = var.project_id
    HYBRIDCAL_KMS_KEY            = google_kms_crypto_key.kek.id
    HYBRIDCAL_FIRESTORE_DATABASE = var.firestore_database
    HYBRIDCAL_TOPIC_PREFIX       = var.topic_prefix
    HYBRIDCAL_PUBLIC_URL         = local.public_url
    HYBRIDCAL_LOG_LEVEL          = var.log_level
    HYBRIDCAL_OIDC_CLIENT_ID     = var.oidc_client_id
    HYBRIDCAL_ADDON_CLIENT_IDS   = var.addon_client_ids
    HYBRIDCAL_SCHEDULER          = "off"
    HYBRIDCAL_BUS_MAX_ATTEMPTS   = var.max_delivery_attempts
  }

  # The audience of the OIDC tokens Cloud Scheduler and Pub/Sub push send each function: the
  # function's deterministic Cloud Run URL (https://SERVICE-PROJECT_NUMBER.REGION.run.app; the
  # Cloud Run service of a gen2 function is its name with "_" as "-"). Cloud Run's IAM accepts it
  # as the service's own URL, and unlike service_config.uri it is known before the function
  # exists, so the function can be told which audience to expect.
  function_audience = {
    for name, fn in local.functions : name => "https://${replace(name, "_", "-")}-${data.google_project.this.number}.${var.region}.run.app"
  }

  # What each function checks its callers against, beside the shared environment: scheduled
  # functions take Cloud Scheduler's token, Pub/Sub functions the push token (shared/api/invokers.py).
  caller_env = {
    for name, fn in local.functions : name => (
      fn.trigger == "scheduled" ? {
        HYBRIDCAL_INVOKER_AUDIENCE = local.function_audience[name]
        HYBRIDCAL_INVOKERS         = google_service_account.scheduler.email
        } : fn.trigger == "pubsub" ? {
        HYBRIDCAL_INVOKER_AUDIENCE = local.function_audience[name]
        HYBRIDCAL_INVOKERS         = google_service_account.pubsub_push.email
      } : {}
    )
  }
}

resource "google_project_service" "api" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "calendar-json.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudkms.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",
    "firestore.googleapis.com",
    "gmail.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])

  project            = var.project_id
  service            = each.key
  disable_on_destroy = false
}
