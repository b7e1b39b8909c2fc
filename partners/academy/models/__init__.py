"""Partner academy models, one module per area; import from `partners.academy.models`."""

from .certificates import Certificate, format_code
from .courses import (
    COURSE_TRANSITIONS,
    Choice,
    Course,
    CourseStatus,
    CourseStatusChange,
    FileKind,
    Lesson,
    LessonFile,
    Question,
    QuestionKind,
)
from .paths import LearningPath, PathCourse, PathRole
from .progress import AttemptGrant, Enrollment, LessonCompletion, QuizAttempt

__all__ = [
    "COURSE_TRANSITIONS",
    "AttemptGrant",
    "Certificate",
    "Choice",
    "Course",
    "CourseStatus",
    "CourseStatusChange",
    "Enrollment",
    "FileKind",
    "LearningPath",
    "Lesson",
    "LessonCompletion",
    "LessonFile",
    "PathCourse",
    "PathRole",
    "Question",
    "QuestionKind",
    "QuizAttempt",
    "format_code",
]
