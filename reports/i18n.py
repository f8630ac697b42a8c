"""Report wording in Chinese and English: the reports' own labels, veto conditions and policies.

The checks' reasons are rendered by b2cect.checks.reasons_zh; this module holds the texts the
reports add. `Wording(lang)` picks one language or both ("both": English, then Chinese).
"""

from __future__ import annotations

from b2cect.checks.reasons_zh import zh_or_en
from markupsafe import Markup, escape

VETO_ZH = {
    "E1": "无支付安全措施（如一次性密码、支付密码）",
    "E2": "所售商品为假冒、伪造商品",
    "E3": "属强制性认证（CCC）的商品无认证证明",
    "E4": "商品或其部件属禁售或召回商品",
    "M1": "无对 B2C 交易服务的管理承诺",
    "M2": "存在资质未经核验的供应商",
    "M3": "无商品符合验收标准的证明（检测报告、CCC）",
    "M4": "无质量、支付、配送或数据的安全机制",
    "M5": "仍采购被主管部门禁售或召回的商品",
}
VETO_STATUS_ZH = {"veto": "否决", "clear": "不否决", "unknown": "未知"}
VETO_SOURCE_ZH = {"machine": "机器", "auditor": "审核员", "unknown": "未知"}
POLICY_ZH = {
    "not_applicable": (
        "不适用于本店的项目（如无需安装的商品的安装安排）按满分计：要求视为已满足。"
        "分值表不重新缩放。"
    ),
    "undecided": (
        "尚未判定的项目（待人工审核、检查出错、未检查、未经审核员评分的体验项）"
        "在已判定得分中计 0 分，在最高可能得分中计满分。"
    ),
    "level_only": (
        "只给出李克特等级而未给出 α 时，按该等级区间的中点计分（0.1、0.3、0.5、0.7、0.9）；"
        "需要精确值请给出 α。"
    ),
    "e1": (
        "E1（支付安全）依据 6.2.5.2 的观察：见到支付密码或一次性验证码即不否决；"
        "到达了支付步骤却未见任何安全措施即否决；否则为未知。"
        "审核员对 E1 的回答优先；E2–E4 需要审核员回答。"
    ),
    "rounding": "得分按精确值求和，显示到小数点后两位。",
}
GRADE_READING_ZH = (
    "等级 = 总分达到其区间且每个条款都达到其最低分（1、2 或 3 分）的最高附录 A 等级；总分低于 20 分"
    "不定级。标准未规定某条款低于该等级最低分时如何定级，此为 b2cect 的解读。等级依据乘以 M 之前的"
    "总分；M = 0 时得分为 0，不定级。"
)


class Wording:
    """Texts in the report's language: `tr(en, zh)` in templates, `text(en)` for reasons."""

    def __init__(self, lang: str = "both"):
        self.lang = lang

    @property
    def html_lang(self) -> str:
        return "en" if self.lang == "en" else "zh-CN"

    def tr(self, en: str, zh: str) -> Markup:
        """A label: one language, or English with the Chinese beside it."""
        if self.lang == "en":
            return escape(en)
        if self.lang == "zh":
            return escape(zh)
        return Markup('{} <span class="zh" lang="zh-CN">{}</span>').format(en, zh)

    def plain(self, en: str, zh: str) -> str:
        """The same as tr, as plain text (spreadsheets, titles): "English / 中文"."""
        if self.lang == "en":
            return en
        if self.lang == "zh":
            return zh
        return f"{en} / {zh}"

    def reason(self, en: str, zh: str | None = None) -> Markup:
        """A reason or note: English, its Chinese rendering, or both as two lines."""
        zh = zh if zh is not None else zh_or_en(en)
        if self.lang == "en" or not en:
            return escape(en)
        if self.lang == "zh":
            return Markup('<span lang="zh-CN">{}</span>').format(zh)
        if zh == en:
            return escape(en)
        return Markup('{}<span class="zh-line" lang="zh-CN">{}</span>').format(en, zh)
