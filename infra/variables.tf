# Inputs. Every variable is validated so a typo fails at plan time, not half-way through apply.

variable "project_id" {
  description = "Google Cloud project id to deploy into."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project id: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the functions, Pub/Sub push endpoints, Cloud Scheduler jobs and the KMS key ring."
  type        = string
  default     = "europe-west3"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west3 or us-central1."
  }
}

variable "firestore_location" {
  description = "Firestore location: a region (europe-west3) or a multi-region (eur3, nam5). Empty: the region."
  type        = string
  default     = ""

  validation {
    condition     = var.firestore_location == "" || can(regex("^([a-z]+-[a-z]+[0-9]+|eur3|nam5|nam7)$", var.firestore_location))
    error_message = "firestore_location must be empty, a region, or one of eur3, nam5, nam7."
  }
}

variable "firestore_database" {
  description = "Firestore database id (HYBRIDCAL_FIRESTORE_DATABASE)."
  type        = string
  default     = "(default)"

  validation {
    condition     = var.firestore_database == "(default)" || can(regex("^[a-z][a-z0-9-]{2,61}[a-z0-9]$", var.firestore_database))
    error_message = "firestore_database must be (default) or 4-63 lowercase letters, digits or hyphens."
  }
}

variable "runtime" {
  description = "Python runtime of every function."
  type        = string
  default     = "python312"

  validation {
    condition     = contains(["python311", "python312"], var.runtime)
    error_message = "runtime must be python311 or python312 (the code needs Python 3.11+)."
  }
}

variable "public_url" {
  description = <<-EOT
    HYBRIDCAL_PUBLIC_URL: base URL at which Google reaches <url>/calendar_webhook. Empty: the
    functions' own https://REGION-PROJECT.cloudfunctions.net, which serves calendar_webhook there.
  EOT
  type        = string
  default     = ""

  validation {
    condition     = var.public_url == "" || can(regex("^https://[^/]+(/.*[^/])?$", var.public_url))
    error_message = "public_url must be empty or an https URL without a trailing slash."
  }
}

variable "topic_prefix" {
  description = "HYBRIDCAL_TOPIC_PREFIX: prefix of every Pub/Sub topic and subscription name."
  type        = string
  default     = ""

  validation {
    condition     = var.topic_prefix == "" || can(regex("^[a-z][a-z0-9-]{0,30}-$", var.topic_prefix))
    error_message = "topic_prefix must be empty or start with a letter, use a-z, 0-9, '-', and end with '-' (e.g. staging-)."
  }
}

variable "delegation_signing" {
  description = <<-EOT
    How the functions sign the domain-wide-delegation JWT for the Workspace service account:
    "keyless"    - with IAM signJwt as the delegation service account (no key exists anywhere);
    "secret_key" - with a JSON key kept in Secret Manager (created here, filled by the operator).
  EOT
  type        = string
  default     = "keyless"

  validation {
    condition     = contains(["keyless", "secret_key"], var.delegation_signing)
    error_message = "delegation_signing must be keyless or secret_key."
  }
}

variable "kms_rotation_period" {
  description = "Rotation period of the key-encryption key, in seconds with an s suffix (at most 90 days)."
  type        = string
  default     = "7776000s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.kms_rotation_period)) && try(tonumber(trimsuffix(var.kms_rotation_period, "s")) >= 86400 && tonumber(trimsuffix(var.kms_rotation_period, "s")) <= 7776000, false)
    error_message = "kms_rotation_period must be between 86400s (1 day) and 7776000s (90 days)."
  }
}

variable "kms_protection_level" {
  description = "SOFTWARE or HSM protection for the key-encryption key."
  type        = string
  default     = "SOFTWARE"

  validation {
    condition     = contains(["SOFTWARE", "HSM"], var.kms_protection_level)
    error_message = "kms_protection_level must be SOFTWARE or HSM."
  }
}

variable "max_delivery_attempts" {
  description = "Deliveries of a Pub/Sub message before it goes to the topic's dead-letter topic."
  type        = number
  default     = 5

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100 && floor(var.max_delivery_attempts) == var.max_delivery_attempts
    error_message = "max_delivery_attempts must be a whole number from 5 to 100 (Pub/Sub's limits)."
  }
}

variable "dead_letter_retention" {
  description = "How long dead-lettered messages are kept in their subscription (seconds with an s suffix, at most 31 days)."
  type        = string
  default     = "1209600s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.dead_letter_retention)) && try(tonumber(trimsuffix(var.dead_letter_retention, "s")) >= 600 && tonumber(trimsuffix(var.dead_letter_retention, "s")) <= 2678400, false)
    error_message = "dead_letter_retention must be between 600s and 2678400s (31 days)."
  }
}

variable "admin_members" {
  description = "IAM members allowed to invoke admin_api, e.g. [\"group:calendar-admins@example.com\"]."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.admin_members : can(regex("^(user|group|serviceAccount|domain):.+$", m))])
    error_message = "admin_members entries must look like user:..., group:..., serviceAccount:... or domain:...; allUsers is not allowed."
  }
}

variable "oidc_client_id" {
  description = "HYBRIDCAL_OIDC_CLIENT_ID: the OAuth client id the app's ID tokens must be issued for (meetings_api)."
  type        = string
  default     = "hybrid-calendar"

  validation {
    condition     = length(trimspace(var.oidc_client_id)) > 0
    error_message = "oidc_client_id must not be empty."
  }
}

variable "addon_client_ids" {
  description = "HYBRIDCAL_ADDON_CLIENT_IDS: comma-separated OAuth client ids of the Calendar add-on's ID tokens (POST /v1/conferences); empty without the add-on."
  type        = string
  default     = ""
}

variable "log_level" {
  description = "HYBRIDCAL_LOG_LEVEL of every function."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "function_overrides" {
  description = "Per-function sizing that replaces the defaults in catalog.tf, keyed by entry point name."
  type = map(object({
    memory      = optional(string)
    timeout     = optional(number)
    concurrency = optional(number)
    min         = optional(number)
    max         = optional(number)
  }))
  default = {}

  validation {
    condition = alltrue([
      for o in values(var.function_overrides) : alltrue([
        o.memory == null || can(regex("^[0-9]+(Mi|Gi)$", coalesce(o.memory, "x"))),
        o.timeout == null || (coalesce(o.timeout, 0) >= 1 && coalesce(o.timeout, 0) <= 3600),
        o.concurrency == null || (coalesce(o.concurrency, 0) >= 1 && coalesce(o.concurrency, 0) <= 1000),
        o.min == null || coalesce(o.min, -1) >= 0,
        o.max == null || coalesce(o.max, 0) >= 1,
      ])
    ])
    error_message = "function_overrides: memory like 512Mi or 1Gi, timeout 1-3600 s, concurrency 1-1000, min >= 0, max >= 1."
  }
}

variable "source_generation" {
  description = <<-EOT
    Roll back or pin: a generation of the source archive in the source bucket (list them with
    `gcloud storage ls --all-versions gs://PROJECT-hybrid-calendar-source/`). Empty: deploy the
    bundle built from this checkout.
  EOT
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[0-9]*$", var.source_generation))
    error_message = "source_generation must be empty or a generation number (digits only)."
  }
}

variable "deletion_protection" {
  description = "Protect the Firestore database and the source bucket from `terraform destroy`."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels put on every resource that takes labels."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))])
    error_message = "labels: keys start with a lowercase letter; keys and values use a-z, 0-9, '_' and '-' (at most 63)."
  }
}
