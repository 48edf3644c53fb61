"""Vision: frame sources, MTCNN detection, FaceNet embedding, matching, tracking, pipeline."""
