package lessons

import "github.com/gochat-course/gochat/checker/scenario"

// rooms is lesson 06. Its scenarios are still to be written.
func rooms() scenario.Lesson {
	return scenario.Lesson{Number: 6, Slug: "06-rooms", Title: "rooms and commands"}
}
