package main

import (
	"errors"
	"maps"
	"slices"
)

// errNameTaken is what registry.rename returns when another client has the name.
var errNameTaken = errors.New("name taken")

// registry is the state that every connection shares: how many clients are connected,
// and the names that are in use.
//
// TODO(step 2): every client's goroutine calls these methods, and goroutines run at the
// same time on several cores: two of them can change the map at the same moment, and
// the count can lose an update. Add a sync.Mutex field, mu, just above the fields it
// guards (say so in its comment), and make every method below hold it while it touches
// online or names: r.mu.Lock() and then defer r.mu.Unlock().
type registry struct {
	online int                 // connected clients, named or not
	names  map[string]struct{} // the names in use, one per named client
}

func newRegistry() *registry {
	return &registry{names: make(map[string]struct{})}
}

// connect counts a new client.
func (r *registry) connect() {
	r.online++
}

// disconnect uncounts a client and frees its name; name is "" for a client that never
// named itself.
func (r *registry) disconnect(name string) {
	r.online--
	delete(r.names, name)
}

// rename gives a client the name to and frees its old name from ("" if it had none). When
// another client has the name it returns errNameTaken and changes nothing. The check and
// the change happen under one lock: were they two, two clients asking for the same name
// at once could both find it free.
func (r *registry) rename(from, to string) error {
	if from == to {
		return nil
	}
	if _, taken := r.names[to]; taken {
		return errNameTaken
	}
	delete(r.names, from)
	r.names[to] = struct{}{}
	return nil
}

// who returns the names in use, sorted in byte order.
func (r *registry) who() []string {
	return slices.Sorted(maps.Keys(r.names))
}

// count returns how many clients are connected.
func (r *registry) count() int {
	return r.online
}
