"""Matching a message: vectorise, index, train prototypes, score, decide, evaluate.

Builds on `intents.text` and on the loaded `intents.knowledge`."""
