# Topics from shared/topics.py, their dead-letter topics, and one push subscription per consumer.
#
# Why push subscriptions and not the function's Eventarc trigger: the subscription Eventarc
# creates cannot be given message ordering or a dead-letter policy (hashicorp/terraform-provider-google
# #17697, #25069). We own the subscription instead and push to the function's URL with an OIDC token.
# The consumers are HTTP functions that read the wrapped push body themselves (functions/_common.py):
# functions-framework's own conversion to a CloudEvent would drop deliveryAttempt and orderingKey.
# deliveryAttempt is only sent where a dead-letter policy is set, which every consumed topic has.

resource "google_pubsub_topic" "topic" {
  #checkov:skip=CKV_GCP_83:Message data is already sealed by the app's envelope encryption (Cloud KMS); a CMEK here would give the Pub/Sub agent key access.
  for_each = local.topics

  name   = "${var.topic_prefix}${each.key}"
  labels = local.labels

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_project_service.api]
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Dead letters are the same sealed messages; see the topic above.
  for_each = local.dead_letter_topics

  name   = "${var.topic_prefix}${each.key}-dead-letter"
  labels = local.labels

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_project_service.api]
}

# Dead letters are kept here until an operator inspects or replays them (docs/deploy.md).
resource "google_pubsub_subscription" "dead_letter" {
  for_each = local.dead_letter_topics

  name                       = "${var.topic_prefix}${each.key}-dead-letter"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  message_retention_duration = var.dead_letter_retention
  retain_acked_messages      = false
  ack_deadline_seconds       = 60
  labels                     = local.labels

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "push" {
  for_each = local.consumed_topics

  name                       = "${var.topic_prefix}${each.key}-${replace(each.value.consumer, "_", "-")}"
  topic                      = google_pubsub_topic.topic[each.key].id
  enable_message_ordering    = each.value.ordered
  ack_deadline_seconds       = min(600, max(10, local.functions[each.value.consumer].timeout))
  message_retention_duration = "604800s"
  labels                     = local.labels

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.fn[each.value.consumer].service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.topic[each.key].name}"

    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      audience              = local.function_audience[each.value.consumer]
    }
  }

  # A raised RetryableError answers 5xx: redeliver with exponential backoff.
  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dynamic "dead_letter_policy" {
    for_each = each.value.dead_letter ? [google_pubsub_topic.dead_letter[each.key].id] : []
    content {
      dead_letter_topic     = dead_letter_policy.value
      max_delivery_attempts = var.max_delivery_attempts
    }
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.push_invoker,
    google_service_account_iam_member.pubsub_mints_push_tokens,
  ]
}

# Each dead-letter topic is also pushed back to its topic's consumer, which records every dead letter
# where admins see them (GET /admin/v1/dead-letters, `hybrid-calendar dead-letters`) and marks the
# principals it was about. No dead-letter policy here: a record that keeps failing is retried.
resource "google_pubsub_subscription" "dead_letter_push" {
  for_each = { for name, t in local.consumed_topics : name => t if t.dead_letter }

  name                       = "${var.topic_prefix}${each.key}-dead-letter-${replace(each.value.consumer, "_", "-")}"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  labels                     = local.labels

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.fn[each.value.consumer].service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.dead_letter[each.key].name}"

    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      audience              = local.function_audience[each.value.consumer]
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.push_invoker,
    google_service_account_iam_member.pubsub_mints_push_tokens,
  ]
}

# What the Pub/Sub service agent needs for dead-lettering: publish to the dead-letter topic and
# acknowledge (subscriber) on the source subscription it forwards from.
resource "google_pubsub_topic_iam_member" "agent_publishes_dead_letters" {
  for_each = local.dead_letter_topics

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "agent_subscribes_source" {
  for_each = { for name, t in local.consumed_topics : name => t if t.dead_letter }

  subscription = google_pubsub_subscription.push[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# Each function publishes only to the topics catalog.tf lists for it.
resource "google_pubsub_topic_iam_member" "fn_publishes" {
  for_each = local.publisher_grants

  topic  = google_pubsub_topic.topic[each.value.topic].id
  role   = "roles/pubsub.publisher"
  member = google_service_account.fn[each.value.function].member
}
