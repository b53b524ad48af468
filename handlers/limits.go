package handlers

import "time"

// What one connection may hold, so that slow clients cannot hold memory.
const (
	// formBodyLimit is what the largest form needs (a bulk action on 200
	// users, a group with every permission: a few kB) with room to spare.
	formBodyLimit = 16 << 10
	// bodyLimit is the server's limit, the largest any route needs: a
	// longer body is refused with 413 as soon as its Content-Length is
	// read. Every route takes forms today. A route that needs more (a
	// passkey attestation) raises this to its own need and the form routes
	// then check formBodyLimit for themselves, so each route keeps its limit.
	bodyLimit = formBodyLimit
	// readTimeout bounds the reading of a whole request, headers and body;
	// idle keep-alive connections wait IdleTimeout instead.
	readTimeout = 10 * time.Second
	// maxConcurrentConns bounds the connections served at once (fasthttp's
	// Concurrency; one more is answered 503 and closed): about 40 kB each
	// at most (read and write buffers, a body, a goroutine) keeps them under
	// 160 MB. One client address holds at most gatehouse.MaxConnsPerAddr.
	maxConcurrentConns = 4096
)
