"""Embedder weights: FaceNet graph -> InceptionResnetV1 conversion, cv2.dnn check, sha256 cache.

Import from the submodules (`weights_cache`, `facenet_graph_converter`, ...): this package
init stays empty so that importing one piece does not load torch, cv2 and the converter at once.
"""
