"""attendance_app: offline face-recognition attendance (MTCNN + FaceNet, one-shot enrolment)."""

__version__ = "0.1.0"
