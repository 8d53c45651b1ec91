package main

import (
	"context"
	"fmt"
	"os"
)

func runProgress(ctx context.Context, args []string) int {
	fmt.Fprintln(os.Stderr, "checker progress: not written yet")
	return exitUsage
}
