"""Events, trainings and attendance."""
