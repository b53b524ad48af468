package gatehouse

import "github.com/gatehouse/gatehouse/kv"

// StoreOf is g's session store, for tests that change users straight in
// the database and must invalidate cached principals (testenv.Env.Grant).
func StoreOf(g *Gatehouse) kv.Store { return g.store }
