"""The law pack ``appi``: one module per rule of ``docs/spec/rules.md`` (AP...).

The pack is opt-in (``--rules policy,appi``). Its rules read the route each
flow takes (decided by the policy rules, which run even when only ``appi`` is
selected), judge only flows that run on or after 2022-04-01, and cite Articles
of the Act (個人情報保護法) rather than policy clauses.
"""
