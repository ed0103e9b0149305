"""Loading the knowledge base: YAML source, schema, validation, cross-references and
translations, and the models they produce.

Builds on `intents.text`; knows nothing of matching."""
