"""The JSON Schema of a knowledge file, generated from the pydantic models."""

from __future__ import annotations

import json

from intents.knowledge.models import KnowledgeFile

SCHEMA_ID = "https://json-schema.org/draft/2020-12/schema"


def knowledge_json_schema() -> str:
    schema = KnowledgeFile.model_json_schema()
    schema = {
        "$schema": SCHEMA_ID,
        "title": "ktbot knowledge file",
        "description": (
            "A YAML file under knowledge/: any mix of topics, contacts, categories and "
            "(once per knowledge base) settings. Validate with `ktbot check`."
        ),
        **{k: v for k, v in schema.items() if k not in {"title", "description"}},
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
