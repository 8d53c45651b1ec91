// Package lessons holds the checker's scenarios, one file per lesson, and the table of
// all lessons in order.
package lessons

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gochat-course/gochat/checker/scenario"
)

// All returns every lesson, in order.
func All() []scenario.Lesson {
	return []scenario.Lesson{
		echo(), lines(), sharedState(), chat(), backpressure(),
		rooms(), timeouts(), limits(), shutdown(), roomChat(),
	}
}

// Find returns the lesson named by a number ("4", "04") or a slug ("04-chat").
func Find(name string) (scenario.Lesson, error) {
	n, err := strconv.Atoi(strings.SplitN(name, "-", 2)[0])
	for _, l := range All() {
		if l.Slug == name || err == nil && l.Number == n {
			return l, nil
		}
	}
	return scenario.Lesson{}, fmt.Errorf("there is no lesson %q: the lessons are 01 to %02d", name, len(All()))
}
