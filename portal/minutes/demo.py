"""Demo meetings with resolutions and progress updates; optionally many more for load tests."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, insert, select

from portal.accounts.models import User
from portal.clock import utcnow
from portal.minutes import service
from portal.minutes.models import Meeting, MeetingKind, Resolution, ResolutionStatus
from portal.search import service as search
from portal.search.models import SearchDocument

MEETINGS = [
    {
        "key": "demo-meeting-1", "kind": MeetingKind.REPRESENTATIVES,
        "title": "2026年第三季度居民代表大会", "held_on": date(2026, 9, 18),
        "place": "社区党群服务中心二楼会议室", "attendance": 42,
        "agenda": "1. 老旧小区加装电梯进展\n2. 3号楼前停车秩序\n3. 冬季老年食堂开放时间",
        "minutes": ("## 会议情况\n\n应到代表45人，实到42人。\n\n## 主要内容\n\n"
                    "- 街道介绍了加装电梯的补贴政策。\n- 代表们反映3号楼前夜间乱停车。\n"
                    "- 大家同意老年食堂冬季延长营业时间。"),
        "resolutions": [
            ("为5号楼、7号楼启动加装电梯意见征询", "社区居委会", date(2026, 12, 31),
             [("已完成5号楼入户征询，同意率82%。", ResolutionStatus.IN_PROGRESS, 40)]),
            ("在3号楼前划定临时停车位并安装提示牌", "物业服务中心", date(2026, 10, 31),
             [("停车位已划线，提示牌已安装。", ResolutionStatus.DONE, 100)]),
            ("老年食堂冬季营业延长至19:00", "社区养老服务站", date(2026, 11, 1), []),
        ],
    },
    {
        "key": "demo-meeting-2", "kind": MeetingKind.OWNERS_COMMITTEE,
        "title": "业委会关于公共收益使用的会议", "held_on": date(2026, 10, 22),
        "place": "小区会所", "attendance": 9,
        "agenda": "1. 2026年公共收益公示\n2. 电动自行车充电桩选址",
        "minutes": "公共收益账目已在公告栏公示。委员会同意在2号门旁增设充电桩20个。",
        "resolutions": [
            ("在2号门旁增设电动自行车充电桩20个", "业主委员会", date(2027, 1, 15),
             [("已完成选址并报街道审批。", ResolutionStatus.IN_PROGRESS, 30)]),
        ],
    },
    {
        "key": "demo-meeting-3", "kind": MeetingKind.HEARING,
        "title": "社区花园改造方案听证会", "held_on": date(2026, 11, 12),
        "place": "社区花园", "attendance": 67,
        "agenda": "听取居民对花园改造方案的意见。",
        "minutes": "多数居民支持保留老槐树，并增设无障碍步道和休息座椅。",
        "resolutions": [
            ("修改方案：保留老槐树，增加无障碍步道", "社区居委会", date(2027, 3, 1), []),
        ],
    },
]


def _author(session) -> int | None:
    return session.scalar(select(User.id).where(User.role == "director").limit(1))


def load(session, echo, scale: int | None = None) -> None:
    author_id = _author(session)
    for item in MEETINGS:
        if session.scalar(select(Meeting.id).where(Meeting.form_key == item["key"])):
            continue
        meeting = service.create_meeting(session, author_id=author_id, form_key=item["key"],
                                         **{name: item[name] for name in service.CONTENT_FIELDS})
        added = [
            (service.add_resolution(session, meeting, form_key=f"{item['key']}-r{number}",
                                    text=text, responsible=responsible, due_on=due_on), updates)
            for number, (text, responsible, due_on, updates) in enumerate(item["resolutions"])
        ]
        service.publish(session, meeting)
        for resolution, updates in added:
            for step, (note, status, progress) in enumerate(updates):
                service.add_update(session, resolution, form_key=f"{resolution.form_key}-u{step}",
                                   note=note, status=status, progress=progress,
                                   author_id=author_id)
    if scale:
        _load_many(session, scale, author_id)
    echo(f"Minutes: {len(MEETINGS)} demo meetings"
         + (f", {scale} extra for load tests" if scale else "") + ".")


def _load_many(session, count: int, author_id: int | None) -> None:
    """Many published meetings with two resolutions each, inserted in bulk. Idempotent."""
    have = session.scalar(select(func.count()).select_from(Meeting)
                          .where(Meeting.form_key.like("bulk-%"))) or 0
    now = utcnow()
    kinds = list(MeetingKind)
    rows = []
    for number in range(have, count):
        rows.append({"form_key": f"bulk-{number}", "kind": kinds[number % len(kinds)].value,
                     "title": f"第{number + 1}次例会", "held_on": date(2020, 1, 1)
                     + timedelta(days=number * 5), "place": "社区会议室",
                     "attendance": 10 + number % 30, "agenda": "例行议题",
                     "minutes": f"第{number + 1}次例会纪要。", "published": True,
                     "published_at": now, "version": 1, "created_by_id": author_id,
                     "created_at": now, "updated_at": now})
    if not rows:
        return
    session.execute(insert(Meeting), rows)
    ids = session.execute(select(Meeting.id, Meeting.form_key)
                          .where(Meeting.form_key.in_([row["form_key"] for row in rows])))
    resolutions, documents = [], []
    by_key = {row["form_key"]: row for row in rows}
    for meeting_id, key in ids:
        row = by_key[key]
        documents.append({"kind": service.SEARCH_KIND, "object_id": meeting_id,
                          "tokens": search.tokens(row["title"], row["place"], row["agenda"],
                                                  row["minutes"])})
        for number in range(2):
            resolutions.append({"meeting_id": meeting_id, "form_key": f"{key}-r{number}",
                                "text": "落实会议决定事项", "responsible": "社区居委会",
                                "due_on": date(2027, 6, 30), "status": "in_progress",
                                "progress": 50, "created_at": now, "updated_at": now})
    session.execute(insert(Resolution), resolutions)
    session.execute(insert(SearchDocument), documents)
