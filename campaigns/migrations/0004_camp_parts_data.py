"""Existing data under the per-unit rule and the lifecycle:

- every accepted report moves its own unit's part (the reporter's unit, ``ProgressReport.unit``), in the order
  they were reviewed; each task then follows from its parts (the rule of ``campaigns.workflow.decide_task``:
  done when every 牵头/实施 part is done, or every part when it names only 配合 units), so a task one township
  completed for ten is open again with that township's part done;
- campaigns that existed before the lifecycle were being run: they are 实施;
- each campaign gets its plan types from the plans it has (code, short name, kind, domain);
- each task gets its pinyin search keys.
"""

from django.db import migrations

DECIDING = ("lead", "implementing")


def forwards(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    Plan = apps.get_model("campaigns", "Plan")
    PlanType = apps.get_model("campaigns", "PlanType")
    Task = apps.get_model("campaigns", "Task")
    TaskUnit = apps.get_model("campaigns", "TaskUnit")
    ProgressReport = apps.get_model("campaigns", "ProgressReport")
    Campaign.objects.all().update(stage="running")
    from core.pinyin import search_text

    for task in Task.objects.only("pk", "title").iterator():
        Task.objects.filter(pk=task.pk).update(search_text=search_text(task.title))
    for plan in Plan.objects.filter(plan_type__isnull=True).order_by("campaign_id", "sort", "pk"):
        ptype, _ = PlanType.objects.get_or_create(
            campaign_id=plan.campaign_id, code=plan.code,
            defaults={"name": plan.short_name or plan.title[:60], "kind": plan.kind, "domain_id": plan.domain_id,
                      "sort": plan.sort})
        Plan.objects.filter(pk=plan.pk).update(plan_type=ptype)
    touched = set()
    for report in ProgressReport.objects.filter(state="accepted").order_by("reviewed_at", "pk"):
        part = TaskUnit.objects.filter(task_id=report.task_id, unit_id=report.unit_id).first()
        if part is None:  # the reporter's unit lost its link: give it back its part, as a hand-added one
            part = TaskUnit(task_id=report.task_id, unit_id=report.unit_id, role="implementing", source="manual")
        if report.reported_status == "done":
            part.status, part.percent = "done", 100
            part.completed_on = report.reviewed_at.date() if report.reviewed_at else None
        else:
            part.percent = max(part.percent, report.percent)
            if report.percent > 0 and part.status != "done":
                part.status = "in_progress"
        part.save()
        touched.add(report.task_id)
    for task in Task.objects.filter(pk__in=touched).exclude(status="withdrawn"):
        parts = list(TaskUnit.objects.filter(task=task).select_related("unit"))
        concrete = [p for p in parts if not p.unit.collective]
        deciding = [p for p in concrete if p.role in DECIDING] or concrete
        if not deciding:
            continue
        task.percent = sum(p.percent for p in deciding) // len(deciding)
        if all(p.status == "done" for p in deciding):
            task.status, task.percent = "done", 100
            task.completed_on = max((p.completed_on for p in deciding if p.completed_on), default=task.completed_on)
        else:
            task.status, task.completed_on = "in_progress", None
        task.save(update_fields=["status", "percent", "completed_on"])


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_camp_lifecycle_parts")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
