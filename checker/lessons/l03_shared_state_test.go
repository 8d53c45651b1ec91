package lessons

import (
	"testing"

	"github.com/gochat-course/gochat/checker/selftest"
)

func TestLesson03(t *testing.T) {
	t.Parallel()
	selftest.Lesson(t, sharedState(), []selftest.Variant{
		{
			Name: "has no mutex", File: "registry.go",
			Edits: []selftest.Edit{
				{Old: "mu     sync.Mutex          // guards online and names", New: "mu     noLock              // locks nothing"},
				{Old: "func newRegistry() *registry {", New: "// noLock is a lock that locks nothing: the registry as if it had no mutex.\n" +
					"type noLock struct{}\n\nfunc (noLock) Lock()   {}\nfunc (noLock) Unlock() {}\n\nvar _ sync.Mutex\n\n" +
					"func newRegistry() *registry {"},
			},
			FailsOn: "crowd",
		},
		{
			Name: "locks to write but not to read", File: "registry.go",
			Edits: []selftest.Edit{
				{Old: "func (r *registry) who() []string {\n\tr.mu.Lock()\n\tdefer r.mu.Unlock()\n", New: "func (r *registry) who() []string {\n"},
				{Old: "func (r *registry) count() int {\n\tr.mu.Lock()\n\tdefer r.mu.Unlock()\n", New: "func (r *registry) count() int {\n"},
			},
			FailsOn: "crowd",
		},
		{
			Name: "lists the names in map order", File: "registry.go",
			Edits:   []selftest.Edit{{Old: "slices.Sorted(maps.Keys(r.names))", New: "slices.Collect(maps.Keys(r.names))"}},
			FailsOn: "crowd",
		},
		{
			Name: "keeps the old name on a rename", File: "registry.go",
			Edits:   []selftest.Edit{{Old: "\tdelete(r.names, from)\n", New: ""}},
			FailsOn: "name",
		},
		{
			Name: "counts only named clients", File: "registry.go",
			Edits:   []selftest.Edit{{Old: "return r.online", New: "return len(r.names)"}},
			FailsOn: "name",
		},
		{
			Name: "removes a client only when it sends QUIT", File: "server.go",
			Edits:   []selftest.Edit{{Old: "defer s.leave() // however the session ends: EOF, a reset, a failed write", New: ""}},
			FailsOn: "disconnect",
		},
	})
}
