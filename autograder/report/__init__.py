"""What the teacher reads after grading: the class report and the 観点別 results."""
