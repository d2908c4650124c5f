# Cloud Scheduler jobs for the scheduled functions (catalog.tf schedule.cron, UTC), called with an
# OIDC token whose audience is the function's deterministic URL (main.tf function_audience), which the
# function checks itself too. No retries: the next tick does the work.

resource "google_cloud_scheduler_job" "job" {
  for_each = local.scheduled_functions

  name             = "hybrid-calendar-${replace(each.key, "_", "-")}"
  description      = "${each.key}: ${each.value.schedule.text}"
  region           = var.region
  schedule         = each.value.schedule.cron
  time_zone        = "Etc/UTC"
  attempt_deadline = "${min(1800, max(15, each.value.timeout))}s"

  retry_config {
    retry_count = 0
  }

  http_target {
    uri         = google_cloudfunctions2_function.fn[each.key].service_config[0].uri
    http_method = "POST"
    headers     = { "Content-Type" = "application/json" }
    body        = base64encode("{}")

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = local.function_audience[each.key]
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.scheduler_invoker]
}
