package lessons

import "github.com/gochat-course/gochat/checker/scenario"

// timeouts is lesson 07. Its scenarios are still to be written.
func timeouts() scenario.Lesson {
	return scenario.Lesson{Number: 7, Slug: "07-timeouts", Title: "timeouts"}
}
