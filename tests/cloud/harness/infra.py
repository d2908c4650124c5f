"""What infra/*.tf declares for the deployment, evaluated for the harness's project and function URLs.

Each function's environment, secret environment and service account; the topics, the push
subscriptions (endpoint, OIDC identity and audience, ordering, ack deadline, retention, retry
and dead-letter policy), the dead-letter subscriptions, the Cloud Scheduler jobs and every
function's publish grants. Values Google assigns when it creates a resource (a service
account's email, a topic's id, a function's URL) come from :meth:`InfraView.resolve`, the one
place that stands in for Google; anything else it meets raises
:class:`~tests.cloud.harness.hcl.Unresolved`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.cloud.harness.hcl import Evaluator, Unresolved
from tests.infra import terraform

PROJECT_NUMBER = "123456789012"


@dataclass(frozen=True, slots=True)
class SecretEnv:
    """An environment variable Cloud Run fills from a Secret Manager version."""

    key: str
    secret: str
    version: str


@dataclass(frozen=True, slots=True)
class PushSubscription:
    """A push subscription: who it pushes to and how."""

    name: str
    topic: str
    endpoint: str
    consumer: str
    service_account: str
    audience: str
    ordered: bool
    ack_deadline: int
    retention_seconds: int
    min_backoff: float
    max_backoff: float
    dead_letter_topic: str | None
    max_delivery_attempts: int | None


@dataclass(frozen=True, slots=True)
class SchedulerJob:
    """A Cloud Scheduler job: the HTTP call it makes on each tick."""

    name: str
    function: str
    cron: str
    uri: str
    method: str
    headers: dict[str, str]
    body: bytes
    service_account: str
    audience: str


def _seconds(text: Any) -> float:
    return float(str(text).removesuffix("s"))


class InfraView:
    """infra/ evaluated for one harness deployment."""

    def __init__(
        self, project: str, function_urls: Mapping[str, str], public_url: str, infra: terraform.Infra | None = None
    ) -> None:
        self.infra = infra or terraform.load()
        self.project = project
        self.function_urls = dict(function_urls)
        variables = {k: terraform.plain(v.get("default")) for k, v in self.infra.variables.items() if "default" in v}
        variables["project_id"] = project
        self.eval = Evaluator(variables, self.infra.locals, self.resolve, local_overrides={"public_url": public_url})

    # ------------------------------------------------------------ what Google assigns

    def _instance(self, kind: str, name: str, path: tuple[Any, ...]) -> tuple[dict[str, Any], dict[str, Any], tuple]:
        body = self.infra.resource(kind, name)
        scope: dict[str, Any] = {}
        rest = path
        if "count" in body:
            rest = path[1:]  # name[0]: the single instance a count of one makes
        elif "for_each" in body:
            collection = self.eval.value(body["for_each"])
            if isinstance(collection, list):
                collection = {item: item for item in collection}
            key, rest = path[0], path[1:]
            scope["each"] = {"key": key, "value": collection[key]}
        return body, scope, rest

    def resolve(self, path: tuple[Any, ...]) -> Any:
        """The value of a resource or data attribute, as Google would assign it."""
        if path[:3] == ("data", "google_project", "this"):
            return {"number": PROJECT_NUMBER, "project_id": self.project}[path[3]]
        kind, name = path[0], path[1]
        if kind == "google_project_service_identity":
            return f"service-{PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com"
        body, scope, rest = self._instance(kind, name, path[2:])
        attribute = rest[0] if rest else None

        def own(field: str) -> Any:
            return self.eval.value(body[field], scope)

        if kind == "google_service_account":
            email = f"{own('account_id')}@{self.project}.iam.gserviceaccount.com"
            name = f"projects/{self.project}/serviceAccounts/{email}"
            values = {"email": email, "member": f"serviceAccount:{email}", "name": name}
        elif kind == "google_kms_key_ring":
            values = {"id": f"projects/{self.project}/locations/{own('location')}/keyRings/{own('name')}"}
        elif kind == "google_kms_crypto_key":
            values = {"id": f"{own('key_ring')}/cryptoKeys/{own('name')}"}
        elif kind == "google_pubsub_topic":
            values = {"name": own("name"), "id": f"projects/{self.project}/topics/{own('name')}"}
        elif kind == "google_pubsub_subscription":
            values = {"name": own("name"), "id": f"projects/{self.project}/subscriptions/{own('name')}"}
        elif kind == "google_secret_manager_secret":
            values = {"secret_id": own("secret_id"), "id": f"projects/{self.project}/secrets/{own('secret_id')}"}
        elif kind == "google_cloudfunctions2_function" and rest[:3] == ("service_config", 0, "uri"):
            return self.function_urls[path[2]]
        else:
            values = {}
        if attribute in values:
            return values[attribute]
        if attribute in body:
            return own(attribute)
        raise Unresolved(f"the harness cannot stand in for {'.'.join(map(str, path))}")

    # ------------------------------------------------------------ functions

    @property
    def functions(self) -> list[str]:
        """Every function infra deploys."""
        return sorted(self.eval.local("functions"))

    def _function_scope(self, function: str) -> tuple[dict[str, Any], dict[str, Any]]:
        fn = self.infra.resource("google_cloudfunctions2_function", "fn")
        scope = {"each": {"key": function, "value": self.eval.local("functions")[function]}}
        return fn, scope

    def environment(self, function: str) -> dict[str, str]:
        """The function's ``environment_variables``, as text."""
        fn, scope = self._function_scope(function)
        service = terraform.block(fn["service_config"])
        env = self.eval.value(service["environment_variables"], scope)
        return {str(k): _text(v) for k, v in env.items()}

    def secret_environment(self, function: str) -> list[SecretEnv]:
        """The function's ``secret_environment_variables`` (dynamic blocks expanded)."""
        fn, scope = self._function_scope(function)
        service = terraform.block(fn["service_config"])
        out = []
        for dynamic in service.get("dynamic", []):
            spec = dynamic.get("secret_environment_variables")
            if spec is None:
                continue
            for item in self.eval.value(spec["for_each"], scope):
                inner = {**scope, "secret_environment_variables": {"value": item}}
                content = terraform.block(spec["content"])
                values = {k: self.eval.value(v, inner) for k, v in content.items()}
                out.append(SecretEnv(str(values["key"]), str(values["secret"]), str(values["version"])))
        return out

    def service_account(self, function: str) -> str:
        """The email of the service account the function runs as."""
        fn, scope = self._function_scope(function)
        return str(self.eval.value(terraform.block(fn["service_config"])["service_account_email"], scope))

    def publish_grants(self) -> dict[str, set[str]]:
        """Topic keys (without prefix) each function may publish to."""
        grants: dict[str, set[str]] = {name: set() for name in self.functions}
        for grant in self.eval.local("publisher_grants").values():
            grants[grant["function"]].add(grant["topic"])
        return grants

    # ------------------------------------------------------------ Pub/Sub and Scheduler

    def topics(self) -> dict[str, str]:
        """Topic key → topic name, dead-letter topics included (key ``<topic>-dead-letter``)."""
        names = {key: self.resolve(("google_pubsub_topic", "topic", key, "name")) for key in self.eval.local("topics")}
        for key in self.eval.local("dead_letter_topics"):
            names[f"{key}-dead-letter"] = self.resolve(("google_pubsub_topic", "dead_letter", key, "name"))
        return names

    def dead_letter_retention(self) -> int:
        """Seconds the dead-letter pull subscriptions keep their messages."""
        body = self.infra.resource("google_pubsub_subscription", "dead_letter")
        return int(_seconds(self.eval.value(body["message_retention_duration"])))

    def dead_letter_subscriptions(self) -> dict[str, tuple[str, str]]:
        """Source topic key → (subscription name, dead-letter topic name)."""
        body = self.infra.resource("google_pubsub_subscription", "dead_letter")
        out = {}
        for key in self.eval.value(body["for_each"]):
            scope = {"each": {"key": key, "value": self.eval.local("dead_letter_topics")[key]}}
            topic = self.resolve(("google_pubsub_topic", "dead_letter", key, "name"))
            out[key] = (str(self.eval.value(body["name"], scope)), str(topic))
        return out

    def push_subscriptions(self) -> list[PushSubscription]:
        """Every push subscription (each resource with a ``push_config``), evaluated."""
        out = []
        for _name, body in sorted(self.infra.resources.get("google_pubsub_subscription", {}).items()):
            if "push_config" in body:
                out += self._push_subscriptions(body)
        return out

    def _push_subscriptions(self, body: dict[str, Any]) -> list[PushSubscription]:
        out = []
        for key, topic in sorted(self.eval.value(body["for_each"]).items()):
            scope = {"each": {"key": key, "value": topic}}
            push = terraform.block(body["push_config"])
            oidc = terraform.block(push["oidc_token"])
            retry = terraform.block(body["retry_policy"])
            dead_topic, attempts = None, None
            for dynamic in body.get("dynamic", []):
                spec = dynamic.get("dead_letter_policy")
                for item in self.eval.value(spec["for_each"], scope) if spec else []:
                    content = terraform.block(spec["content"])
                    inner = {**scope, "dead_letter_policy": {"value": item}}
                    dead_topic = str(self.eval.value(content["dead_letter_topic"], inner)).rsplit("/", 1)[-1]
                    attempts = int(self.eval.value(content["max_delivery_attempts"], inner))
            out.append(
                PushSubscription(
                    name=str(self.eval.value(body["name"], scope)),
                    topic=str(self.eval.value(body["topic"], scope)).rsplit("/", 1)[-1],
                    endpoint=str(self.eval.value(push["push_endpoint"], scope)),
                    consumer=str(topic["consumer"]),
                    service_account=str(self.eval.value(oidc["service_account_email"], scope)),
                    audience=str(self.eval.value(oidc["audience"], scope)),
                    ordered=bool(self.eval.value(body.get("enable_message_ordering", False), scope)),
                    ack_deadline=int(self.eval.value(body["ack_deadline_seconds"], scope)),
                    retention_seconds=int(_seconds(self.eval.value(body["message_retention_duration"], scope))),
                    min_backoff=_seconds(self.eval.value(retry["minimum_backoff"], scope)),
                    max_backoff=_seconds(self.eval.value(retry["maximum_backoff"], scope)),
                    dead_letter_topic=dead_topic,
                    max_delivery_attempts=attempts,
                )
            )
        return out

    def scheduler_jobs(self) -> list[SchedulerJob]:
        """Every Cloud Scheduler job, evaluated."""
        import base64

        body = self.infra.resource("google_cloud_scheduler_job", "job")
        out = []
        for key, fn in sorted(self.eval.value(body["for_each"]).items()):
            scope = {"each": {"key": key, "value": fn}}
            target = terraform.block(body["http_target"])
            oidc = terraform.block(target["oidc_token"])
            headers = self.eval.value(target.get("headers", {}), scope)
            out.append(
                SchedulerJob(
                    name=str(self.eval.value(body["name"], scope)),
                    function=key,
                    cron=str(self.eval.value(body["schedule"], scope)),
                    uri=str(self.eval.value(target["uri"], scope)),
                    method=str(self.eval.value(target["http_method"], scope)),
                    headers={str(k): str(v) for k, v in headers.items()},
                    body=base64.b64decode(str(self.eval.value(target.get("body", ""), scope))),
                    service_account=str(self.eval.value(oidc["service_account_email"], scope)),
                    audience=str(self.eval.value(oidc["audience"], scope)),
                )
            )
        return out

    def kms_key(self) -> str:
        """The key-encryption key's resource name."""
        return str(self.resolve(("google_kms_crypto_key", "kek", "id")))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
