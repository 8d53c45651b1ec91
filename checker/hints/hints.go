// Package hints holds each lesson's hints, from a nudge to the exact idea, as Markdown
// files embedded in the checker: hints/NN-slug.md, one "## " section per hint.
package hints

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed *.md
var files embed.FS

// Hint is one hint: a short title ("Where to look") and its text.
type Hint struct {
	Title string
	Body  string
}

// For returns the hints of the lesson whose directory is slug ("01-echo"), in order, or
// an error that says there are none yet.
func For(slug string) ([]Hint, error) {
	data, err := files.ReadFile(slug + ".md")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lesson %s has no hints yet", slug)
	}
	if err != nil {
		return nil, err
	}
	hs := Parse(string(data))
	if len(hs) == 0 {
		return nil, fmt.Errorf("lesson %s has no hints yet", slug)
	}
	return hs, nil
}

// Parse reads hints from Markdown: each "## Title" line starts a hint, whose body runs
// to the next one. Anything before the first "## " (the file's own title) is ignored.
func Parse(text string) []Hint {
	var hs []Hint
	for _, line := range strings.SplitAfter(text, "\n") {
		if title, ok := strings.CutPrefix(line, "## "); ok {
			hs = append(hs, Hint{Title: strings.TrimSpace(title)})
			continue
		}
		if len(hs) > 0 {
			hs[len(hs)-1].Body += line
		}
	}
	for i := range hs {
		hs[i].Body = strings.Trim(hs[i].Body, "\n")
	}
	return hs
}
