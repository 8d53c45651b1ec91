package lessons

import "github.com/gochat-course/gochat/checker/scenario"

// chat is lesson 04. Its scenarios are still to be written.
func chat() scenario.Lesson {
	return scenario.Lesson{Number: 4, Slug: "04-chat", Title: "single-room chat"}
}
