# The deployment's catalogue: Terraform's copy of the lists the Python code owns.
#
#   entry_points     <- functions/registry.py       ENTRY_POINTS, SCHEDULE_SECONDS
#   topics           <- shared/topics.py            TOPICS
#   firestore_indexes, ttl_collections <- shared/adapters/store/indexes.py INDEXES, TTL_COLLECTIONS
#   settings env     <- shared/config.py            SETTINGS (only HYBRIDCAL_* names that exist there)
#
# tests/infra/test_catalog.py parses this file and fails when code and catalogue disagree, so a new
# entry point, topic, index or TTL collection in the code must be added here too. Every other file
# generates its resources from these locals with for_each; nothing else lists them again.

locals {
  # One Cloud Function (gen2) per entry point. Sizing is per function:
  #   memory / cpu        what one instance gets (cpu "1" is required for concurrency > 1)
  #   timeout             seconds for one request or one delivery
  #   concurrency         requests one instance serves at once
  #   min / max           instances (min > 0 keeps a warm instance; max caps cost and API fan-out)
  # trigger: "http" (called directly), "scheduled" (Cloud Scheduler, OIDC) or "pubsub" (push subscription, OIDC).
  # access:  "public" (allUsers may invoke; the code authenticates) or "iam" (invoker role required).
  # publishes: topics the function publishes to (it gets roles/pubsub.publisher on exactly these;
  #            tests/infra runs every entry point through its flows and fails on a publish without a
  #            grant and on a grant no flow uses). maintain_channels and provision_user run a sync in
  #            process, which hands keyword changes to join-rewrite.
  # google_apis: the function calls Calendar/Gmail as a Workspace user (delegation signing rights).
  # A scheduled entry point takes its cpu, concurrency and instance bounds from trigger_defaults.
  entry_points = {
    calendar_webhook = {
      trigger     = "http"
      access      = "public"
      topic       = null
      schedule    = null
      publishes   = ["calendar-sync"]
      google_apis = false
      memory      = "256Mi"
      cpu         = "1"
      timeout     = 10
      concurrency = 20
      min         = 1
      max         = 20
    }
    meetings_api = {
      trigger     = "http"
      access      = "public"
      topic       = null
      schedule    = null
      publishes   = []
      google_apis = true
      memory      = "512Mi"
      cpu         = "1"
      timeout     = 300
      concurrency = 20
      min         = 1
      max         = 10
    }
    admin_api = {
      trigger     = "http"
      access      = "iam"
      topic       = null
      schedule    = null
      publishes   = ["user-provisioning"]
      google_apis = false
      memory      = "512Mi"
      cpu         = "1"
      timeout     = 120
      concurrency = 8
      min         = 0
      max         = 3
    }
    maintain_channels = {
      trigger     = "scheduled"
      access      = "iam"
      topic       = null
      schedule    = { text = "every 60 minutes", seconds = 3600, cron = "0 * * * *" }
      publishes   = ["join-rewrite"]
      google_apis = true
      memory      = "1Gi"
      timeout     = 900
    }
    poll_vacations = {
      trigger     = "scheduled"
      access      = "iam"
      topic       = null
      schedule    = { text = "every 5 minutes", seconds = 300, cron = "*/5 * * * *" }
      publishes   = ["vacation-check"]
      google_apis = false
      memory      = "512Mi"
      timeout     = 240
    }
    dispatch_join_buttons = {
      trigger     = "scheduled"
      access      = "iam"
      topic       = null
      schedule    = { text = "every 1 minutes", seconds = 60, cron = "* * * * *" }
      publishes   = ["join-buttons"]
      google_apis = false
      memory      = "512Mi"
      timeout     = 55
    }
    release_rooms = {
      trigger     = "scheduled"
      access      = "iam"
      topic       = null
      schedule    = { text = "every 1 minutes", seconds = 60, cron = "* * * * *" }
      publishes   = []
      google_apis = true
      memory      = "512Mi"
      timeout     = 55
    }
    sync_calendar = {
      trigger     = "pubsub"
      access      = "iam"
      topic       = "calendar-sync"
      schedule    = null
      publishes   = ["join-rewrite"]
      google_apis = true
      memory      = "512Mi"
      cpu         = "1"
      timeout     = 300
      concurrency = 8
      min         = 0
      max         = 50
    }
    rewrite_join_details = {
      trigger     = "pubsub"
      access      = "iam"
      topic       = "join-rewrite"
      schedule    = null
      publishes   = []
      google_apis = true
      memory      = "512Mi"
      cpu         = "1"
      timeout     = 120
      concurrency = 8
      min         = 0
      max         = 20
    }
    check_vacation = {
      trigger     = "pubsub"
      access      = "iam"
      topic       = "vacation-check"
      schedule    = null
      publishes   = ["presence-changed"]
      google_apis = true
      memory      = "256Mi"
      cpu         = "1"
      timeout     = 60
      concurrency = 16
      min         = 0
      max         = 20
    }
    provision_user = {
      trigger     = "pubsub"
      access      = "iam"
      topic       = "user-provisioning"
      schedule    = null
      publishes   = ["join-rewrite"]
      google_apis = true
      memory      = "512Mi"
      cpu         = "1"
      timeout     = 300
      concurrency = 4
      min         = 0
      max         = 5
    }
  }

  # What every entry point of a trigger shares unless it says otherwise (main.tf merges these under
  # each entry): a scheduled sweep runs one request at a time on a single instance.
  trigger_defaults = {
    scheduled = { cpu = "1", concurrency = 1, min = 0, max = 1 }
  }

  # Pub/Sub topics. consumer = the entry point a push subscription delivers to (null: read by
  # the app's event stream or nobody yet); ordered = message ordering on that subscription;
  # dead_letter = a "<name>-dead-letter" topic receives messages that exhaust their deliveries.
  topics = {
    "calendar-sync"     = { consumer = "sync_calendar", ordered = true, dead_letter = true }
    "join-rewrite"      = { consumer = "rewrite_join_details", ordered = true, dead_letter = true }
    "vacation-check"    = { consumer = "check_vacation", ordered = false, dead_letter = true }
    "user-provisioning" = { consumer = "provision_user", ordered = true, dead_letter = true }
    "join-buttons"      = { consumer = null, ordered = false, dead_letter = false }
    "presence-changed"  = { consumer = null, ordered = false, dead_letter = false }
  }

  # Firestore composite indexes, keyed by IndexSpec.name ("ix_<collection>_[g_]<fields>").
  firestore_indexes = {
    ix_meetings_principal_id_start = {
      collection = "meetings"
      group      = false
      fields     = [["principal_id", "ASCENDING"], ["start", "ASCENDING"]]
    }
    ix_meetings_principal_id_event_id = {
      collection = "meetings"
      group      = false
      fields     = [["principal_id", "ASCENDING"], ["event_id", "ASCENDING"]]
    }
    ix_meetings_principal_id_series_id = {
      collection = "meetings"
      group      = false
      fields     = [["principal_id", "ASCENDING"], ["series_id", "ASCENDING"]]
    }
    ix_meetings_start_end = {
      collection = "meetings"
      group      = false
      fields     = [["start", "ASCENDING"], ["end", "ASCENDING"]]
    }
    ix_principals_state_kind = {
      collection = "principals"
      group      = false
      fields     = [["state", "ASCENDING"], ["kind", "ASCENDING"]]
    }
    ix_notices_meeting_id_sent_at = {
      collection = "notices"
      group      = false
      fields     = [["meeting_id", "ASCENDING"], ["sent_at", "ASCENDING"]]
    }
    ix_decisions_principal_id_at = {
      collection = "decisions"
      group      = false
      fields     = [["principal_id", "ASCENDING"], ["at", "DESCENDING"]]
    }
    ix_meetings_hasJoinTarget_start = {
      collection = "meetings"
      group      = false
      fields     = [["hasJoinTarget", "ASCENDING"], ["start", "ASCENDING"]]
    }
    ix_notices_recipientKind_recipientId_sent_at = {
      collection = "notices"
      group      = false
      fields     = [["recipientKind", "ASCENDING"], ["recipientId", "ASCENDING"], ["sent_at", "ASCENDING"]]
    }
  }

  # Collection groups whose documents carry expireAt: each gets a TTL policy (and no
  # single-field index on expireAt, which only the TTL sweeper reads).
  ttl_collections = ["meetings", "notices", "keys", "decisions", "quota", "alerts", "lightChecks"]

  # Large sealed (ciphertext) fields: never queried, so exempt from single-field indexing.
  sealed_fields = {
    meetings = ["payload"]
    notices  = ["payload"]
  }
}
