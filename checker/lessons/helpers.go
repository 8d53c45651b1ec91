package lessons

import (
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// crowd runs f for n clients named prefix-1 ... prefix-n, each in its own goroutine,
// with at most limit dialling or running at once (limit <= 0 means no limit). It returns
// the first failure.
func crowd(env *scenario.Env, prefix string, n, limit int, f func(i int, c *client.Conn) error) error {
	var g errgroup.Group
	if limit > 0 {
		g.SetLimit(limit)
	}
	for i := 1; i <= n; i++ {
		g.Go(func() error {
			c, err := env.Dial(fmt.Sprintf("%s-%d", prefix, i))
			if err != nil {
				return err
			}
			return f(i, c)
		})
	}
	return g.Wait()
}

// randomBytes returns n bytes from the scenario's seeded source, so a failing payload
// can be reproduced with -seed.
func randomBytes(env *scenario.Env, n int) []byte {
	b := make([]byte, n)
	env.Rand.Read(b)
	return b
}
