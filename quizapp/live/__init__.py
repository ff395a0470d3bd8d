"""Live mode: a teacher-paced game (issue 17). See docs/ARCHITECTURE.md, "Live mode"."""
