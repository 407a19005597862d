from itertools import chain
from operator import attrgetter

from ..base import Example, Rule
from ..clauses import Clause
from ...model.tables import sheet_ja

_PURPOSES = attrgetter("purposes")


class TP402(Rule):
    """A flow names a purpose the inventory does not define.

    The one reference allowed not to resolve: reported as a warning
    (``TP402:<flow>:<purpose>``) and ignored by every other rule.

    Non-compliant: purpose ``profiling`` is not in purposes.
    Compliant: a defined purpose.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP402.fail.inventory)).findings]
        ['TP402:F1:profiling']
    """

    id = "TP402"
    clause = Clause("2")
    kind = "purpose"
    severity = "warning"
    title_en = "Purpose not specified"
    title_ja = "特定されていない利用目的"
    when_ja = ("フローが、棚卸しの利用目的 (purposes) に定義されていない利用目的を挙げている。"
               "棚卸しの参照のうち定義がなくてもエラーにならない唯一のもので、警告として指摘し、"
               "ほかのルールはその利用目的を判断に使わない。")
    remedy_en = "Define the purpose in purposes (and announce it), or correct the flow."
    remedy_ja = f"その利用目的を棚卸しの「{sheet_ja('purposes')}」に定義(公表)するか、フローを修正してください。"
    fail = Example("undefined purpose", """
flows:
  - {id: F1, from: customers, to: mc, items: [email], purposes: [profiling], start: 2025-01-01}
""", ("TP402:F1:profiling",))
    passing = Example("defined purpose", """
flows:
  - {id: F1, from: customers, to: mc, items: [email], purposes: [shipping], start: 2025-01-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """Yields one finding per purpose a flow names that the inventory does not define.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(TP402.fail.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> [f.id for f in TP402.check(ctx, judged)]
            ['TP402:F1:profiling']
        """
        purposes = ctx.purposes
        flows = ctx.inv.flows
        # Nearly always every purpose named is defined: one look at the set of them,
        # made by C loops, instead of one per flow.
        if purposes.keys() >= set(chain.from_iterable(map(_PURPOSES, flows))):
            return
        for flow in flows:
            for purpose in flow.purposes:
                if purpose not in purposes:
                    yield cls.finding(flow, subject=purpose,
                                      message=f"purpose {purpose} is not defined",
                                      message_ja=f"利用目的 {purpose} が定義されていません")
