"""harness.provenance: the commit, package versions and host stored with every sweep."""

import re

from harness.provenance import provenance


def test_provenance_names_commit_versions_and_host():
    p = provenance()
    assert re.fullmatch(r"[0-9a-f]{40}", p["git_commit"]) and isinstance(p["git_dirty"], bool)
    assert p["versions"]["torch"] and p["versions"]["ray"] == "2.60.0" and p["driver_host"]
