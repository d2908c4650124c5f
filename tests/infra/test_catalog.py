"""Code and infra agree: entry points, topics, indexes, TTL collections, settings and scopes.

The lists live in the code (functions/registry.py, shared/topics.py,
shared/adapters/store/indexes.py, shared/config.py); infra/catalog.tf mirrors them and every
other .tf file generates resources from that catalogue with for_each. These tests compare the
two and check that the generating resources really iterate over the catalogue.
"""

from __future__ import annotations

import msgspec.structs
import re
from collections.abc import Mapping, Sequence
from typing import Any

from functions.registry import ENTRY_POINTS, SCHEDULE_SECONDS, EntryPoint
from shared.adapters.store.indexes import INDEXES, TTL_COLLECTIONS, IndexSpec
from shared.config import GOOGLE_SCOPES, SETTINGS
from shared.topics import TOPICS, TopicSpec
from tests.infra.terraform import (
    Infra,
    block,
    cron_interval_seconds,
    mapping_problems,
    references,
    sized_entry_points,
)

# ---------------------------------------------------------------- code vs catalogue, as pure functions


def entry_point_problems(
    entry_points: Sequence[EntryPoint], schedule_seconds: Mapping[str, float], catalog: Mapping[str, Any]
) -> list[str]:
    """Differences between the registry and ``local.entry_points``."""
    code = {
        ep.name: {
            "trigger": ep.trigger,
            "topic": ep.topic,
            "public": ep.public,
            "schedule": (ep.schedule, schedule_seconds.get(ep.name)) if ep.trigger == "scheduled" else None,
        }
        for ep in entry_points
    }
    infra = {
        name: {
            "trigger": fn["trigger"],
            "topic": fn["topic"],
            "public": fn["access"] == "public",
            "schedule": (fn["schedule"]["text"], float(fn["schedule"]["seconds"])) if fn["schedule"] else None,
        }
        for name, fn in catalog.items()
    }
    return mapping_problems("entry point", code, infra)


def topic_problems(topics: Sequence[TopicSpec], catalog: Mapping[str, Any]) -> list[str]:
    """Differences between shared/topics.py and ``local.topics``."""
    code = {t.name: {"consumer": t.consumer, "ordered": t.ordered, "dead_letter": t.dead_letter} for t in topics}
    return mapping_problems("topic", code, dict(catalog))


def index_problems(indexes: Sequence[IndexSpec], catalog: Mapping[str, Any]) -> list[str]:
    """Differences between INDEXES and ``local.firestore_indexes``."""
    code = {
        spec.name: {"collection": spec.collection, "group": spec.group, "fields": [list(f) for f in spec.fields]}
        for spec in indexes
    }
    return mapping_problems("composite index", code, dict(catalog))


def ttl_problems(collections: Sequence[str], catalog: Sequence[str]) -> list[str]:
    """Collection groups with expireAt that have no TTL policy, and the reverse."""
    return mapping_problems("TTL collection", dict.fromkeys(collections, True), dict.fromkeys(catalog, True))


# ---------------------------------------------------------------- the catalogue matches the code


def test_entry_points_match_the_registry(infra: Infra) -> None:
    """Every entry point is in the catalogue with its trigger, topic, visibility and schedule, and nothing else is."""
    assert entry_point_problems(ENTRY_POINTS, SCHEDULE_SECONDS, infra.locals["entry_points"]) == []


def test_topics_match_shared_topics(infra: Infra) -> None:
    """Every topic is in the catalogue with its consumer, ordering and dead-letter flag."""
    assert topic_problems(TOPICS, infra.locals["topics"]) == []


def test_composite_indexes_match_the_index_list(infra: Infra) -> None:
    """Every INDEXES entry has a catalogue index with the same collection, scope and ordered fields."""
    assert index_problems(INDEXES, infra.locals["firestore_indexes"]) == []


def test_ttl_collections_match(infra: Infra) -> None:
    """Every collection group carrying expireAt gets a TTL policy, and no other does."""
    assert ttl_problems(TTL_COLLECTIONS, infra.locals["ttl_collections"]) == []


def test_drift_in_the_code_is_reported() -> None:
    """An entry point, topic, index or TTL collection added only in the code is reported."""
    catalog_eps = {ep.name: _catalog_entry(ep) for ep in ENTRY_POINTS}
    extra_ep = EntryPoint("archive_meetings", "pubsub", topic="meeting-archive")
    assert entry_point_problems((*ENTRY_POINTS, extra_ep), SCHEDULE_SECONDS, catalog_eps) == [
        "entry point 'archive_meetings' is in the code but not in infra/catalog.tf"
    ]
    moved = msgspec.structs.replace(ENTRY_POINTS[3], schedule="every 2 minutes")
    assert entry_point_problems((*ENTRY_POINTS[:3], moved, *ENTRY_POINTS[4:]), SCHEDULE_SECONDS, catalog_eps) == [
        "entry point 'maintain_channels': code says {'trigger': 'scheduled', 'topic': None, 'public': False, "
        "'schedule': ('every 2 minutes', 3600.0)}, infra says {'trigger': 'scheduled', 'topic': None, "
        "'public': False, 'schedule': ('every 60 minutes', 3600.0)}"
    ]

    catalog_topics = {
        t.name: {"consumer": t.consumer, "ordered": t.ordered, "dead_letter": t.dead_letter} for t in TOPICS
    }
    assert topic_problems((*TOPICS, TopicSpec("meeting-archive", None, ordered=False)), catalog_topics) == [
        "topic 'meeting-archive' is in the code but not in infra/catalog.tf"
    ]
    unordered = msgspec.structs.replace(TOPICS[0], ordered=False)
    assert len(topic_problems((unordered, *TOPICS[1:]), catalog_topics)) == 1

    catalog_indexes = {
        s.name: {"collection": s.collection, "group": s.group, "fields": [list(f) for f in s.fields]} for s in INDEXES
    }
    new_index = IndexSpec("devices", (("org_id", "ASCENDING"), ("name", "ASCENDING")))
    assert index_problems((*INDEXES, new_index), catalog_indexes) == [
        "composite index 'ix_devices_org_id_name' is in the code but not in infra/catalog.tf"
    ]
    assert ttl_problems((*TTL_COLLECTIONS, "sessions"), TTL_COLLECTIONS) == [
        "TTL collection 'sessions' is in the code but not in infra/catalog.tf"
    ]


def _catalog_entry(ep: EntryPoint) -> dict[str, Any]:
    schedule = {"text": ep.schedule, "seconds": SCHEDULE_SECONDS[ep.name]} if ep.trigger == "scheduled" else None
    return {"trigger": ep.trigger, "topic": ep.topic, "access": "public" if ep.public else "iam", "schedule": schedule}


# ---------------------------------------------------------------- resources are generated from the catalogue


def test_every_entry_point_becomes_a_function_with_its_entry_point(infra: Infra) -> None:
    """One gen2 function per catalogue entry, named after its entry point, which main.py exports."""
    import main

    assert references(infra.locals["functions"], "local.entry_points")
    assert references(infra.locals["functions"], "local.trigger_defaults")
    fn = infra.resource("google_cloudfunctions2_function", "fn")
    assert fn["for_each"] == "${local.functions}"
    assert fn["name"] == "${each.key}"
    build = block(fn["build_config"])
    assert build["entry_point"] == "${each.key}"
    assert re.fullmatch(r"\$\{var\.runtime\}", build["runtime"])
    assert set(infra.locals["entry_points"]) <= set(main.__all__)


def test_pubsub_entry_points_are_pushed_their_topic(infra: Infra) -> None:
    """Each pubsub entry point's topic is pushed to that function with OIDC, ordering and a retry policy."""
    for ep in ENTRY_POINTS:
        if ep.trigger == "pubsub":
            assert ep.topic is not None
            assert infra.locals["topics"][ep.topic]["consumer"] == ep.name, ep.name
    consumed = infra.locals["consumed_topics"]
    assert references(consumed, "local.topics")
    assert "t.consumer != null" in consumed
    sub = infra.resource("google_pubsub_subscription", "push")
    assert sub["for_each"] == "${local.consumed_topics}"
    assert sub["topic"] == "${google_pubsub_topic.topic[each.key].id}"
    assert sub["enable_message_ordering"] == "${each.value.ordered}"
    push = block(sub["push_config"])
    assert push["push_endpoint"].startswith(
        "${google_cloudfunctions2_function.fn[each.value.consumer].service_config[0].uri}/projects/"
    )
    oidc = block(push["oidc_token"])
    assert oidc["service_account_email"] == "${google_service_account.pubsub_push.email}"
    assert block(sub["retry_policy"])["minimum_backoff"]
    assert "dead_letter_policy" in block(sub["dynamic"])


def test_scheduled_entry_points_get_an_oidc_scheduler_job(infra: Infra) -> None:
    """Each scheduled function has a Cloud Scheduler job whose cron fires at the registry's interval."""
    assert 'fn.trigger == "scheduled"' in infra.locals["scheduled_functions"]
    job = infra.resource("google_cloud_scheduler_job", "job")
    assert job["for_each"] == "${local.scheduled_functions}"
    assert job["schedule"] == "${each.value.schedule.cron}"
    target = block(job["http_target"])
    assert target["uri"] == "${google_cloudfunctions2_function.fn[each.key].service_config[0].uri}"
    assert block(target["oidc_token"])["audience"] == "${local.function_audience[each.key]}"
    for ep in ENTRY_POINTS:
        if ep.trigger == "scheduled":
            cron = infra.locals["entry_points"][ep.name]["schedule"]["cron"]
            assert cron_interval_seconds(cron) == SCHEDULE_SECONDS[ep.name], (ep.name, cron)


def test_topics_and_dead_letter_topics_exist(infra: Infra) -> None:
    """Every topic is created, and a '<name>-dead-letter' topic and subscription exist where the code dead-letters."""
    assert infra.resource("google_pubsub_topic", "topic")["for_each"] == "${local.topics}"
    assert infra.resource("google_pubsub_topic", "topic")["name"] == "${var.topic_prefix}${each.key}"
    assert "t.dead_letter" in infra.locals["dead_letter_topics"]
    dead = infra.resource("google_pubsub_topic", "dead_letter")
    assert dead["for_each"] == "${local.dead_letter_topics}"
    for spec in TOPICS:
        if spec.dead_letter:
            assert dead["name"].replace("${var.topic_prefix}${each.key}", spec.name) == spec.dead_letter_name
    kept = infra.resource("google_pubsub_subscription", "dead_letter")
    assert kept["for_each"] == "${local.dead_letter_topics}"


def test_pubsub_service_agent_can_dead_letter(infra: Infra) -> None:
    """Pub/Sub's agent publishes to every dead-letter topic and subscribes on every dead-lettering subscription."""
    publisher = infra.resource("google_pubsub_topic_iam_member", "agent_publishes_dead_letters")
    assert publisher["for_each"] == "${local.dead_letter_topics}"
    assert (publisher["role"], publisher["member"]) == ("roles/pubsub.publisher", "${local.pubsub_agent}")
    subscriber = infra.resource("google_pubsub_subscription_iam_member", "agent_subscribes_source")
    assert (subscriber["role"], subscriber["member"]) == ("roles/pubsub.subscriber", "${local.pubsub_agent}")
    assert "t.dead_letter" in subscriber["for_each"]


def test_published_topics_exist(infra: Infra) -> None:
    """A function may only be granted publish rights on topics the code declares."""
    known = {spec.name for spec in TOPICS}
    for name, fn in infra.locals["entry_points"].items():
        assert set(fn["publishes"]) <= known, name


def test_firestore_resources_iterate_the_catalogue(infra: Infra) -> None:
    """Composite indexes and TTL policies are generated from the catalogue, TTL on expireAt."""
    index = infra.resource("google_firestore_index", "composite")
    assert index["for_each"] == "${local.firestore_indexes}"
    assert "COLLECTION_GROUP" in index["query_scope"]
    ttl = infra.resource("google_firestore_field", "ttl")
    assert ttl["for_each"] == "${toset(local.ttl_collections)}"
    assert ttl["field"] == "expireAt"
    assert "ttl_config" in ttl
    assert "index_config" in ttl


def test_exempt_fields_are_not_needed_by_any_index(infra: Infra) -> None:
    """No composite index uses expireAt or a sealed field, which infra exempts from indexing."""
    exempt = {"expireAt"} | {f for fields in infra.locals["sealed_fields"].values() for f in fields}
    for spec in INDEXES:
        assert not exempt & {name for name, _ in spec.fields}, spec.name


# ---------------------------------------------------------------- settings, scopes, access


def test_every_environment_variable_is_a_known_setting(infra: Infra) -> None:
    """Each HYBRIDCAL_* name anywhere in infra exists in shared/config.py SETTINGS."""
    known = {spec.env for spec in SETTINGS}
    used = {name for text in infra.text.values() for name in re.findall(r"\bHYBRIDCAL_[A-Z0-9_]+\b", text)}
    assert used, "infra sets no HYBRIDCAL_* variable"
    assert sorted(used - known) == []


def test_functions_get_the_gcp_backend_settings(infra: Infra) -> None:
    """Every function runs the gcp backend with its required settings."""
    env = infra.locals["function_env"]
    assert env["HYBRIDCAL_BACKEND"] == "gcp"
    for required in ("HYBRIDCAL_GCP_PROJECT", "HYBRIDCAL_KMS_KEY", "HYBRIDCAL_PUBLIC_URL", "HYBRIDCAL_TOPIC_PREFIX"):
        assert env.get(required), required
    service = block(infra.resource("google_cloudfunctions2_function", "fn")["service_config"])
    assert service["environment_variables"] == "${merge(local.function_env, local.caller_env[each.key])}"


def test_delegation_output_names_the_code_scopes(infra: Infra) -> None:
    """The delegation output prints the client id and exactly the scopes the code requests."""
    assert tuple(infra.locals["google_scopes"]) == GOOGLE_SCOPES
    value = infra.outputs["workspace_delegation"]["value"]
    assert value["client_id"] == "${google_service_account.delegation.unique_id}"
    assert value["scopes"] == '${join(",", local.google_scopes)}'


def test_only_the_webhook_and_meetings_api_are_public(infra: Infra) -> None:
    """allUsers may invoke exactly the public entry points; pubsub and scheduled ones take internal traffic only."""
    public = {name for name, fn in infra.locals["entry_points"].items() if fn["access"] == "public"}
    assert public == {ep.name for ep in ENTRY_POINTS if ep.public} == {"calendar_webhook", "meetings_api"}
    grant = infra.resource("google_cloud_run_v2_service_iam_member", "public_invoker")
    assert (grant["for_each"], grant["member"]) == ("${local.public_functions}", "allUsers")
    text = "\n".join(infra.text.values())
    assert text.count('"allUsers"') == 1
    service = block(infra.resource("google_cloudfunctions2_function", "fn")["service_config"])
    assert service["ingress_settings"] == '${each.value.trigger == "http" ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"}'


def test_function_sizing_is_within_platform_limits(infra: Infra) -> None:
    """Memory, CPU, timeout, concurrency and instance bounds (trigger defaults applied) are valid per trigger."""
    for name, fn in sized_entry_points(infra).items():
        assert {"memory", "cpu", "timeout", "concurrency", "min", "max"} <= set(fn), f"{name}: sizing incomplete"
        assert re.fullmatch(r"\d+(Mi|Gi)", fn["memory"]), name
        assert fn["concurrency"] == 1 or float(fn["cpu"]) >= 1, f"{name}: concurrency > 1 needs a whole CPU"
        assert 0 <= fn["min"] <= fn["max"], name
        limit = {"http": 3600, "scheduled": 1800, "pubsub": 600}[fn["trigger"]]
        assert 1 <= fn["timeout"] <= limit, f"{name}: timeout {fn['timeout']} > {limit}"
        if fn["trigger"] == "scheduled":
            assert fn["timeout"] <= fn["schedule"]["seconds"], f"{name}: a run outlasts its interval"
            assert fn["max"] == 1, f"{name}: scheduled sweeps run as a single instance"
