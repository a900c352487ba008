"""Adapters to other ecosystems (LlamaIndex); each needs its optional extra."""
