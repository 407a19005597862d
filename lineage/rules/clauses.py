"""Policy clauses as values: a citation renders with its Japanese text and a gloss.

Example:
    >>> c = Clause("5[2]3")
    >>> str(c), c.text_ja[:8]
    ('5[2]3', '個人情報を特定の')
"""

from __future__ import annotations

import re

from dataclasses import dataclass

__all__ = ["Clause", "CLAUSE_TEXT", "Article", "ARTICLE_HEADINGS", "ACT_URL", "citation"]

#: Clause code -> (Japanese text of the policy, English gloss). Texts are quoted
#: from ``docs/spec/policy-ja.txt`` so a reader sees the promise the rule enforces.
CLAUSE_TEXT: dict[str, tuple[str, str]] = {
    "1.5": ("弊社が、個人情報の処理を外部へ委託する場合には、漏えいや再提供を行わないよう契約により義務づけ、"
            "適切な管理を実施させていただきます。",
            "When we outsource processing of personal information, we oblige the outsourcee "
            "by contract not to leak or re-provide it, and manage it properly."),
    "2": ("モノコラボは、個人情報を取り扱うにあたって、その利用の目的を出来る限り特定します。",
          "We specify the purpose of use as far as possible."),
    "3": ("モノコラボは、個人情報を取得するにあたり、あらかじめその利用目的を公表します。",
          "Before acquiring personal information we announce its purpose of use."),
    "4": ("業務の一部を委託先に委託し…個人情報の取り扱いに関する契約の締結や適切な監督を行います。",
          "When we entrust work to outsourcees we conclude contracts on handling personal "
          "information and supervise them."),
    "5[1]": ("モノコラボは、次に掲げる場合を除くほか、あらかじめご本人の同意を得ないで、個人情報を第三者に提供しません。",
             "Except in the listed cases we do not provide personal information to a third "
             "party without the person's prior consent."),
    "5[1]1": ("法令に基づく場合", "Based on laws and regulations."),
    "5[1]2": ("人の生命、身体または財産の保護のために必要がある場合であって、ご本人の同意を得ることが困難であるとき",
              "Necessary to protect life, body or property, when consent is difficult to obtain."),
    "5[1]3": ("公衆衛生の向上または児童の健全な育成の推進のために特に必要がある場合であって、ご本人の同意を得ることが困難であるとき",
              "Specially necessary for public health or the healthy upbringing of children, "
              "when consent is difficult to obtain."),
    "5[1]4": ("国の機関もしくは地方公共団体またはその委託を受けた者が法令の定める事務を遂行することに対して協力する必要がある場合であって、"
              "ご本人の同意を得ることにより当該事務の遂行に支障を及ぼすおそれがあるとき",
              "Cooperation with public bodies performing duties under law, when asking "
              "consent would hinder the duty."),
    "5[1]5": ("予め次の事項を告知あるいは公表をしている場合 (1) 利用目的に第三者への提供を含むこと (2) 第三者に提供されるデータの項目 "
              "(3) 第三者への提供の手段または方法 (4) ご本人の求めに応じて個人情報の第三者への提供を停止すること",
              "Opt-out: announced in advance that (1) the purpose includes provision to third "
              "parties, (2) the items provided, (3) the means or method, (4) provision stops "
              "at the person's request."),
    "5[2]1": ("モノコラボが利用目的の達成に必要な範囲内において個人情報の取扱いの全部または一部を委託する場合",
              "Outsourcing all or part of the handling within the scope needed for the "
              "purpose of use (not a third party)."),
    "5[2]2": ("合併その他の事由による事業の承継に伴って個人情報が提供される場合",
              "Provision accompanying a business succession by merger or otherwise (not a "
              "third party)."),
    "5[2]3": ("個人情報を特定の者との間で共同して利用する場合であって、その旨並びに共同して利用される個人情報の項目、"
              "共同して利用する者の範囲、利用する者の利用目的および当該個人情報の管理について責任を有する者の氏名または名称について、"
              "あらかじめご本人に通知し、またはご本人が容易に知り得る状態に置いているとき",
              "Joint use, when the fact, the items, the range of joint users, their purposes "
              "and the name of the person responsible were notified or made easily knowable "
              "in advance (not a third party)."),
    "5[3]": ("利用目的または管理責任者の氏名または名称が変更される場合は、変更する内容について、あらかじめご本人に通知し、"
             "またはご本人が容易に知り得る状態に置きます。",
             "A change to the joint-use purposes or the responsible person's name is "
             "notified or made easily knowable in advance."),
    "8": ("クッキー及びIPアドレス情報…これら情報と個人情報が一体となって使用される場合にはこれら情報も個人情報とみなします。"
          "…クッキー及びIPアドレス情報を利用する場合には、その目的と方法を開示してまいります。",
          "Cookies and IP addresses are personal information when used together with "
          "personal information; their purposes and methods of use are disclosed."),
}


@dataclass(frozen=True, order=True)
class Clause:
    """A citation of one or more policy clauses, e.g. ``5[1]2, 5[1]3``.

    Example:
        >>> c = Clause("5[1]2, 5[1]3")
        >>> str(c), c.parts
        ('5[1]2, 5[1]3', ['5[1]2', '5[1]3'])
    """

    code: str

    def __str__(self) -> str:
        return self.code

    @property
    def label_ja(self) -> str:
        """The citation as a Japanese listing shows it (a clause key reads the same).

        Example:
            >>> Clause("5[2]3").label_ja
            '5[2]3'
        """
        return self.code

    @property
    def parts(self) -> list[str]:
        """The single clause codes this citation names.

        Example:
            >>> Clause("5[1]2, 5[1]3").parts, Clause("8").parts
            (['5[1]2', '5[1]3'], ['8'])
        """
        return [p.strip() for p in self.code.split(",")]

    def _lookup(self, part: str) -> tuple[str, str]:
        while part and part not in CLAUSE_TEXT:
            part = part.rsplit("(", 1)[0] if "(" in part else part[:-1]
        return CLAUSE_TEXT.get(part, ("", ""))

    @property
    def text_ja(self) -> str:
        """The policy's own words for this clause.

        Example:
            >>> Clause("5[1]1").text_ja
            '法令に基づく場合'
        """
        return " / ".join(self._lookup(p)[0] for p in self.parts)

    @property
    def text_en(self) -> str:
        """An English gloss of the clause.

        Example:
            >>> Clause("5[1]1").text_en
            'Based on laws and regulations.'
        """
        return " / ".join(self._lookup(p)[1] for p in self.parts)

    def as_dict(self) -> dict:
        """The citation with its texts.

        Example:
            >>> Clause("5[1]1").as_dict()["text_en"]
            'Based on laws and regulations.'
            >>> sorted(Clause("5[1]1").as_dict())
            ['clause', 'text_en', 'text_ja']
        """
        return {"clause": self.code, "text_ja": self.text_ja, "text_en": self.text_en}


#: Article number -> (Japanese heading, English gloss of the heading) of the Act on
#: the Protection of Personal Information (Act No. 57 of 2003, numbering in force
#: from 2022-04-01) and, under ``Rule``, of its Enforcement Rules. Headings only:
#: no authoritative copy of the text is at hand, so the Act's wording is never
#: quoted (read it at :data:`ACT_URL`).
ARTICLE_HEADINGS: dict[str, tuple[str, str]] = {
    "25": ("第25条 委託先の監督", "Supervision of outsourcees"),
    "27": ("第27条 第三者提供の制限", "Restriction of provision to third parties"),
    "28": ("第28条 外国にある第三者への提供の制限",
           "Restriction of provision to third parties in foreign countries"),
    "29": ("第29条 第三者提供に係る記録の作成等",
           "Keeping records of provision to third parties"),
    "30": ("第30条 第三者提供を受ける際の確認等",
           "Confirmation when receiving data from a third party"),
    "31": ("第31条 個人関連情報の第三者提供の制限等",
           "Restriction of provision of personally referable information"),
    # The Rule is cited by number alone: its heading could not be checked against an
    # official copy, and a wrong heading in a compliance report is worse than none.
    "Rule 11": ("個人情報保護法施行規則 第11条",
                "Enforcement Rules of the Act, Art. 11 (opt-out notice: the period before provision)"),
}

_ROMAN = {r: str(n) for n, r in enumerate(
    ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"), start=1)}

#: The official text of the Act (e-Gov law search), the place to read its wording.
ACT_URL = "https://laws.e-gov.go.jp/law/415AC0000000057"


@dataclass(frozen=True, order=True)
class Article:
    """A citation of the Act, e.g. ``28(1)`` (``Art. 28(1)``) or ``Rule 11(1)``.

    Used by the law pack where the policy pack cites a :class:`Clause`; it has
    the same interface, with the Article's Japanese heading as ``text_ja``.

    Example:
        >>> a = Article("28(1)")
        >>> str(a), a.number, a.heading_ja
        ('Art. 28(1)', '28', '第28条 外国にある第三者への提供の制限')
        >>> str(Article("Rule 11(1)")), Article("Rule 11(1)").number
        ('Rule 11(1)', 'Rule 11')
    """

    code: str

    def __str__(self) -> str:
        return self.code if self.code.startswith("Rule") else f"Art. {self.code}"

    @property
    def number(self) -> str:
        """The Article (or ``Rule N``) without paragraph and item.

        Example:
            >>> Article("27(1)(v)-(vii)").number, Article("27(2) proviso").number
            ('27', '27')
        """
        return self.code.split("(")[0].split(" proviso")[0].strip()

    @property
    def parts(self) -> list[str]:
        """The single citations (one for an Article).

        Example:
            >>> Article("27(6)").parts
            ['27(6)']
        """
        return [self.code]

    @property
    def heading_ja(self) -> str:
        """The Article's number and heading in Japanese (見出し).

        Example:
            >>> Article("29").heading_ja
            '第29条 第三者提供に係る記録の作成等'
        """
        return ARTICLE_HEADINGS.get(self.number, ("", ""))[0]

    @property
    def label_ja(self) -> str:
        """The citation in Japanese, as a Japanese reader writes it.

        Example:
            >>> Article("27(2) proviso").label_ja, Article("27(1)(v)-(vii)").label_ja
            ('法第27条第2項ただし書', '法第27条第1項第5号～第7号')
            >>> Article("Rule 11(1)").label_ja, Article("29").label_ja
            ('規則第11条第1項', '法第29条')
        """
        rule = self.code.startswith("Rule")
        code = self.code[len("Rule"):].strip() if rule else self.code
        proviso = code.endswith(" proviso")
        code = code.removesuffix(" proviso")
        number, _, rest = code.partition("(")
        out = f"{'規則' if rule else '法'}第{number.strip()}条"
        parts = re.findall(r"\(([^)]+)\)", "(" + rest) if rest else []
        if parts:
            out += f"第{parts[0]}項"
            items = [_ROMAN.get(p, p) for p in parts[1:]]
            if items:
                out += f"第{items[0]}号" + (f"～第{items[-1]}号" if len(items) > 1 else "")
        return out + ("ただし書" if proviso else "")

    @property
    def heading_en(self) -> str:
        """An English gloss of the heading.

        Example:
            >>> Article("25").heading_en
            'Supervision of outsourcees'
        """
        return ARTICLE_HEADINGS.get(self.number, ("", ""))[1]

    @property
    def text_ja(self) -> str:
        """What a report shows for the citation: the heading, never the Act's wording.

        Example:
            >>> Article("30").text_ja
            '個人情報保護法 第30条 第三者提供を受ける際の確認等'
        """
        heading = self.heading_ja
        return heading if self.code.startswith("Rule") else f"個人情報保護法 {heading}"

    @property
    def text_en(self) -> str:
        """An English gloss naming the Act and the Article's subject.

        Example:
            >>> Article("31(1)").text_en
            'Act on the Protection of Personal Information, Art. 31(1): Restriction of provision of personally referable information'
        """
        return f"Act on the Protection of Personal Information, {self}: {self.heading_en}"

    def as_dict(self) -> dict:
        """The citation with its heading.

        Example:
            >>> sorted(Article("27(2)").as_dict())
            ['clause', 'text_en', 'text_ja', 'url']
        """
        return {"clause": str(self), "text_ja": self.text_ja, "text_en": self.text_en,
                "url": ACT_URL}


def citation(code: str) -> "Clause | Article":
    """The citation value a finding's ``clause`` text stands for.

    Example:
        >>> type(citation("5[1]")).__name__, type(citation("Art. 28(1)")).__name__
        ('Clause', 'Article')
        >>> citation("Art. 28(1)") == Article("28(1)"), citation("Rule 11(1)").number
        (True, 'Rule 11')
    """
    if code.startswith("Art. "):
        return Article(code[len("Art. "):])
    if code.startswith("Rule "):
        return Article(code)
    return Clause(code)
