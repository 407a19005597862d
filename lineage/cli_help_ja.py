"""The command-line help in Japanese: every command's and option's text, and click's own words.

``lineage ... --help`` is Japanese when the language is Japanese (the locale
default every ``--lang`` uses: ``LINEAGE_LANG``, ``LC_ALL``, ``LC_MESSAGES``,
``LANG``). The English help stays where it is, in the commands' docstrings
and options; this module holds the Japanese texts (:data:`COMMANDS`,
:data:`OPTIONS`, :data:`COMMAND_OPTIONS`) and :func:`japanese_help`, which
puts them in place for one invocation and restores the English afterwards.
The examples (command lines) are taken from the English help as they are.

Example:
    >>> from lineage.cli import cli
    >>> cmd = cli.get_command(None, "validate")
    >>> with japanese_help(cli):
    ...     cmd.short_help
    '規則の検査をせずに棚卸しの形式だけを確かめます。'
    >>> cmd.short_help is None
    True
"""

from __future__ import annotations

import contextlib

import click

__all__ = ["COMMANDS", "OPTIONS", "COMMAND_OPTIONS", "CLICK_WORDS", "japanese_help",
           "option_text", "walk"]

#: Command path ("" for ``lineage`` itself) -> (short help, long help).
COMMANDS: dict[str, tuple[str, str]] = {
    "": ("個人データのフローを図にし、各フローを自社の個人情報保護方針に照らして検査します。",
         "個人データのフローを図にし、各フローを自社の個人情報保護方針に照らして検査します。\n\n"
         "INVENTORY は棚卸しです: YAML ファイル、YAML か CSV のファイルを置いたフォルダ、"
         "または Excel ブック (形式 lineage/1)。"),
    "check": ("すべてのフローを規則に照らして検査し、指摘を報告します。",
              "すべてのフローを規則に照らして検査し、指摘を報告します。\n\n"
              "終了コード 0: 指摘なし (または --exit-zero)。1: --fail-on 以上の指摘あり。"
              "2: 実行できなかった (棚卸しの誤りなど)。"),
    "convert": ("棚卸しを YAML、CSV フォルダ、Excel ブックの間で変換します。",
                "棚卸しを YAML、CSV フォルダ、Excel ブックの間で変換します。\n\n"
                "内容は失われません: 変換した棚卸しの検査結果は元と同じです。書き出せない値が"
                "あれば何も書かずに止まります。入力のファイルは変更しません。"
                "終了コード 0: 書き出した。2: 変換できなかった。"),
    "draw": ("Graphviz でフロー図を描きます: 区域、役割、経路、違反。",
             "Graphviz でフロー図を描きます: 区域、役割、経路、違反。\n\n"
             "--trace 項目 [--from 当事者] または --impact 当事者 を指定すると、その問いの答えを"
             "経路を強調して描きます。大きな図で区域を省いたりフローを統合したりしたときは、"
             "その注記を標準エラーに出します。--timeout 内に配置できない大きな図は、当事者を"
             "法人か役割ごとにまとめた要約図にし、そのことを標準エラーと図の題に書きます "
             "(--group [none] なら常に全当事者を描きます)。終了コード 0: 書き出した。2: 引数の誤り、"
             "棚卸しが読めない、または配置に失敗した。"),
    "explain": ("規則の説明、条項、違反する例と適合する例を表示します。",
                "規則の説明、条項、違反する例と適合する例を表示します。RULE は規則の ID、"
                "または報告書に載る指摘の ID で、その指摘の規則を説明します。INVENTORY を指定すると、"
                "その検査からその指摘を探して先に表示します: フロー、メッセージ、すべての根拠資料、"
                "対応、条項についての自組織の方針の文言。"
                "終了コード 0: 表示した。2: その規則がない、または INVENTORY にその指摘がない。"),
    "explore": ("閲覧用のページを書き出します: 全体、注目、項目の追跡、フローの詳細、絞り込み、検索。",
                "閲覧用のページを書き出します: 全体、注目、項目の追跡、フローの詳細、絞り込み、"
                "検索。\n\n一つの自己完結した HTML ファイルで、ネットワークなしで開けます。"
                "終了コード 0: 書き出した。2: 実行できなかった。"),
    "export": ("フローのグラフを、辺に経路と指摘を付けて書き出します。",
               "フローのグラフを、辺に経路と指摘を付けて書き出します。\n\n"
               "形式は出力の拡張子で決まります。GraphML と GEXF は yEd と Gephi が読む名称・"
               "色・状態を持ちます。終了コード 0: 書き出した。2: 実行できなかった。"),
    "impact": ("漏えいの影響範囲: その当事者が持つデータと、そこから受け取った提供先。",
               "漏えいの影響範囲: その当事者が持つデータと、そこから受け取った提供先。\n\n"
               "記録された人数があれば「約N人分のデータ」も示します。終了コード 0。"
               "2: 当事者が不明、または棚卸しが読めない。"),
    "report": ("監査報告書を書き出します: 概要、フロー図、種類別の指摘と方針の文言、経路、承認。",
               "監査報告書を書き出します: 概要、フロー図、種類別の指摘と方針の文言、各フローの"
               "経路、承認、そして --store があれば推移と前回からの変更。\n\n"
               "HTML ファイルは自己完結しています (スタイル、図、グラフを内包し、スクリプトも"
               "ネットワークも使いません)。終了コード 0: 書き出した。2: 実行できなかった。"),
    "rules": ("すべての規則を、条項、種類、重大度、表題とともに一覧します。",
              "すべての規則を、条項、種類、重大度、表題とともに一覧します。終了コード 0。"),
    "schema": ("棚卸しの形式の JSON Schema を表示します (エディタ向け)。",
               "棚卸しの形式の JSON Schema を表示します (エディタでの補完と検査向け)。"
               "終了コード 0。"),
    "snapshot": ("監査を証拠として保存し、比較します (ハッシュチェーン付きの SQLite ストア)。",
                 "監査を証拠として保存し、比較します (ハッシュチェーン付きの SQLite ストア)。\n\n"
                 "作成 (create)、一覧 (list)、表示 (show)、検証 (verify)、差分 (diff)。"
                 "差分の A と B は番号、ラベル、latest、previous、または棚卸しのパスです。"),
    "snapshot create": ("棚卸しを検査し、その監査を新しいスナップショットとして保存します。",
                        "棚卸しを検査し、その監査を新しいスナップショットとして保存します。\n\n"
                        "終了コード 0: 保存した (指摘の有無を問わない)。2: 棚卸しが読めない、"
                        "ラベルが使用済み、またはストアに書き込めない (ストアは元のまま)。"),
    "snapshot diff": ("A から B への変更: 指摘の新規・解消・継続、記録の追加・削除・変更と法的な意味。",
                      "A から B への変更: 指摘の新規・解消・継続、記録の追加・削除・変更と、"
                      "その法的な意味。\n\nA と B はスナップショットの番号、ラベル、latest、"
                      "previous、または棚卸しのパス (その場で検査します)。ストアは --store、"
                      "なければ現在のフォルダの .lineage/audits.db、それもなければ A か B に"
                      "指定した棚卸しのストアです。終了コード 0: B に A に"
                      "ない指摘はない。1: B に新規の指摘がある。"),
    "snapshot list": ("スナップショットを古い順に一覧します: 日付、ラベル、重大度・種類別の件数。",
                      "スナップショットを古い順に一覧します: 日付、ラベル、重大度別と種類別の"
                      "指摘の件数、経路別のフローの件数。終了コード 0。"),
    "snapshot show": ("スナップショットを一つ表示します: ハッシュ、フロー、指摘。",
                      "スナップショットを一つ (番号、ラベル、latest、previous) 表示します: "
                      "ハッシュ、フロー、指摘。終了コード 0。"),
    "snapshot verify": ("各スナップショットのハッシュを計算し直し、ハッシュチェーンをたどります。",
                        "各スナップショットのハッシュを計算し直し、ハッシュチェーンをたどります。"
                        "\n\n終了コード 0: 改ざんなし。1: 変更または削除されたスナップショットが"
                        "ある (それぞれを表示)、またはファイルが壊れている。2: ストアがない、より新しい"
                        "lineage のストア、または --head がチェーンのハッシュでない。"
                        "ストアは読み取り専用で開き、変更しません。"),
    "stop": ("同意の撤回や停止の求めがあった場合: 止めなければならないフローのすべて。",
             "同意の撤回や停止の求めがあった場合: 止めなければならないフローのすべて。\n\n"
             "--consent か --subjects のどちらか一方を指定します。終了コード 0。"
             "2: 指定が不明、または棚卸しが読めない。"),
    "template": ("記入用の Excel ブック (OUTPUT.xlsx) のひな形を書き出します。",
                 "記入用の Excel ブック (OUTPUT.xlsx) のひな形を書き出します。\n\n"
                 "シートと列の見出しは --lang の言語で書きます。役割、種類、根拠、他のシートへの"
                 "参照には入力規則 (選択肢) を付けます。終了コード 0: 書き出した。"
                 "2: 書き出せなかった。"),
    "trace": ("項目が届く先: すべての当事者と、そこへの最短の経路。",
              "項目が届く先: すべての当事者と、そこへの最短の経路。\n\n"
              "終了コード 0。2: 項目や当事者が不明、または棚卸しが読めない。"),
    "upstream": ("当事者のデータの出どころを、フローごとの経路とともにたどります。",
                 "当事者のデータの出どころを、フローごとの経路とともにたどります。\n\n"
                 "終了コード 0。2: 当事者や項目が不明、または棚卸しが読めない。"),
    "validate": ("規則の検査をせずに棚卸しの形式だけを確かめます。",
                 "規則の検査をせずに棚卸しの形式だけを確かめます。\n\n"
                 "終了コード 0: 問題なし。2: 問題あり (ファイル、記録、欄を示します)。"),
}

#: Option (its parameter name) -> Japanese help, for every command that has it.
OPTIONS: dict[str, str] = {
    "help": "この説明を表示して終了します。",
    "version": "版を表示して終了します。",
    "quiet": "標準エラーに進捗を表示しません (進捗は端末で、数秒以上かかる処理にだけ表示します)。",
    "encoding": "CSV フォルダの棚卸しの文字コード。auto: BOM があるか UTF-8 として正しければ "
                "UTF-8、それ以外は Shift_JIS (CP932)。",
    "lang": "出力とメッセージの言語。",
    "as_of": "監査基準日 (棚卸しの as_of より優先)。",
    "packs": "ルールパック (コンマ区切り)。",
    "fmt": "出力の形式。",
    "output": "この出力先に書き出します (既定: 標準出力)。",
    "store": "スナップショットのストアのファイル。既定: 棚卸しの隣の .lineage/audits.db "
             "(create、report) または現在のフォルダのもの (その他のコマンド)。",
    "item": "この項目だけ。",
    "party": "この当事者。",
    "depth": "最大でこの数のフローまで。",
    "force": "既にある出力を置き換えます。",
}

#: Command path -> {option: Japanese help} where the command's option says something else.
COMMAND_OPTIONS: dict[str, dict[str, str]] = {
    "check": {
        "select": "これらの規則 ID または接頭辞だけを検査します。",
        "ignore": "これらの規則 ID または接頭辞を検査しません。",
        "fail_on": "終了コードを 1 にする最も低い重大度。",
        "exit_zero": "指摘があっても終了コード 0 で終わります。",
        "output": "報告を標準出力ではなくこのファイルに書き出します ('-': 標準出力)。",
        "baseline": "保存したスナップショット (既定: 最新) にない指摘があるときだけ失敗します。"
                    "標準エラーに「新規 N 件、既知 M 件」を出します。",
    },
    "convert": {
        "to": "出力の形式。出力先がフォルダのときに必要です (yaml か csv)。",
        "force": "既にあるファイル、または空でないフォルダの棚卸しのファイルを置き換えます。",
    },
    "draw": {
        "output": "書き出すファイル。拡張子で形式が決まります (.svg .png .pdf .dot)。",
        "font": "フォント名の並び (既定 'Noto Sans CJK JP,IPAexGothic,sans-serif')。",
        "only_violations": "違反のフローとその両端の当事者だけを描きます。",
        "item": "この項目を運ぶフローだけ。",
        "party": "この当事者の周辺だけ (--depth を参照)。",
        "depth": "--party の周りのフロー数 (両方向、既定 1)。--trace では経路の最大フロー数 "
                 "(既定: 制限なし)。",
        "route": "この経路のフローだけ。",
        "merge": "二つの当事者の間の並行するフローを統合します。",
        "layout": "最初に試す配置。auto は大きさで選び、失敗すれば簡単な配置に移ります。",
        "links": "辺を指摘へのリンクにします (例: 'report.html#{finding}')。",
        "trace": "この項目が届く先だけ (--from を参照)。最短の経路を強調します。",
        "trace_from": "--trace をこの当事者から始めます (既定: 本人と組織)。",
        "impact": "この当事者で漏えいした場合にデータを受け取った先だけ。経路を強調します。",
        "as_of": "監査基準日 (棚卸しの as_of より優先)。--trace と --impact はこの日より後に"
                 "始まるフローも除きます。",
        "packs": "ルールパック (コンマ区切り)。policy,appi では、方針には適合するが法に違反する"
                 "フローを紫 (§) で描きます。",
        "timeout": "Graphviz にかけてよい秒数の合計。",
        "group": "当事者を役割 [role] か法人 [entity] ごとに一つの点にまとめた要約図を描きます。"
                 "[none] は常に全当事者を描き、[auto] は全体図が --timeout 内に配置できない"
                 "ときだけまとめます。",
    },
    "explore": {
        "output": "書き出す HTML ファイル (ネットワークなしで開ける一つのページ)。",
        "lang": "ページを開いたときの言語 (ページ内で切り替えられます)。",
    },
    "export": {
        "output": "書き出すファイル。拡張子で形式が決まります (.graphml .gexf .json .mmd .csv)。",
        "as_of": "この日より後に始まるフローを除きます。",
    },
    "impact": {
        "party": "漏えいした当事者。",
        "as_of": "この日より後に始まるフローを除きます。",
    },
    "report": {
        "output": "報告書の書き出し先 (.html か .md)。既定または '-': 標準出力。",
        "fmt": "報告書の形式。既定: 出力の拡張子から、なければ html。",
        "store": "スナップショットのストア: その推移と前回からの差分を加えます。"
                 "既定: 棚卸しのストア (あれば)。",
        "no_drawing": "フロー図を含めません (Graphviz は不要になります)。",
        "packs": "ルールパック (コンマ区切り、既定: ストアの最新のスナップショットのもの、なければ policy)。",
    },
    "rules": {"packs": "これらのルールパックだけ (既定: すべて)。"},
    "explain": {
        "packs": "棚卸しを検査するルールパック (コンマ区切り、既定: policy と指摘のパック)。",
        "as_of": "監査基準日 (棚卸しの as_of より優先)。",
    },
    "schema": {
        "fragment": "フォルダの棚卸しの一つのファイルのスキーマ (最上位の欄は不要)。",
        "output": "スキーマを標準出力ではなくこのファイルに書き出します ('-': 標準出力)。",
    },
    "snapshot create": {
        "label": "スナップショットの名前。ストアの中で一意 (例: 2026-Q3)。",
    },
    "snapshot diff": {
        "packs": "A や B に棚卸しのパスを指定したときのルールパック (既定: もう一方の保存済みスナップショットのもの、なければ policy)。",
        "as_of": "A や B に棚卸しのパスを指定したときの監査基準日。",
    },
    "snapshot verify": {
        "head": "他の場所 (議事録、コミット) に記録したチェーンのハッシュ。それが今も先頭であるか"
                "チェーンの中にあることを確かめます。",
    },
    "stop": {
        "consent": "撤回される本人の同意。",
        "subjects": "提供の停止を求める本人の区分。",
        "as_of": "この日より後に始まるフローを除きます。",
    },
    "template": {"force": "OUTPUT が既にあれば置き換えます。"},
    "trace": {
        "item": "たどる項目。",
        "frm": "この当事者から始めます (既定: 本人と組織)。",
        "all_paths": "最短の経路だけでなく、単純な経路ごとに一行。",
        "limit": "--all-paths で一覧する経路の最大数。",
        "as_of": "この日より後に始まるフローを除きます。",
    },
    "upstream": {
        "party": "データの出どころを示す当事者。",
        "as_of": "この日より後に始まるフローを除きます。",
    },
}

#: click's own words in help pages, and the phrases of ``show_default``.
CLICK_WORDS = [
    ("Show this message and exit.", "この説明を表示して終了します。"), ("Usage:", "使い方:"), ("Options", "オプション"), ("Commands", "コマンド"),
    ("(ja in a Japanese locale, else en)", "(日本語の環境では ja、それ以外は en)"),
    ("[default: ", "[既定: "), ("; default: ", "; 既定: "), ("[required]", "[必須]"),
    ("required", "必須"),
]


def walk(group: click.Group, path: str = ""):
    """Every command under ``group`` (lazy ones loaded), as ``(path, command)``.

    Example:
        >>> from lineage.cli import cli
        >>> [p for p, _ in walk(cli)][:3]
        ['', 'check', 'convert']
    """
    yield path, group
    if isinstance(group, click.Group):
        for name in group.list_commands(None):
            yield from walk(group.get_command(None, name), f"{path} {name}".strip())


def option_text(path: str, name: str) -> str | None:
    """The Japanese help of option ``name`` of command ``path``, or None if there is none.

    Example:
        >>> option_text("draw", "output")[:9], option_text("check", "lang")
        ('書き出すファイル。', '出力とメッセージの言語。')
    """
    return COMMAND_OPTIONS.get(path, {}).get(name) or OPTIONS.get(name)


def _examples(help_text: str | None) -> str:
    """The example command lines of an English help text, under a Japanese heading."""
    lines = (help_text or "").splitlines()
    if not any(line.strip() == "Examples:" for line in lines):
        return ""
    start = next(i for i, line in enumerate(lines) if line.strip() == "Examples:")
    shown = [line for line in lines[start + 1:] if line.strip().startswith("lineage ")]
    return "\n\n\b\n例:\n" + "\n".join(shown) if shown else ""


class _Formatter(click.HelpFormatter):
    """click's help formatter with its own fixed words in Japanese."""

    def write_usage(self, prog, args="", prefix=None):
        super().write_usage(prog, args, prefix="使い方: " if prefix is None else prefix)

    def write_heading(self, heading):
        super().write_heading(_words(heading))

    def write_dl(self, rows, *args, **kwargs):
        super().write_dl([(a, _words(b)) for a, b in rows], *args, **kwargs)


def _words(text: str) -> str:
    for english, japanese in CLICK_WORDS:
        text = text.replace(english, japanese)
    return text


@contextlib.contextmanager
def japanese_help(group: click.Group):
    """Japanese help texts in every command under ``group`` while the block runs.

    Example:
        >>> from lineage.cli import cli
        >>> with japanese_help(cli):
        ...     cli.get_command(None, "check").params[-1].help[:6]
        '保存したスナ'
        >>> cli.get_command(None, "check").params[-1].help[:9]
        'Fail only'
    """
    saved = []
    for path, cmd in walk(group):
        saved.append((cmd, "help", cmd.help))
        saved.append((cmd, "short_help", cmd.short_help))
        if path in COMMANDS:
            short, long = COMMANDS[path]
            cmd.short_help, cmd.help = short, long + _examples(cmd.help)
        for param in cmd.params:
            text = option_text(path, param.name) if isinstance(param, click.Option) else None
            if text is not None:
                saved.append((param, "help", param.help))
                param.help = text
    saved.append((click.Context, "formatter_class", click.Context.formatter_class))
    click.Context.formatter_class = _Formatter
    try:
        yield group
    finally:
        for obj, attr, value in reversed(saved):
            setattr(obj, attr, value)
