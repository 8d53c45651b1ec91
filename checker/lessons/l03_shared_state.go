package lessons

import "github.com/gochat-course/gochat/checker/scenario"

// sharedState is lesson 03. Its scenarios are still to be written.
func sharedState() scenario.Lesson {
	return scenario.Lesson{Number: 3, Slug: "03-shared-state", Title: "shared state"}
}
