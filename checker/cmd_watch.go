package main

import (
	"context"
	"fmt"
	"os"
)

func runWatch(ctx context.Context, args []string) int {
	fmt.Fprintln(os.Stderr, "checker watch: not written yet")
	return exitUsage
}
