"""How a message or an example is read: normalised words, stems and n-gram features,
sentences, language, typos, synonyms, answer markup.

Imports nothing else of the engine: loading and matching both build on it."""
