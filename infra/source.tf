# The one source bundle every function is built from: main.py, functions/, shared/ and a
# requirements.txt rendered from pyproject.toml's [project].dependencies (one list, no copy).

locals {
  repo_root = abspath("${path.module}/..")

  # Text files only (archive_file takes content as a string); *.mo catalogs, caches, tests,
  # the emulator and local data never enter the bundle.
  source_files = sort(setunion(
    fileset(local.repo_root, "main.py"),
    fileset(local.repo_root, "{functions,shared}/**/*.{py,json,html,css,js,po,sql}"),
    fileset(local.repo_root, "{functions,shared}/**/py.typed"),
  ))

  pyproject    = file("${local.repo_root}/pyproject.toml")
  dependencies = regexall("\"([^\"]+)\"", regex("(?s)\\ndependencies = \\[(.*?)\\n\\]", local.pyproject)[0])
  requirements = join("", [for dep in local.dependencies : "${dep[0]}\n"])
}

data "archive_file" "source" {
  type        = "zip"
  output_path = "${path.module}/.terraform/hybrid-calendar-source.zip"

  dynamic "source" {
    for_each = local.source_files
    content {
      content  = file("${local.repo_root}/${source.value}")
      filename = source.value
    }
  }

  source {
    content  = local.requirements
    filename = "requirements.txt"
  }
}

resource "google_storage_bucket" "source" {
  #checkov:skip=CKV_GCP_62:Access to the bundle is audited by Cloud Audit Logs; a usage-log bucket adds nothing here.
  name                        = "${var.project_id}-hybrid-calendar-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = !var.deletion_protection
  labels                      = local.labels

  # Earlier bundles stay as noncurrent generations: rollback deploys one (var.source_generation).
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      num_newer_versions = 10
      with_state         = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.api]
}

resource "google_storage_bucket_object" "source" {
  name   = "hybrid-calendar-source.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
  metadata = {
    bundle-md5 = data.archive_file.source.output_md5
  }
}

locals {
  # The generation every function builds from: the one just uploaded, or the operator's pin.
  source_generation = var.source_generation != "" ? var.source_generation : tostring(google_storage_bucket_object.source.generation)
}
