package main

import (
	"context"
	"fmt"
	"os"
)

func runHint(ctx context.Context, args []string) int {
	fmt.Fprintln(os.Stderr, "checker hint: not written yet")
	return exitUsage
}
