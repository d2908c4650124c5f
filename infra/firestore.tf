# Firestore: the database, TTL policies on expireAt, single-field index exemptions and the
# composite indexes from shared/adapters/store/indexes.py (via catalog.tf).

resource "google_firestore_database" "db" {
  name                              = var.firestore_database
  location_id                       = local.firestore_location
  type                              = "FIRESTORE_NATIVE"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy                   = var.deletion_protection ? "ABANDON" : "DELETE"

  depends_on = [google_project_service.api]
}

# TTL on expireAt for each collection group that carries it (deletion lags up to ~24 h; reads
# filter on the retention window too). The empty index_config exempts the field from
# single-field indexing: nothing queries it, and an indexed timestamp hot-spots writes.
resource "google_firestore_field" "ttl" {
  for_each = toset(local.ttl_collections)

  database   = google_firestore_database.db.name
  collection = each.key
  field      = "expireAt"

  ttl_config {}
  index_config {}
}

# Big sealed fields are ciphertext: never queried, so never indexed.
resource "google_firestore_field" "sealed" {
  for_each = { for f in local.sealed_field_list : f.key => f }

  database   = google_firestore_database.db.name
  collection = each.value.collection
  field      = each.value.field

  index_config {}
}

resource "google_firestore_index" "composite" {
  for_each = local.firestore_indexes

  database    = google_firestore_database.db.name
  collection  = each.value.collection
  query_scope = each.value.group ? "COLLECTION_GROUP" : "COLLECTION"

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = fields.value[0]
      order      = fields.value[1]
    }
  }
}
