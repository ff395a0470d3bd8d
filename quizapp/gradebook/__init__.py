"""What teachers see of their classes' work: the gradebook, attempts, item analysis, exports."""
