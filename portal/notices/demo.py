"""Demo notices: one pinned, one expired. No alert: a demo should not start in an emergency."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.clock import utcnow
from portal.notices import service
from portal.notices.models import Notice, NoticeKind

NOTICES = [
    ("demo-notice-1", NoticeKind.NOTICE, True, None, "本周六上午停水通知",
     "因管网维修，**本周六 8:00–12:00** 3号楼至7号楼停水。\n\n请提前储水。如有困难，"
     "请拨打社区电话，我们上门送水。"),
    ("demo-notice-2", NoticeKind.POLICY, False, None, "高龄津贴怎么领？一看就懂",
     "## 谁能领\n\n年满80周岁、户籍在本社区的老人。\n\n## 领多少\n\n"
     "- 80–89岁：每月100元\n- 90–99岁：每月300元\n\n## 怎么领\n\n"
     "带上身份证和户口本，到社区服务大厅2号窗口办理。行动不便的，可以请社区上门。"),
    ("demo-notice-3", NoticeKind.GUIDE, False, None, "如何在网上提交诉求",
     "1. 登录邻里\n2. 点击“我要反映”\n3. 写清楚地点和问题，可以拍照上传\n\n"
     "我们会在两个工作日内回复。"),
    ("demo-notice-4", NoticeKind.NOTICE, False, -3, "国庆假期值班安排（已过期）",
     "国庆假期期间社区值班电话保持畅通。"),
]


def load(session, echo) -> None:
    author_id = session.scalar(select(User.id).where(User.role == "director").limit(1))
    now = utcnow()
    for offset, (key, kind, pinned, expires_in_days, title, body) in enumerate(NOTICES):
        if session.scalar(select(Notice.id).where(Notice.form_key == key)):
            continue
        notice = service.save_notice(
            session, None, form_key=key, author_id=author_id, attachment=None, kind=kind.value,
            title=title, body=body, pinned=pinned,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None)
        notice.published_at = now - timedelta(days=offset + 1)
    echo(f"Notices: {len(NOTICES)} demo notices (one pinned, one expired); no warning raised.")
