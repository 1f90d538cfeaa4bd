"""HubSpot API facts the connector relies on (and its emulator reproduces)."""

from __future__ import annotations

OBJECT_TYPES = ("companies", "contacts", "deals")
SINGULAR = {"companies": "company", "contacts": "contact", "deals": "deal"}
ASSOCIATION_TYPE_IDS = {
    ("contacts", "companies"): 279,
    ("companies", "contacts"): 280,
    ("deals", "companies"): 341,
    ("companies", "deals"): 342,
    ("deals", "contacts"): 3,
    ("contacts", "deals"): 4,
}
LIST_MAX = 100
SEARCH_MAX = 200
BATCH_READ_MAX = 100
ASSOCIATION_BATCH_MAX = 1000


def modified_property(object_type: str) -> str:
    """The property HubSpot bumps on every change of an object of this type."""
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
