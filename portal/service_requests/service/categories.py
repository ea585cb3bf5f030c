"""Request categories and reply templates, and the ones a fresh install starts with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.accounts.roles import Role
from portal.audit.service import record
from portal.clock import utcnow
from portal.errors import DomainError
from portal.registry import AuditAction
from portal.service_requests.models import ReplyTemplate, RequestCategory
from portal.service_requests.service.rules import ACCEPTED, IN_PROGRESS, ROUTING_ROLES, SUBMITTED

SETTINGS_ACTIONS = tuple(AuditAction("settings", key, label) for key, label in (
    ("category_added", _l("Added a request category")),
    ("category_edited", _l("Edited a request category")),
    ("template_added", _l("Added a reply template")),
    ("template_edited", _l("Edited a reply template")),
))

# Seeded categories: key, Chinese, English, the team new requests go to.
DEFAULT_CATEGORIES = (
    ("noise", "噪音扰民", "Noise", Role.GRID_WORKER),
    ("clutter", "楼道堆物", "Hallway clutter", Role.GRID_WORKER),
    ("repair", "设施报修", "Facility repair", Role.GRID_WORKER),
    ("sanitation", "环境卫生", "Sanitation", Role.GRID_WORKER),
    ("dispute", "邻里纠纷", "Neighbour dispute", Role.GOVERNANCE),
    ("property", "物业服务", "Property management", Role.GOVERNANCE),
    ("hazard", "安全隐患", "Safety hazard", Role.GRID_WORKER),
    ("parking", "停车管理", "Parking", Role.GRID_WORKER),
    ("policy", "政策咨询", "Policy question", Role.CIVIL_AFFAIRS),
    ("other", "其他", "Other", Role.GRID_WORKER),
)


def categories(session: Session, active_only: bool = True) -> list[RequestCategory]:
    statement = select(RequestCategory).order_by(RequestCategory.position, RequestCategory.id)
    if active_only:
        statement = statement.where(RequestCategory.active.is_(True))
    return list(session.scalars(statement))


def seed_categories(session: Session) -> None:
    """Add the default categories that are missing (by key); never overwrites staff edits."""
    existing = set(session.scalars(select(RequestCategory.key)))
    for position, (key, zh, en, role) in enumerate(DEFAULT_CATEGORIES):
        if key not in existing:
            session.add(RequestCategory(key=key, name_zh=zh, name_en=en, role=role.value,
                                        position=(position + 1) * 10))
    session.flush()


def save_category(session: Session, category: RequestCategory | None, *, name_zh: str,
                  name_en: str, role: str, position: int, active: bool,
                  actor) -> RequestCategory:
    if role not in {r.value for r in ROUTING_ROLES}:
        raise DomainError(_l("Choose the team that handles this category."), field="role")
    action = "category_added" if category is None else "category_edited"
    if category is None:
        category = RequestCategory(key=f"custom-{utcnow().strftime('%Y%m%d%H%M%S%f')}")
        session.add(category)
    category.name_zh, category.name_en, category.role = name_zh, name_en, role
    category.position, category.active = position, active
    session.flush()
    record(session, actor, "settings", action, f"#{category.id} {name_zh}",
           f"{role}{'' if active else ', inactive'}")
    return category


# A template is offered at one stage of a request's life (or at any): a first answer makes
# no sense on a request being handled, nor "resolved" on one nobody has taken on yet.
TEMPLATE_STAGES = {"new": (SUBMITTED,), "working": (ACCEPTED, IN_PROGRESS)}
TEMPLATE_STAGE_LABELS = {"new": _l("New: nobody has taken it on yet"),
                         "working": _l("Being handled")}

# The reply templates a fresh install starts with, and the category key and stage each is
# offered for (None: any); staff edit them in the request settings.
DEFAULT_TEMPLATES = (
    ("已受理", "您好，您反映的问题我们已经收到，网格员会在今天内上门查看，请保持电话畅通。",
     None, "new"),
    ("已办结", "您好，您反映的问题已经处理完毕。如果还有问题，请随时联系社区。感谢您的支持！",
     None, "working"),
    ("转物业", "您好，这个问题属于物业公司负责范围，我们已联系物业，请他们尽快处理。",
     "property", None),
)


def seed_reference_data(session: Session) -> None:
    """The categories that are missing, and the default templates on a fresh install."""
    seed_categories(session)
    if session.scalar(select(ReplyTemplate.id).limit(1)) is None:
        by_key = dict(session.execute(select(RequestCategory.key, RequestCategory.id)).all())
        session.add_all(ReplyTemplate(title=title, body=body, category_id=by_key.get(key),
                                      stage=stage)
                        for title, body, key, stage in DEFAULT_TEMPLATES)
        session.flush()


def reply_templates(session: Session, request=None) -> list[ReplyTemplate]:
    """Every template, or with ``request`` those offered for it: of its category or any,
    for the stage its status is in or any."""
    statement = select(ReplyTemplate).order_by(ReplyTemplate.title, ReplyTemplate.id)
    if request is not None:
        statement = statement.where(
            or_(ReplyTemplate.category_id.is_(None),
                ReplyTemplate.category_id == request.category_id),
            or_(ReplyTemplate.stage.is_(None), ReplyTemplate.stage == stage_of(request.status)))
    return list(session.scalars(statement))


def stage_of(status: str) -> str:
    return next((stage for stage, statuses in TEMPLATE_STAGES.items() if status in statuses),
                "")


def save_template(session: Session, template: ReplyTemplate | None, *, title: str,
                  body: str, actor, category_id: int | None = None,
                  stage: str | None = None) -> ReplyTemplate:
    if stage and stage not in TEMPLATE_STAGES:
        raise DomainError(_l("Choose when the template is offered from the list."),
                          field="stage")
    action = "template_added" if template is None else "template_edited"
    if template is None:
        template = ReplyTemplate()
        session.add(template)
    template.title, template.body = title, body
    template.category_id, template.stage = category_id or None, stage or None
    session.flush()
    record(session, actor, "settings", action, f"#{template.id} {title}",
           f"category={template.category_id or '-'}, stage={template.stage or '-'}")
    return template
