package lessons

import "github.com/gochat-course/gochat/checker/scenario"

// lines is lesson 02. Its scenarios are still to be written.
func lines() scenario.Lesson {
	return scenario.Lesson{Number: 2, Slug: "02-lines", Title: "lines"}
}
