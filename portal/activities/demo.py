"""Demo activities: past ones with attendance and ratings, upcoming ones with sign-ups."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.activities.models import Activity, Category, Signup, Status
from portal.clock import SHANGHAI, today, utcnow

# (title, category, days from today, local start time, hours long, capacity, companions,
# description). Start times are the community's wall clock (Asia/Shanghai), when people
# really come: a morning class, an afternoon session, an evening after work.
ACTIVITIES = [
    ("中秋游园会", Category.FESTIVAL, -20, time(19, 0), 3, 80, 3,
     "猜灯谜、做月饼、听评弹。\n\n欢迎全家一起来！"),
    ("太极拳晨练班", Category.SPORTS, -6, time(7, 30), 1, 30, 0,
     "每周六早上，社区广场，由退休教练带练。"),
    ("防范电信诈骗讲座", Category.LECTURE, 2, time(9, 30), 2, 40, 1,
     "派出所民警讲解**最新骗术**，教您识破“冒充客服”“养老投资”等骗局。"),
    ("亲子绘本共读", Category.FAMILY, 4, time(15, 0), 2, 12, 1,
     "3–6 岁孩子和家长一起读绘本、做手工。"),
    ("剪纸非遗体验", Category.HERITAGE, 9, time(14, 30), 2, 20, 0,
     "非遗传承人现场教学，材料免费提供。"),
    ("楼道清洁志愿服务", Category.VOLUNTEER, 5, time(9, 0), 2, 15, 0,
     "一起把楼道打扫干净，提供手套和工具。"),
    ("老年合唱团排练", Category.SENIOR, 3, time(14, 30), 2, 25, 0,
     "新老团员都欢迎，排练迎新年曲目。"),
]
# The bulk demo's interest groups meet at these local times in turn.
GROUP_TIMES = (time(9, 30), time(14, 30), time(19, 0))


def starts_at(days: int, at: time) -> datetime:
    """``at`` o'clock in Shanghai, ``days`` from the community's today, as an aware time."""
    return datetime.combine(today() + timedelta(days=days), at, SHANGHAI)


def _add(session, title, category, days, at, hours, capacity, companions, description,
         creator):
    starts = starts_at(days, at)
    activity = Activity(
        title=title, description=description, category=category.value, audience="",
        place="社区服务中心二楼活动室", starts_at=starts, ends_at=starts + timedelta(hours=hours),
        capacity=capacity, max_companions=companions,
        signup_opens_at=starts - timedelta(days=14), signup_closes_at=starts - timedelta(hours=1),
        status=Status.PUBLISHED.value, created_by_id=creator)
    session.add(activity)
    session.flush()
    return activity


def load(session, echo, scale=None) -> None:
    culture = session.scalar(select(User.id).where(User.phone == "13900000004"))
    residents = list(session.scalars(select(User).where(User.role == "resident")
                                     .order_by(User.id).limit(20)))
    made = 0
    for title, category, days, at, hours, capacity, companions, description in ACTIVITIES:
        if session.scalar(select(Activity.id).where(Activity.title == title)):
            continue
        activity = _add(session, title, category, days, at, hours, capacity, companions,
                        description, culture)
        past = activity.ends_at < utcnow()
        for seq, person in enumerate(residents, start=1):
            session.add(Signup(
                activity_id=activity.id, user_id=person.id, companions=0, status="confirmed",
                seq=seq, checkin_code=f"{100000 + activity.id * 100 + seq:06d}",
                created_at=activity.signup_opens_at, confirmed_at=activity.signup_opens_at,
                attended_at=activity.starts_at if past else None,
                rating=(5 if seq % 2 else 4) if past else None,
                rated_at=activity.ends_at if past else None))
        made += 1
    if scale:
        prefix = "社区兴趣小组活动"
        existing = session.scalar(select(func.count(Activity.id)).where(
            Activity.title.like(f"{prefix}%"))) or 0
        categories = list(Category)
        for number in range(existing + 1, scale + 1):
            _add(session, f"{prefix} {number}", categories[number % len(categories)],
                 1 + number % 60, GROUP_TIMES[number % len(GROUP_TIMES)], 2, 10 + number % 40,
                 number % 4, "", culture)
        made += max(0, scale - existing)
    echo(f"Activities: {made} added.")
