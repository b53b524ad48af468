package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// ErrMalformedHash is wrapped by the errors Verify and ParseParams return for
// an encoded hash that is not a well-formed argon2id PHC string.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams returns the OWASP-recommended argon2id settings
// (19 MiB, 2 passes, 1 lane), which take tens of milliseconds per hash.
func DefaultParams() Params {
	return Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Sanity limits for parameters. The upper bounds exist so that a corrupted
// or imported hash cannot make Verify allocate gigabytes or spin for
// minutes; they are far above any setting worth using. The lower bounds are
// those of the argon2 reference implementation.
const (
	minSaltLen = 8
	maxSaltLen = 1024
	minKeyLen  = 4
	maxKeyLen  = 1024
	maxMemory  = 4 << 20 // KiB, i.e. 4 GiB
	maxTime    = 1024
)

// argon2Version is the only version x/crypto/argon2 implements (0x13).
const argon2Version = argon2.Version

func (p Params) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d out of range [1, %d]", p.Time, maxTime)
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	// x/crypto silently raises memory below 8*threads, which would make the
	// encoded m differ from what was actually used.
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB out of range [%d, %d]", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d out of range [%d, %d]", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d out of range [%d, %d]", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Hasher hashes and verifies passwords with argon2id. It is safe for
// concurrent use; create it with NewHasher.
type Hasher struct {
	params Params
	// sem bounds concurrent argon2 computations: each one allocates
	// params.Memory KiB, so unbounded concurrency under a flood of sign-in
	// attempts would exhaust memory.
	sem chan struct{}
	// onWait, when set, is told how long each hash waited for its slot.
	onWait atomic.Pointer[func(time.Duration)]

	dummyOnce sync.Once
	dummy     string
}

// NewHasher returns a Hasher using p that runs at most maxConcurrent hashes
// at a time (runtime.NumCPU() if maxConcurrent <= 0). Callers beyond the
// limit wait until a slot frees up or their context is done.
func NewHasher(p Params, maxConcurrent int) *Hasher {
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.NumCPU()
	}
	return &Hasher{params: p, sem: make(chan struct{}, maxConcurrent)}
}

// OnWait makes h report how long each hash or check waited for a hashing
// slot (zero when one was free), including waits that ended with the
// caller's context; nil stops the reports. f runs on the caller's
// goroutine and must be quick.
func (h *Hasher) OnWait(f func(time.Duration)) {
	if f == nil {
		h.onWait.Store(nil)
		return
	}
	h.onWait.Store(&f)
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// Hash returns password hashed with a fresh random salt, encoded in the PHC
// string format: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, with salt and
// key in unpadded standard base64 as the argon2 reference implementation
// writes them.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	p := h.params
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("auth: hash password: invalid params: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash password: read salt: %w", err)
	}
	key, err := h.derive(ctx, password, salt, p)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return encodeHash(p, salt, key), nil
}

// Verify reports whether password matches the encoded hash, and whether the
// hash should be replaced because its parameters (memory, time, threads or
// key length) differ from h's. needsRehash is only meaningful when ok is
// true: that is the only moment the plain password is at hand to rehash.
// A malformed hash yields an error wrapping ErrMalformedHash; a context that
// ends while waiting for a hashing slot yields the context's error.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, needsRehash bool, err error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, false, fmt.Errorf("auth: verify password: %w", err)
	}
	got, err := h.derive(ctx, password, salt, p)
	if err != nil {
		return false, false, fmt.Errorf("auth: verify password: %w", err)
	}
	ok = subtle.ConstantTimeCompare(got, want) == 1
	hp := h.params
	needsRehash = p.Memory != hp.Memory || p.Time != hp.Time || p.Threads != hp.Threads || p.KeyLen != hp.KeyLen
	return ok, needsRehash, nil
}

// VerifyDummy costs as much as a Verify against a hash made with h's
// parameters, and always fails. Sign-in calls it when the user does not
// exist so that response times do not reveal which accounts exist.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) {
	h.dummyOnce.Do(func() {
		// Random bytes stand in for the key: verifying against them costs
		// one argon2 run like a real hash, without paying for a real hash
		// up front, and no password can match them.
		p := h.params
		if p.validate() != nil {
			p = DefaultParams()
		}
		salt := make([]byte, p.SaltLen)
		key := make([]byte, p.KeyLen)
		rand.Read(salt) // never fails since Go 1.24
		rand.Read(key)
		h.dummy = encodeHash(p, salt, key)
	})
	// The result is meaningless by construction; only the time spent counts.
	_, _, _ = h.Verify(ctx, h.dummy, password)
}

// derive runs argon2id once a hashing slot is free.
func (h *Hasher) derive(ctx context.Context, password string, salt []byte, p Params) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer h.release()
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	if h.sem == nil { // zero Hasher: no limit rather than a deadlock
		return nil
	}
	// Checked first because select picks at random when both are ready,
	// and a caller that has already given up should not start a hash.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wait for hashing slot: %w", context.Cause(ctx))
	}
	report := h.onWait.Load()
	if report == nil {
		select {
		case h.sem <- struct{}{}:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("wait for hashing slot: %w", context.Cause(ctx))
		}
	}
	// A free slot is taken without reading the clock.
	select {
	case h.sem <- struct{}{}:
		(*report)(0)
		return nil
	default:
	}
	start := time.Now()
	select {
	case h.sem <- struct{}{}:
		(*report)(time.Since(start))
		return nil
	case <-ctx.Done():
		(*report)(time.Since(start))
		return fmt.Errorf("wait for hashing slot: %w", context.Cause(ctx))
	}
}

func (h *Hasher) release() {
	if h.sem != nil {
		<-h.sem
	}
}

// ParseParams returns the parameters an encoded hash was made with; SaltLen
// and KeyLen are the decoded lengths. Errors wrap ErrMalformedHash.
func ParseParams(encoded string) (Params, error) {
	p, _, _, err := decodeHash(encoded)
	if err != nil {
		return Params{}, fmt.Errorf("auth: parse hash params: %w", err)
	}
	return p, nil
}

func encodeHash(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
}

// phcBase64 rejects padding and non-zero trailing bits so that each hash
// has exactly one accepted spelling.
var phcBase64 = base64.RawStdEncoding.Strict()

// decodePHCBase64 decodes s and insists that it is the canonical encoding:
// encoding/base64 skips '\r' and '\n' even in strict mode.
func decodePHCBase64(s string) ([]byte, error) {
	b, err := phcBase64.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if phcBase64.EncodedLen(len(b)) != len(s) {
		return nil, errors.New("line breaks in base64")
	}
	return b, nil
}

// decodeHash parses "$argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<key>"
// strictly: parameters in that order, plain decimals, and values within the
// sanity limits, because these values size a memory allocation.
func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	malformed := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrMalformedHash, fmt.Sprintf(format, args...))
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, malformed("want 5 '$'-separated fields")
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, malformed("unsupported algorithm %q", truncate(parts[1], 20))
	}
	if parts[2] != "v="+strconv.Itoa(argon2Version) {
		return p, nil, nil, malformed("unsupported version %q", truncate(parts[2], 20))
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return p, nil, nil, malformed("want m, t and p parameters")
	}
	var vals [3]uint64
	for i, name := range [3]string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(kv[i], name+"=")
		if !ok {
			return p, nil, nil, malformed("want parameter %s in position %d", name, i+1)
		}
		if vals[i], ok = parseDecimal(v); !ok {
			return p, nil, nil, malformed("parameter %s is not a number", name)
		}
	}
	if vals[0] > maxMemory || vals[1] > maxTime || vals[2] > 255 {
		return p, nil, nil, malformed("parameters out of range")
	}
	p.Memory, p.Time, p.Threads = uint32(vals[0]), uint32(vals[1]), uint8(vals[2])
	if salt, err = decodePHCBase64(parts[4]); err != nil {
		return p, nil, nil, malformed("salt: %v", err)
	}
	if key, err = decodePHCBase64(parts[5]); err != nil {
		return p, nil, nil, malformed("key: %v", err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.validate(); err != nil {
		return Params{}, nil, nil, malformed("%v", err)
	}
	return p, salt, key, nil
}

// parseDecimal accepts only canonical decimal numbers: no sign, no leading
// zeros, at most 10 digits, so a hash has a single spelling.
func parseDecimal(s string) (uint64, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}

// truncate keeps error messages short when quoting untrusted input.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
