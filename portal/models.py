"""Imports every area's models, so that Alembic and the tests see the whole schema."""

from portal.accounts.models import AuthAttempt, User, UserGrant  # noqa: F401
from portal.activities.models import Activity, CalendarFeed, Signup  # noqa: F401
from portal.aid.models import (  # noqa: F401
    AidApplication,
    AidEvent,
    AidFile,
    AidHoliday,
    AidMaterialReview,
    AidMember,
    AidPayment,
    AidType,
)
from portal.api.models import ApiKey, ApiSubmission, ServiceQuestion  # noqa: F401
from portal.audit.models import AuditEntry  # noqa: F401
from portal.board.models import BoardProfile  # noqa: F401
from portal.care.models import CareChange, CareImport, CarePerson, CareVisit  # noqa: F401
from portal.checkins.models import Checkin, CheckinEntry  # noqa: F401
from portal.clock import DailyCounter  # noqa: F401
from portal.figures.models import MonthlyReport, RatingFollowUp  # noqa: F401
from portal.files.models import StoredFile  # noqa: F401
from portal.jobs.models import JobRun, ScheduledJob  # noqa: F401
from portal.keptforms.models import KeptForm  # noqa: F401
from portal.minutes.models import (  # noqa: F401
    Meeting,
    MeetingAttachment,
    MeetingVersion,
    Resolution,
    ResolutionUpdate,
)
from portal.notices.models import Alert, Notice, NoticeRead  # noqa: F401
from portal.notifications.models import Notification, OutboxMessage  # noqa: F401
from portal.search.models import SearchDocument  # noqa: F401
from portal.service_requests.models import (  # noqa: F401
    ReplyTemplate,
    RequestCategory,
    RequestEvent,
    RequestFollower,
    RequestPhoto,
    ServiceRequest,
)
from portal.surveys.models import Answer, Participation, Question, Response, Survey  # noqa: F401
