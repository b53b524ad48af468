package auth

// maxRatioLen bounds the inputs similarityRatio is computed for: the
// matching-blocks recursion costs O(n*m) per level, and the checklist runs
// on every keystroke.
const maxRatioLen = 256

// similarityRatio returns 2*M/(len(a)+len(b)) where M is the number of
// runes in the matching blocks found the way Python's difflib
// SequenceMatcher finds them (longest common substring, then recursively
// to its left and right), without difflib's junk heuristics. It is the
// measure Django's UserAttributeSimilarityValidator is built on; 1 means
// equal, 0 means nothing in common.
func similarityRatio(a, b []rune) float64 {
	total := len(a) + len(b)
	if total == 0 {
		return 1
	}
	// One pair of rows reused by every longestMatch call.
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	m := matchingRunes(a, b, 0, len(a), 0, len(b), prev, cur)
	return 2 * float64(m) / float64(total)
}

// matchingRunes counts the runes in the matching blocks of a[alo:ahi] and
// b[blo:bhi].
func matchingRunes(a, b []rune, alo, ahi, blo, bhi int, prev, cur []int) int {
	n := 0
	// Recurse on the smaller side and loop on the larger, bounding the
	// stack depth by log of the input length in the balanced case and by
	// the (capped) input length otherwise.
	for alo < ahi && blo < bhi {
		i, j, k := longestMatch(a, b, alo, ahi, blo, bhi, prev, cur)
		if k == 0 {
			break
		}
		n += k
		if (i - alo) < (ahi - i - k) {
			n += matchingRunes(a, b, alo, i, blo, j, prev, cur)
			alo, blo = i+k, j+k
		} else {
			n += matchingRunes(a, b, i+k, ahi, j+k, bhi, prev, cur)
			ahi, bhi = i, j
		}
	}
	return n
}

// longestMatch returns the longest block a[i:i+k] == b[j:j+k] within the
// given ranges; among equally long blocks it picks the one starting
// earliest in a, then earliest in b, as difflib does.
func longestMatch(a, b []rune, alo, ahi, blo, bhi int, prev, cur []int) (besti, bestj, bestk int) {
	besti, bestj = alo, blo
	// prev[j+1] holds the length of the match ending at a[i-1], b[j].
	for j := blo; j <= bhi; j++ {
		prev[j] = 0
	}
	for i := alo; i < ahi; i++ {
		cur[blo] = 0
		for j := blo; j < bhi; j++ {
			if a[i] != b[j] {
				cur[j+1] = 0
				continue
			}
			k := prev[j] + 1
			cur[j+1] = k
			if k > bestk {
				besti, bestj, bestk = i-k+1, j-k+1, k
			}
		}
		prev, cur = cur, prev
	}
	return besti, bestj, bestk
}
