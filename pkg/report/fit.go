package report

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// ErrTooLong stops a rendering into a CappedBuffer that has outgrown its limit.
var ErrTooLong = errors.New("longer than the limit")

// CappedBuffer is a strings.Builder that refuses, with ErrTooLong, a write that would take it
// past Limit bytes, or Limit runes with Runes (as GitHub counts a comment). A rendering into it
// stops as soon as it cannot fit: a report of tens of thousands of findings is never rendered
// whole in memory just to learn that it is too long.
type CappedBuffer struct {
	strings.Builder
	Limit int
	Runes bool
	n     int
}

func (c *CappedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if c.Runes {
		// A rune split across two writes counts twice: the cap errs on the safe side.
		n = utf8.RuneCount(p)
	}
	if c.n+n > c.Limit {
		return 0, ErrTooLong
	}
	c.n += n
	return c.Builder.Write(p)
}

// LargestFitting finds, by bisection, the largest k in [0, n] whose rendering fits, and that
// rendering ("" when none fits). A rendering only grows with k.
func LargestFitting(n int, fits func(k int) (string, bool)) (int, string) {
	best, bestBody := -1, ""
	lo, hi := 0, n
	for lo <= hi {
		mid := (lo + hi) / 2
		if body, ok := fits(mid); ok {
			best, bestBody, lo = mid, body, mid+1
		} else {
			hi = mid - 1
		}
	}
	return max(best, 0), bestBody
}
