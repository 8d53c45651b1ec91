package lessons

import "github.com/gochat-course/gochat/checker/scenario"

// backpressure is lesson 05. Its scenarios are still to be written.
func backpressure() scenario.Lesson {
	return scenario.Lesson{Number: 5, Slug: "05-backpressure", Title: "slow readers and backpressure"}
}
