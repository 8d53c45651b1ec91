package lessons

import "github.com/gochat-course/gochat/checker/scenario"

// shutdown is lesson 09. Its scenarios are still to be written.
func shutdown() scenario.Lesson {
	return scenario.Lesson{Number: 9, Slug: "09-shutdown", Title: "graceful shutdown"}
}
