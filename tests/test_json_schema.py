"""The JSON Schema editors use for autocompletion matches the pydantic models."""

from __future__ import annotations

import json
import re
from pathlib import Path

from intents.knowledge.schema import knowledge_json_schema

SHIPPED = Path(__file__).resolve().parent.parent / "knowledge" / "schema" / "knowledge.schema.json"


def test_committed_schema_is_regenerated_from_the_models() -> None:
    # If this fails, run `ktbot schema` and commit knowledge/schema/knowledge.schema.json.
    assert SHIPPED.read_text(encoding="utf-8") == knowledge_json_schema()


def test_schema_describes_topics_contacts_categories_and_settings() -> None:
    properties = json.loads(knowledge_json_schema())["properties"]

    assert {"topics", "contacts", "categories", "settings", "freshness"} <= set(properties)


def test_schema_tells_editors_the_review_fields_and_what_a_source_may_be() -> None:
    topic = json.loads(knowledge_json_schema())["$defs"]["Topic"]["properties"]
    pattern = re.compile(topic["sources"]["items"]["pattern"])

    assert {"reviewed", "review_by", "time_sensitive"} <= set(topic)
    assert pattern.match("https://kt.cern/medtech") and pattern.match("seed:000_1f89.txt")
    assert not pattern.match("intent-catalog.md") and not pattern.match("seed:../x.txt")


def test_every_shipped_yaml_file_points_editors_at_the_schema() -> None:
    knowledge = SHIPPED.parent.parent
    files = sorted(knowledge.rglob("*.yaml"))

    assert files
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target == SHIPPED, path
