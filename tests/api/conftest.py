"""Schemathesis items carry their operation in their node id (pytest 9.2 builds ids from `originalname`,
which drops the `[GET /path]` suffix schemathesis puts in the name, so every item had one id)."""
from __future__ import annotations


def pytest_collection_modifyitems(items):
    for item in items:
        label = getattr(item, "operation_label", None)
        node_id = getattr(item, "_id", None)
        if label and node_id is not None and getattr(node_id, "params", "") is None:
            item._id = node_id.with_params(label)
