"""An object's change history as a person reads it.

The change log (``core.ChangeEvent``) stores what a service wrote: action names (``hazards.assess``), field
names, stored values (``registered``, ``lec``, ids, ISO timestamps in UTC, ``4E+1``). That is right for the
forensic log and the audit administrator; on an object's page (``templates/_history.html``) a person reads
labels, names, Chinese values and local time instead. This module turns events into such rows:

- the action: the label of the workflow move that wrote it, else a label built from the action's verb and
  noun (``risk.measure_add`` → 添加管控措施); raw names never reach the page;
- each change: the field's verbose name; choices as their labels; ids of a related model as that object's
  name (one query per related model for the whole page); dates and times in local time, written the Chinese
  way; decimals without exponents; booleans as 是/否; lists element by element; long text shortened;
- bookkeeping (notification fan-out and internal keys) left to the audit administrator's view.

Apps add labels for values that are codes of their own vocabularies with ``register_value_labels``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Events that are the system's own bookkeeping about an object, not a change of it.
BOOKKEEPING_ACTIONS = frozenset({"notifications.notify"})
# Keys a person has no use for (derived copies, de-duplication keys, search keys).
HIDDEN_KEYS = frozenset({"jurisdiction_path", "dedupe_key", "search_key", "pinyin", "pinyin_key", "path",
                         "recipients", "uuid", "sha256", "hash", "sort", "order", "position"})
TEXT_LIMIT = 120

# Verbs and nouns of action names (``<app>.<noun>_<verb>`` or ``<app>.<verb>``).
VERBS: dict[str, Any] = {
    "create": gettext_lazy("新建"), "update": gettext_lazy("修改"), "delete": gettext_lazy("删除"),
    "register": gettext_lazy("登记"), "assess": gettext_lazy("评估"), "add": gettext_lazy("添加"),
    "save": gettext_lazy("保存"), "submit": gettext_lazy("报送"), "publish": gettext_lazy("发布"),
    "load": gettext_lazy("载入"), "link": gettext_lazy("关联"), "unlink": gettext_lazy("取消关联"),
    "attach": gettext_lazy("上传"), "sync": gettext_lazy("同步"), "grant": gettext_lazy("授予"),
    "revoke": gettext_lazy("撤销"), "return": gettext_lazy("退回"), "accept": gettext_lazy("采纳"),
    "approve": gettext_lazy("批准"), "reject": gettext_lazy("驳回"), "close": gettext_lazy("关闭"),
    "import": gettext_lazy("导入"), "upload": gettext_lazy("上传"), "activate": gettext_lazy("启用"),
    "restore": gettext_lazy("恢复"), "set": gettext_lazy("设置"), "mark": gettext_lazy("标记"),
    "generate": gettext_lazy("生成"), "plan": gettext_lazy("制定治理方案"), "start": gettext_lazy("开始整改"),
    "apply": gettext_lazy("申请验收"), "spot_fix": gettext_lazy("立查立改"), "supervise": gettext_lazy("挂牌督办"),
    "remove": gettext_lazy("移除"), "withdraw": gettext_lazy("撤销"), "report": gettext_lazy("报告"),
    "sign": gettext_lazy("签收"), "review": gettext_lazy("审核"), "edit": gettext_lazy("修改"),
    "move": gettext_lazy("迁移"), "merge": gettext_lazy("合并"), "confirm": gettext_lazy("确认"),
    "cancel": gettext_lazy("取消"), "retire": gettext_lazy("停用"), "enable": gettext_lazy("启用"),
    "disable": gettext_lazy("停用"), "lock": gettext_lazy("锁定"), "unlock": gettext_lazy("解锁"),
    "reset": gettext_lazy("重置"), "change": gettext_lazy("修改"), "record": gettext_lazy("记录"),
    "issue": gettext_lazy("签发"), "assign": gettext_lazy("分派"), "decide": gettext_lazy("决定"),
    "notify": gettext_lazy("通知"), "fallback": gettext_lazy("回退"), "schedule": gettext_lazy("安排"),
    "extend": gettext_lazy("延期"), "verify": gettext_lazy("核实"), "draw": gettext_lazy("抽取"),
    "commit": gettext_lazy("承诺"), "execute": gettext_lazy("执行"), "void": gettext_lazy("作废"),
    "login": gettext_lazy("登录"), "login_fail": gettext_lazy("登录失败"), "logout": gettext_lazy("退出登录"),
    "export": gettext_lazy("导出"), "push": gettext_lazy("推送"), "copy": gettext_lazy("复制"),
    "version": gettext_lazy("建立新版本"), "replace": gettext_lazy("替换"), "rebuild": gettext_lazy("重建"),
    "recompute": gettext_lazy("重算"),
    "backup": gettext_lazy("备份"), "finish": gettext_lazy("完成"), "queue": gettext_lazy("排队"),
    "flag": gettext_lazy("提示"), "open": gettext_lazy("立案"), "declare": gettext_lazy("申报"),
    "attempt": gettext_lazy("抽取"), "escalate": gettext_lazy("升级督办"), "propose": gettext_lazy("提议"),
    "supersede": gettext_lazy("替代"), "unlist": gettext_lazy("摘牌"), "override": gettext_lazy("调整"),
    "archive": gettext_lazy("归档"), "place": gettext_lazy("标注位置"), "acknowledge": gettext_lazy("签收"),
    "checkpoint": gettext_lazy("检查点"), "verify_chain": gettext_lazy("校验日志链"),
    "transition": gettext_lazy("办理"), "view": gettext_lazy("查看"), "revise": gettext_lazy("修订"),
}
NOUNS: dict[str, Any] = {
    "point": gettext_lazy("风险点"), "measure": gettext_lazy("管控措施"), "plan": gettext_lazy("计划"),
    "item": gettext_lazy("检查项"), "checklist": gettext_lazy("检查表"), "template": gettext_lazy("模板"),
    "scheme": gettext_lazy("分级方案"), "report": gettext_lazy("报告"), "hazard": gettext_lazy("隐患"),
    "file": gettext_lazy("附件"), "premises": gettext_lazy("场所"), "ladder": gettext_lazy("督办阶梯"),
    "year": gettext_lazy("年度"), "schedule": gettext_lazy("安排"), "role": gettext_lazy("角色"),
    "token": gettext_lazy("令牌"), "password": gettext_lazy("密码"), "due": gettext_lazy("应检任务"),
    "risk": gettext_lazy("风险点"), "value": gettext_lazy("指标值"), "progress": gettext_lazy("进展"),
    "alias": gettext_lazy("别名"), "unit": gettext_lazy("单位"), "task": gettext_lazy("任务"),
    "run": gettext_lazy("排查记录"), "permit": gettext_lazy("作业许可"), "scope": gettext_lazy("授权"),
    "version": gettext_lazy("版本"), "import": gettext_lazy("导入"), "case": gettext_lazy("案件"),
    "inspection": gettext_lazy("检查"), "finding": gettext_lazy("检查发现"), "document": gettext_lazy("文书"),
    "goal": gettext_lazy("目标"), "phase": gettext_lazy("阶段"), "campaign": gettext_lazy("专项整治"),
    "record": gettext_lazy("记录"), "circular": gettext_lazy("通报"), "decision": gettext_lazy("决定"),
    "extension": gettext_lazy("延期"), "rule": gettext_lazy("规则"), "member": gettext_lazy("成员"),
    "chain": gettext_lazy("日志链"), "checkpoint": gettext_lazy("检查点"), "closure": gettext_lazy("关闭条件"),
    "conflict": gettext_lazy("回避关系"), "class": gettext_lazy("分类"), "rollup": gettext_lazy("汇总"),
    "inspector": gettext_lazy("执法人员"), "draw": gettext_lazy("抽取"), "credit": gettext_lazy("信用记录"),
    "frequency": gettext_lazy("频次规则"), "frequency_rule": gettext_lazy("频次规则"),
    "supervision": gettext_lazy("督办"), "stats": gettext_lazy("统计报表"),
    "fix": gettext_lazy("整改"), "publication": gettext_lazy("公示"), "periodic": gettext_lazy("定时任务"),
    "tip": gettext_lazy("举报"), "identity": gettext_lazy("举报人身份"), "accident": gettext_lazy("事故"),
    "bulletin": gettext_lazy("警示通报"), "stage": gettext_lazy("阶段"), "block": gettext_lazy("记录区块"),
    "band": gettext_lazy("奖励标准"), "exposure": gettext_lazy("曝光"), "plan_type": gettext_lazy("方案类型"),
    "boundary": gettext_lazy("辖区边界"),
}
# Whole action names whose words do not follow verb + noun.
EXACT: dict[str, Any] = {
    "tips.tip_link_hazard": gettext_lazy("举报转为隐患"), "tips.identity_view": gettext_lazy("查看举报人身份"),
    "tips.tip_link_inspection": gettext_lazy("据举报开展执法检查"), "tips.tip_link_case": gettext_lazy("据举报立案"),
    "accidents.revise": gettext_lazy("补报伤亡与损失"), "credit.event_repair": gettext_lazy("信用修复"),
    "accidents.finding_add": gettext_lazy("记录责任认定"),
    "campaigns.milestone_event": gettext_lazy("记录节点起算事件"), "campaigns.milestone_meet": gettext_lazy("确认节点完成"),
    "notifications.digest_send": gettext_lazy("发送汇总消息"),
}
GENERIC_ACTION = gettext_lazy("操作")
# Keys of changes that are not model fields, as services write them.
KEY_LABELS: dict[str, Any] = {
    "due": gettext_lazy("应检任务"), "target": gettext_lazy("检查对象"),
    "attachment": gettext_lazy("附件"), "measure": gettext_lazy("管控措施"), "hazard": gettext_lazy("隐患"),
    "plans": gettext_lazy("排查计划数"), "title": gettext_lazy("标题"), "kind": gettext_lazy("类别"),
    "role": gettext_lazy("角色"), "roles": gettext_lazy("角色"), "units": gettext_lazy("单位"),
    "unit": gettext_lazy("单位"), "comment": gettext_lazy("意见"), "reason": gettext_lazy("理由"),
    "count": gettext_lazy("数量"), "file": gettext_lazy("文件"), "name": gettext_lazy("名称"),
    "items": gettext_lazy("检查项数"), "version": gettext_lazy("版本"), "frequency": gettext_lazy("频次"),
    "status": gettext_lazy("状态"), "note": gettext_lazy("说明"), "value": gettext_lazy("数值"),
    "party": gettext_lazy("责任人/责任单位"), "failed": gettext_lazy("不合格项数"),
    "not_applicable": gettext_lazy("不适用项数"), "checked": gettext_lazy("已检查项数"),
    "verified": gettext_lazy("核实的检查项"), "actual": gettext_lazy("实际值"), "class": gettext_lazy("分级"),
    "conflict": gettext_lazy("回避情形"), "days": gettext_lazy("期限（天）"), "document": gettext_lazy("文书"),
    "draw": gettext_lazy("抽查批次"), "figures": gettext_lazy("统计数据"), "finding": gettext_lazy("检查发现"),
    "from": gettext_lazy("起始日期"), "to": gettext_lazy("截止日期"), "rows": gettext_lazy("行数"),
    "identity": gettext_lazy("举报人是否留名"), "mapping": gettext_lazy("列对应关系"), "params": gettext_lazy("参数"),
    "open": gettext_lazy("未销号隐患数"), "overdue": gettext_lazy("逾期隐患数"), "period": gettext_lazy("统计期"),
    "steps": gettext_lazy("步骤"), "chain_head": gettext_lazy("变更日志链头"), "changed": gettext_lazy("变更数"),
}
# Notes that are the system's own detail (a file's type, size and hash): the audit administrator's pages show them.
MACHINE_NOTES = frozenset({"core.file_attach"})

ValueLabels = Callable[[], dict[str, str]]
_VALUE_LABELS: dict[tuple[str, str], ValueLabels] = {}


def register_value_labels(object_type: str, key: str, labels: ValueLabels) -> None:
    """Show the codes stored under ``key`` of ``object_type`` (``"risk.riskpoint"``) by these labels."""
    _VALUE_LABELS[(object_type, key)] = labels


@dataclass
class Change:
    label: str
    before: Any
    after: Any


@dataclass
class Row:
    event: Any
    action: str
    changes: list[Change] = field(default_factory=list)
    note: Any = ""

    def __getattr__(self, name: str) -> Any:  # the event's own fields (occurred_at, actor_label, note …)
        return getattr(self.event, name)


def action_label(action: str) -> str:
    """The Chinese words for an action name."""
    from core.workflow import WORKFLOWS

    labels = _move_labels(len(WORKFLOWS))  # rebuilt if a workflow module is imported later
    if action in labels:
        return str(labels[action])
    if action in EXACT:
        return str(EXACT[action])
    _app, _dot, rest = action.partition(".")
    if rest in VERBS:
        return str(VERBS[rest])
    for verb in sorted(VERBS, key=len, reverse=True):
        if rest.endswith("_" + verb):
            noun = rest[: -len(verb) - 1]
            words = str(NOUNS[noun]) if noun in NOUNS else ""
            verb_words = str(VERBS[verb])
            if words and verb_words[-1:].isascii():  # a translation with spaces between words ("Add measure")
                return f"{verb_words} {words[:1].lower()}{words[1:]}"
            return f"{verb_words}{words}"
    return str(GENERIC_ACTION)


@functools.cache
def _move_labels(_count: int) -> dict[str, Any]:
    """Logged action name → its move's (lazy) label, for every registered workflow (built once; the labels are
    turned into words in the reader's language when shown)."""
    from core.workflow import WORKFLOWS

    out: dict[str, Any] = {}
    for workflow in WORKFLOWS.values():
        for key in workflow:
            move = workflow[key]
            out.setdefault(workflow.audit_name(move), move.label)
    return out


def readable(events: Iterable[Any]) -> list[Row]:
    """History rows for a person, in the given order, bookkeeping left out."""
    events = [ev for ev in events if ev.action_name not in BOOKKEEPING_ACTIONS]
    plan: list[tuple[Any, list[tuple[str, models.Field | None, Any, Any]]]] = []
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for ev in events:
        model = _model(ev.object_type)
        entries = []
        for key, before, after in _pairs(ev.changes):
            if key in HIDDEN_KEYS:
                continue
            if before in (None, "", []) and after in (None, "", [], False):
                continue  # a value left empty (or a flag left off) when the object was made
            fld = _field(model, key)
            related = _related_model(fld)
            if related is not None:
                for value in (before, after):
                    for one in value if isinstance(value, list) else [value]:
                        if isinstance(one, int) and not isinstance(one, bool):
                            wanted[related].add(one)
            entries.append((key, fld, before, after))
        plan.append((ev, entries))
    names = {model: {obj.pk: str(obj) for obj in model._base_manager.filter(pk__in=ids)}
             for model, ids in wanted.items()}
    rows = []
    for ev, entries in plan:
        changes = []
        for key, fld, before, after in entries:
            show = _shower(ev.object_type, key, fld, names)
            changes.append(Change(_label(key, fld), show(before), show(after)))
        rows.append(Row(ev, action_label(ev.action_name), changes,
                        "" if ev.action_name in MACHINE_NOTES else ev.note))
    return rows


def _pairs(changes: Any) -> list[tuple[str, Any, Any]]:
    if not isinstance(changes, dict):
        return []
    out = []
    for key, value in changes.items():
        before, after = (value[0], value[1]) if isinstance(value, list) and len(value) == 2 else (None, value)
        out.append((str(key), before, after))
    return out


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    """The field ``key`` of the object's model, else of a model of the same app (a hazard's event also
    records the fields of its rectification plan)."""
    if model is None:
        return None
    try:
        own = model._meta.get_field(key)
    except FieldDoesNotExist:
        own = None
    if isinstance(own, models.Field):
        return own
    if own is not None:  # a reverse relation: a service's own key that happens to share its name
        return None
    for other in model._meta.app_config.get_models():
        try:
            fld = other._meta.get_field(key)
        except FieldDoesNotExist:
            continue
        if isinstance(fld, models.Field):
            return fld
    return None


def _related_model(fld: models.Field | None) -> type[models.Model] | None:
    if fld is not None and (fld.many_to_one or fld.one_to_one or fld.many_to_many):
        return fld.related_model
    return None


def _label(key: str, fld: models.Field | None) -> str:
    if fld is not None and getattr(fld, "verbose_name", None) and str(fld.verbose_name) != key.replace("_", " "):
        return str(fld.verbose_name)
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    return str(fld.verbose_name) if fld is not None else key


def _shower(object_type: str, key: str, fld: models.Field | None,
            names: dict[type[models.Model], dict[Any, str]]) -> Callable[[Any], Any]:
    labels: dict[Any, str] = {}
    if (object_type, key) in _VALUE_LABELS:
        labels = _VALUE_LABELS[(object_type, key)]()
    elif fld is not None and fld.choices:
        labels = {str(value): str(text) for value, text in fld.flatchoices}
    related = _related_model(fld)
    related_names = names.get(related, {}) if related is not None else {}

    def one(value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if related is not None and isinstance(value, int):
            return related_names.get(value, _("（已删除，编号%(id)s）") % {"id": value})
        if labels and str(value) in labels:
            return labels[str(value)]
        return _value(fld, value)

    def show(value: Any) -> Any:
        if isinstance(value, list):
            shown = [one(v) for v in value]
            return "、".join(str(v) for v in shown if v is not None) or None
        return one(value)

    return show


def _value(fld: models.Field | None, value: Any) -> Any:
    from core.formats import cn_date, cn_datetime, plain_number

    if isinstance(value, str):
        if isinstance(fld, models.DateTimeField) or (fld is None and _looks_like_datetime(value)):
            try:
                return cn_datetime(_aware(dt.datetime.fromisoformat(value)))
            except ValueError:
                pass
        if (isinstance(fld, models.DateField) and not isinstance(fld, models.DateTimeField)) or (
                fld is None and _looks_like_date(value)):
            try:
                return cn_date(dt.date.fromisoformat(value))
            except ValueError:
                pass
        if isinstance(fld, (models.DecimalField, models.FloatField)) or _looks_like_decimal(value):
            try:
                return plain_number(decimal.Decimal(value))
            except (decimal.InvalidOperation, ValueError):
                pass
        return value if len(value) <= TEXT_LIMIT else value[:TEXT_LIMIT] + "…"
    if isinstance(value, float | decimal.Decimal):
        return plain_number(value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


def _looks_like_datetime(value: str) -> bool:
    return len(value) >= 19 and value[4] == "-" and value[10] == "T"


def _looks_like_date(value: str) -> bool:
    return len(value) == 10 and value[4] == value[7] == "-" and value.replace("-", "").isdigit()


def _looks_like_decimal(value: str) -> bool:
    return "E" in value and value.replace("E", "").replace("+", "").replace("-", "").replace(".", "").isdigit()
