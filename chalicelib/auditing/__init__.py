"""Audit-log integrity: daily signed digests and the verifier behind `python -m chalicelib.cli audit`.

Modelled on CloudTrail log-file validation: each day, per force, a digest lists every audit object
written that day with its hash, links to the previous digest by hash, and is signed with an
asymmetric KMS key. Anyone who can read the bucket (and verify with the key) can then prove that
no event was altered, removed, reordered or inserted.
"""
