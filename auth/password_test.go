package auth

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// testParams keep argon2 cheap (64 KiB, one pass) so tests stay fast; one
// test below uses DefaultParams.
var testParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestDefaultParams(t *testing.T) {
	t.Parallel()
	want := Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	if got := DefaultParams(); got != want {
		t.Fatalf("DefaultParams() = %+v, want %+v", got, want)
	}
	if err := want.validate(); err != nil {
		t.Fatalf("DefaultParams invalid: %v", err)
	}
}

func TestNewHasher(t *testing.T) {
	t.Parallel()
	tests := []struct {
		max, wantCap int
	}{
		{0, runtime.NumCPU()},
		{-3, runtime.NumCPU()},
		{1, 1},
		{7, 7},
	}
	for _, tt := range tests {
		h := NewHasher(testParams, tt.max)
		if cap(h.sem) != tt.wantCap {
			t.Errorf("NewHasher(_, %d): semaphore capacity %d, want %d", tt.max, cap(h.sem), tt.wantCap)
		}
		if h.Params() != testParams {
			t.Errorf("Params() = %+v, want %+v", h.Params(), testParams)
		}
	}
}

var phcRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashFormat(t *testing.T) {
	t.Parallel()
	h := NewHasher(testParams, 2)
	enc, err := h.Hash(context.Background(), "hunter22")
	if err != nil {
		t.Fatal(err)
	}
	if !phcRE.MatchString(enc) {
		t.Fatalf("Hash = %q, not in PHC argon2id format", enc)
	}
	p, err := ParseParams(enc)
	if err != nil {
		t.Fatal(err)
	}
	if p != testParams {
		t.Fatalf("ParseParams(Hash) = %+v, want %+v", p, testParams)
	}
}

func TestHashUsesFreshSalt(t *testing.T) {
	t.Parallel()
	h := NewHasher(testParams, 2)
	seen := map[string]bool{}
	for range 20 {
		enc, err := h.Hash(context.Background(), "same password")
		if err != nil {
			t.Fatal(err)
		}
		if seen[enc] {
			t.Fatalf("Hash produced %q twice", enc)
		}
		seen[enc] = true
	}
}

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	h := NewHasher(testParams, 4)
	tests := []struct {
		name, password, attempt string
		want                    bool
	}{
		{"match", "correct horse battery staple", "correct horse battery staple", true},
		{"wrong", "correct horse battery staple", "correct horse battery stapler", false},
		{"case", "Passw0rd!", "passw0rd!", false},
		{"empty matches empty", "", "", true},
		{"empty vs space", "", " ", false},
		{"unicode", "pässwörd ✓ 密码", "pässwörd ✓ 密码", true},
		{"nfc vs nfd", "caf\u00e9", "cafe\u0301", false},
		{"nul inside", "a\x00b", "a", false},
		{"long", strings.Repeat("x", MaxPasswordLen), strings.Repeat("x", MaxPasswordLen), true},
		{"long prefix", strings.Repeat("x", MaxPasswordLen), strings.Repeat("x", MaxPasswordLen-1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			enc, err := h.Hash(context.Background(), tt.password)
			if err != nil {
				t.Fatal(err)
			}
			ok, rehash, err := h.Verify(context.Background(), enc, tt.attempt)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.want {
				t.Errorf("Verify ok = %v, want %v", ok, tt.want)
			}
			if rehash {
				t.Errorf("Verify needsRehash = true for a hash made with the same params")
			}
		})
	}
}

// TestDefaultParamsRoundTrip is the one test paying for the real cost.
func TestDefaultParamsRoundTrip(t *testing.T) {
	t.Parallel()
	h := NewHasher(DefaultParams(), 0)
	enc, err := h.Hash(context.Background(), "Tr0ub4dor&3")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("Hash = %q", enc)
	}
	ok, rehash, err := h.Verify(context.Background(), enc, "Tr0ub4dor&3")
	if err != nil || !ok || rehash {
		t.Fatalf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

// Vectors computed by other implementations: the argon2 reference
// implementation's test suite and x/crypto's (itself taken from the
// reference implementation), written in PHC form.
func TestVerifyKnownVectors(t *testing.T) {
	t.Parallel()
	salt := base64.RawStdEncoding.EncodeToString([]byte("somesalt"))
	phc := func(m, tm, p int, keyHex string) string {
		key, err := hex.DecodeString(keyHex)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, tm, p, salt, base64.RawStdEncoding.EncodeToString(key))
	}
	vectors := []string{
		// github.com/P-H-C/phc-winner-argon2 src/test.c
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		// golang.org/x/crypto/argon2 argon2_test.go
		phc(64, 1, 1, "655ad15eac652dc59f7170a7332bf49b8469be1fdb9c28bb"),
		phc(64, 2, 1, "068d62b26455936aa6ebe60060b0a65870dbfa3ddf8d41f7"),
		phc(64, 2, 2, "350ac37222f436ccb5c0972f1ebd3bf6b958bf2071841362"),
		phc(256, 3, 2, "4668d30ac4187e6878eedeacf0fd83c5a0a30db2cc16ef0b"),
	}
	h := NewHasher(testParams, 0)
	for _, enc := range vectors {
		ok, _, err := h.Verify(context.Background(), enc, "password")
		if err != nil || !ok {
			t.Errorf("Verify(%q, password) = %v, %v; want true, nil", enc, ok, err)
		}
		ok, _, err = h.Verify(context.Background(), enc, "Password")
		if err != nil || ok {
			t.Errorf("Verify(%q, Password) = %v, %v; want false, nil", enc, ok, err)
		}
	}
}

func TestVerifyNeedsRehash(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*Params)
		want   bool
	}{
		{"same", func(*Params) {}, false},
		{"memory", func(p *Params) { p.Memory = 128 }, true},
		{"time", func(p *Params) { p.Time = 2 }, true},
		{"threads", func(p *Params) { p.Threads = 2 }, true},
		{"keylen", func(p *Params) { p.KeyLen = 16 }, true},
		// A salt length change alone does not justify a rehash.
		{"saltlen", func(p *Params) { p.SaltLen = 32 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			old := testParams
			tt.mutate(&old)
			enc, err := NewHasher(old, 1).Hash(context.Background(), "pw")
			if err != nil {
				t.Fatal(err)
			}
			ok, rehash, err := NewHasher(testParams, 1).Verify(context.Background(), enc, "pw")
			if err != nil || !ok {
				t.Fatalf("Verify = %v, %v; want true, nil", ok, err)
			}
			if rehash != tt.want {
				t.Errorf("needsRehash = %v, want %v", rehash, tt.want)
			}
		})
	}
}

const goodHash = "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$ZVrRXqxlLcWfcXCnMyv0m4Rpvh/bnCi7"

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, enc string
	}{
		{"empty", ""},
		{"bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"},
		{"django pbkdf2", "pbkdf2_sha256$600000$salt$hash"},
		{"argon2i", strings.Replace(goodHash, "argon2id", "argon2i", 1)},
		{"argon2d", strings.Replace(goodHash, "argon2id", "argon2d", 1)},
		{"no version", "$argon2id$m=64,t=1,p=1$c29tZXNhbHQ$ZVrRXqxlLcWfcXCnMyv0m4Rpvh/bnCi7"},
		{"version 16", strings.Replace(goodHash, "v=19", "v=16", 1)},
		{"missing leading $", goodHash[1:]},
		{"trailing $", goodHash + "$"},
		{"extra field", strings.Replace(goodHash, "$c29t", "$x$c29t", 1)},
		{"params order", strings.Replace(goodHash, "m=64,t=1,p=1", "t=1,m=64,p=1", 1)},
		{"params missing", strings.Replace(goodHash, "m=64,t=1,p=1", "m=64,t=1", 1)},
		{"params extra", strings.Replace(goodHash, "m=64,t=1,p=1", "m=64,t=1,p=1,keyid=x", 1)},
		{"params spaces", strings.Replace(goodHash, "m=64,t=1,p=1", "m=64, t=1, p=1", 1)},
		{"negative", strings.Replace(goodHash, "t=1", "t=-1", 1)},
		{"plus sign", strings.Replace(goodHash, "t=1", "t=+1", 1)},
		{"leading zero", strings.Replace(goodHash, "m=64", "m=064", 1)},
		{"hex", strings.Replace(goodHash, "m=64", "m=0x40", 1)},
		{"time zero", strings.Replace(goodHash, "t=1", "t=0", 1)},
		{"threads zero", strings.Replace(goodHash, "p=1", "p=0", 1)},
		{"threads 256", strings.Replace(goodHash, "p=1", "p=256", 1)},
		{"memory below 8p", strings.Replace(goodHash, "m=64,t=1,p=1", "m=64,t=1,p=9", 1)},
		{"memory huge", strings.Replace(goodHash, "m=64", "m=4294967295", 1)},
		{"memory overflow", strings.Replace(goodHash, "m=64", "m=99999999999999999999", 1)},
		{"time huge", strings.Replace(goodHash, "t=1", "t=100000", 1)},
		{"salt padded", strings.Replace(goodHash, "c29tZXNhbHQ", "c29tZXNhbHQ=", 1)},
		{"salt urlsafe", strings.Replace(goodHash, "ZVrRXqxlLcWfcXCnMyv0m4Rpvh/bnCi7", "ZVrRXqxlLcWfcXCnMyv0m4Rpvh_bnCi7", 1)},
		{"salt noncanonical", strings.Replace(goodHash, "c29tZXNhbHQ", "c29tZXNhbHR", 1)},
		{"salt too short", strings.Replace(goodHash, "c29tZXNhbHQ", "c29tZQ", 1)},
		{"salt empty", strings.Replace(goodHash, "c29tZXNhbHQ", "", 1)},
		{"key too short", strings.Replace(goodHash, "ZVrRXqxlLcWfcXCnMyv0m4Rpvh/bnCi7", "ZVrR", 1)},
		{"key empty", strings.TrimSuffix(goodHash, "ZVrRXqxlLcWfcXCnMyv0m4Rpvh/bnCi7")},
		{"key bad char", strings.Replace(goodHash, "ZVrR", "ZV*R", 1)},
		// encoding/base64 skips line breaks; found by FuzzParseParams.
		{"key with CR", goodHash + "\r"},
		{"salt with LF", strings.Replace(goodHash, "c29tZXNh", "c29t\nZXNh", 1)},
	}
	h := NewHasher(testParams, 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(context.Background(), tt.enc, "password")
			if !errors.Is(err, ErrMalformedHash) {
				t.Errorf("Verify(%q) error = %v, want ErrMalformedHash", tt.enc, err)
			}
			if ok || rehash {
				t.Errorf("Verify(%q) = %v, %v; want false, false", tt.enc, ok, rehash)
			}
			if _, err := ParseParams(tt.enc); !errors.Is(err, ErrMalformedHash) {
				t.Errorf("ParseParams(%q) error = %v, want ErrMalformedHash", tt.enc, err)
			}
		})
	}
	// The reference hash itself is fine.
	if ok, _, err := h.Verify(context.Background(), goodHash, "password"); err != nil || !ok {
		t.Fatalf("Verify(goodHash) = %v, %v", ok, err)
	}
}

func TestParseParams(t *testing.T) {
	t.Parallel()
	p, err := ParseParams(goodHash)
	if err != nil {
		t.Fatal(err)
	}
	want := Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 24}
	if p != want {
		t.Fatalf("ParseParams = %+v, want %+v", p, want)
	}
}

func TestHashInvalidParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Params
	}{
		{"zero", Params{}},
		{"time zero", Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"threads zero", Params{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32}},
		{"memory below 8p", Params{Memory: 15, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}},
		{"memory huge", Params{Memory: maxMemory + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"short salt", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}},
		{"short key", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if enc, err := NewHasher(tt.p, 1).Hash(context.Background(), "pw"); err == nil {
				t.Fatalf("Hash with %+v = %q, want error", tt.p, enc)
			}
		})
	}
}

func TestHashWaitsForSlot(t *testing.T) {
	t.Parallel()
	h := NewHasher(testParams, 1)
	h.sem <- struct{}{} // occupy the only slot

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash with busy hasher: err = %v, want DeadlineExceeded", err)
	}
	if _, _, err := h.Verify(ctx, goodHash, "password"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Verify with busy hasher: err = %v, want DeadlineExceeded", err)
	}

	// Freeing the slot lets a waiting caller through.
	done := make(chan error, 1)
	go func() {
		_, err := h.Hash(context.Background(), "pw")
		done <- err
	}()
	time.Sleep(5 * time.Millisecond)
	<-h.sem
	if err := <-done; err != nil {
		t.Fatalf("Hash after slot freed: %v", err)
	}
}

func TestHashCanceledContext(t *testing.T) {
	t.Parallel()
	h := NewHasher(testParams, 4) // free slots: cancellation must still win
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 20 {
		if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Hash with canceled ctx: err = %v, want Canceled", err)
		}
	}
}

func TestHasherConcurrencyLimit(t *testing.T) {
	t.Parallel()
	const limit = 2
	h := NewHasher(Params{Memory: 256, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, limit)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	peak := 0
	var mu sync.Mutex
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				mu.Lock()
				peak = max(peak, len(h.sem))
				mu.Unlock()
				runtime.Gosched()
			}
		}
	}()
	for range 16 {
		wg.Go(func() {
			if _, err := h.Hash(context.Background(), "pw"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(stop)
	mu.Lock()
	defer mu.Unlock()
	if peak > limit {
		t.Fatalf("observed %d concurrent hashes, limit %d", peak, limit)
	}
	if len(h.sem) != 0 {
		t.Fatalf("%d slots still held after all hashes finished", len(h.sem))
	}
}

func TestZeroHasherDoesNotBlock(t *testing.T) {
	t.Parallel()
	var h Hasher
	ok, _, err := h.Verify(context.Background(), goodHash, "password")
	if err != nil || !ok {
		t.Fatalf("zero Hasher Verify = %v, %v", ok, err)
	}
	if _, err := h.Hash(context.Background(), "pw"); err == nil {
		t.Fatal("zero Hasher Hash succeeded with zero params")
	}
}

func TestVerifyDummy(t *testing.T) {
	t.Parallel()
	h := NewHasher(testParams, 1)
	h.VerifyDummy(context.Background(), "anything")
	h.VerifyDummy(context.Background(), "")
	p, err := ParseParams(h.dummy)
	if err != nil {
		t.Fatalf("dummy hash %q: %v", h.dummy, err)
	}
	if p != testParams {
		t.Fatalf("dummy params = %+v, want %+v", p, testParams)
	}
	first := h.dummy
	h.VerifyDummy(context.Background(), "again")
	if h.dummy != first {
		t.Fatal("dummy hash recreated")
	}

	// A canceled context returns promptly instead of waiting for a slot.
	h.sem <- struct{}{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h.VerifyDummy(ctx, "pw")
	<-h.sem
}

// TestVerifyDummyCost checks that the dummy path does the same argon2 work
// as a real verification: same parameters means the same number of blocks
// filled, which is what dominates the time.
func TestVerifyDummyCost(t *testing.T) {
	// Not parallel: a timing comparison needs a quiet CPU, and top-level
	// parallel tests only start once sequential ones are done.
	p := Params{Memory: 4096, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	h := NewHasher(p, 1)
	enc, err := h.Hash(context.Background(), "pw")
	if err != nil {
		t.Fatal(err)
	}
	timed := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	// Interleaved, keeping the fastest of each, to cancel out noise.
	verify, dummy := time.Duration(1<<62), time.Duration(1<<62)
	for range 7 {
		verify = min(verify, timed(func() { _, _, _ = h.Verify(context.Background(), enc, "wrong") }))
		dummy = min(dummy, timed(func() { h.VerifyDummy(context.Background(), "wrong") }))
	}
	// Generous bounds: this guards against the dummy doing no work or
	// several times the work, not against scheduler noise.
	if dummy < verify/3 || dummy > verify*3 {
		t.Fatalf("VerifyDummy took %v, Verify %v", dummy, verify)
	}
}

func FuzzParseParams(f *testing.F) {
	f.Add(goodHash)
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzYWx0c2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHQ$ZVrR")
	f.Add("$$$$$")
	f.Add("")
	f.Fuzz(func(t *testing.T, enc string) {
		p, salt, key, err := decodeHash(enc)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("decodeHash(%q) error %v does not wrap ErrMalformedHash", enc, err)
			}
			return
		}
		if err := p.validate(); err != nil {
			t.Fatalf("decodeHash(%q) accepted invalid params %+v: %v", enc, p, err)
		}
		// Accepted hashes have exactly one spelling.
		if re := encodeHash(p, salt, key); re != enc {
			t.Fatalf("decodeHash(%q) re-encodes as %q", enc, re)
		}
	})
}

func BenchmarkHash(b *testing.B) {
	for _, bc := range []struct {
		name string
		p    Params
	}{
		{"small", testParams},
		{"default", DefaultParams()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := NewHasher(bc.p, 1)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.Hash(context.Background(), "correct horse battery staple"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	h := NewHasher(DefaultParams(), 1)
	enc, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("default", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ok, _, _ := h.Verify(context.Background(), enc, "correct horse battery staple"); !ok {
				b.Fatal("no match")
			}
		}
	})
	b.Run("dummy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.VerifyDummy(context.Background(), "correct horse battery staple")
		}
	})
}

func BenchmarkParseParams(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseParams(goodHash); err != nil {
			b.Fatal(err)
		}
	}
}
