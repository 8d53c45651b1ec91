package lessons

import "github.com/gochat-course/gochat/checker/scenario"

// roomChat is lesson 10. Its scenarios are still to be written.
func roomChat() scenario.Lesson {
	return scenario.Lesson{Number: 10, Slug: "10-room-chat", Title: "the full room chat"}
}
