"""Small offline data sets that ship with the course: text files and generated tables."""
