package judging

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"

	"leitai/models"
)

// DrawLots is the verifiable lot drawing (抽签) for the live final: it
// returns the finalists in drawn order, computed only from a seed published
// in advance and the published list, so that anyone can re-run it.
//
// The algorithm, precisely: start from the finalists in the published
// order, a[0…n−1]. For i = n−1 down to 1, draw j uniformly in 0…i and swap
// a[i] and a[j] (Fisher–Yates). To draw j, for attempt = 0, 1, 2, …: take
// the SHA-256 digest of the UTF-8 text seed + ":" + i + ":" + attempt (i
// and attempt in decimal, e.g. "2025-final:7:0"), read its first 8 bytes as
// a big-endian unsigned 64-bit integer x, and accept x when
// x < 2^64 − (2^64 mod (i+1)) (this rejection makes j exactly uniform; it
// almost never rejects); then j = x mod (i+1). The same in Python:
//
//	import hashlib
//	def draw(seed, a):
//	    a = list(a)
//	    for i in range(len(a) - 1, 0, -1):
//	        attempt = 0
//	        while True:
//	            d = hashlib.sha256(f"{seed}:{i}:{attempt}".encode()).digest()
//	            x = int.from_bytes(d[:8], "big")
//	            if x < 2**64 - 2**64 % (i + 1):
//	                break
//	            attempt += 1
//	        j = x % (i + 1)
//	        a[i], a[j] = a[j], a[i]
//	    return a
//
// The seed must not be blank and the finalists must be distinct, non-empty
// ids; the published order of the list is part of the input.
func DrawLots(seed string, finalists []string) ([]string, error) {
	if strings.TrimSpace(seed) == "" {
		return nil, models.Errorf(models.KindInvalid, "the lot-drawing seed is required")
	}
	seen := make(map[string]bool, len(finalists))
	for _, f := range finalists {
		if f == "" {
			return nil, models.Errorf(models.KindInvalid, "a finalist id is empty")
		}
		if seen[f] {
			return nil, models.Errorf(models.KindInvalid, "finalist %q is listed twice", f)
		}
		seen[f] = true
	}
	a := append([]string(nil), finalists...)
	for i := len(a) - 1; i >= 1; i-- {
		j := lotIndex(seed, i)
		a[i], a[j] = a[j], a[i]
	}
	return a, nil
}

// lotIndex draws j uniformly in 0…i as DrawLots describes.
func lotIndex(seed string, i int) int {
	n := uint64(i) + 1
	limit := -(-n % n) // 2^64 − (2^64 mod n), with 0 standing for 2^64
	// (-n) % n is (2^64 − n) mod n = 2^64 mod n; limit wraps to 0 exactly
	// when n divides 2^64, and then every x is accepted.
	prefix := seed + ":" + strconv.Itoa(i) + ":"
	for attempt := 0; ; attempt++ {
		d := sha256.Sum256([]byte(prefix + strconv.Itoa(attempt)))
		x := binary.BigEndian.Uint64(d[:8])
		if limit == 0 || x < limit {
			return int(x % n)
		}
	}
}
