package main

import (
	"context"
	"fmt"
	"os"
)

func runLoad(ctx context.Context, args []string) int {
	fmt.Fprintln(os.Stderr, "checker load: not written yet")
	return exitUsage
}
