package lessons

import "github.com/gochat-course/gochat/checker/scenario"

// limits is lesson 08. Its scenarios are still to be written.
func limits() scenario.Lesson {
	return scenario.Lesson{Number: 8, Slug: "08-limits", Title: "limits"}
}
