"""`make bench`: speed figures and their ratios to the targets in the issues."""
