"""Training: class-balanced sampling, semi-hard triplet mining/loss, fine-tuning, evaluation."""
