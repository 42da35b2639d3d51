package progress

import (
	"fmt"
	"strings"
	"time"
)

// tally is what a scan has told so far.
type tally struct {
	start                       time.Time
	accounts, regionsPerAccount int
	regions                     map[regionKey]*regionTally
	regionsDone                 int
	doneIn                      map[string]int // regions done, by account
	listed, read                int
	calls                       int
	waits, throttled            int
}

type regionKey struct{ account, region string }

type regionTally struct {
	started      time.Time // zero until the region started
	listed, done bool
	apis, read   int
}

func newTally(start time.Time) tally {
	return tally{start: start, regions: map[regionKey]*regionTally{}, doneIn: map[string]int{}}
}

func (t *tally) region(account, region string) *regionTally {
	k := regionKey{account, region}
	reg := t.regions[k]
	if reg == nil {
		reg = &regionTally{}
		t.regions[k] = reg
	}
	return reg
}

// line is the whole progress line: where the scan is, then the work done and the time.
func (t *tally) line(now time.Time, estimate bool) string {
	return t.scope() + ", " + t.work(now, estimate)
}

// scope counts the accounts (when there are several), regions and APIs done. APIs are counted
// out of those listed so far; "so far" says more regions are still to list theirs.
func (t *tally) scope() string {
	var parts []string
	if t.accounts > 1 {
		done := 0
		for _, n := range t.doneIn {
			if n >= t.regionsPerAccount {
				done++
			}
		}
		parts = append(parts, fmt.Sprintf("accounts %d/%d", done, t.accounts))
	}
	parts = append(parts, fmt.Sprintf("regions %d/%d", t.regionsDone, t.accounts*t.regionsPerAccount))
	apis := fmt.Sprintf("APIs %d/%d", t.read, t.listed)
	if !t.allListed() {
		apis += " so far"
	}
	return strings.Join(append(parts, apis), ", ")
}

// work counts the calls and throttling waits and tells the time taken and, with estimate, the
// time left when it can be estimated.
func (t *tally) work(now time.Time, estimate bool) string {
	waits := count(t.waits, "throttling wait")
	if t.throttled > 0 {
		waits += fmt.Sprintf(" (%d after a 429)", t.throttled)
	}
	s := fmt.Sprintf("%s, %s, elapsed %s", count(t.calls, "call"), waits, duration(now.Sub(t.start)))
	if estimate {
		if left, ok := t.left(now); ok {
			s += ", about " + duration(left) + " left"
		}
	}
	return s
}

// allListed tells whether every planned region has listed its APIs or ended without.
func (t *tally) allListed() bool {
	n := 0
	for _, reg := range t.regions {
		if reg.listed || reg.done {
			n++
		}
	}
	return n >= t.accounts*t.regionsPerAccount
}

// left estimates the time until the last region is read. Regions are read in parallel, each at
// its own quota (API Gateway's quotas are per account and region), so the scan ends with its
// slowest region: each region still reading is assumed to go on at its pace so far, the time
// since it started over the APIs it has read, for the APIs it has still to read; the estimate
// is the longest of these. There is none until every planned region has started and listed its
// APIs (the work left is unknown before) and every region still reading has read an API (its
// pace is unknown before), nor when it is under a second. Of an organization read a few
// accounts at a time, the estimate therefore appears only once the last accounts have started.
func (t *tally) left(now time.Time) (time.Duration, bool) {
	if t.accounts*t.regionsPerAccount == 0 || !t.allListed() {
		return 0, false
	}
	var longest time.Duration
	for _, reg := range t.regions {
		if reg.done || reg.read >= reg.apis {
			continue
		}
		if reg.read == 0 || reg.started.IsZero() {
			return 0, false
		}
		perAPI := now.Sub(reg.started) / time.Duration(reg.read)
		longest = max(longest, perAPI*time.Duration(reg.apis-reg.read))
	}
	return longest, longest >= time.Second
}

// duration is d to the second, as 45s, 3m05s or 1h02m.
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	default:
		return fmt.Sprintf("%ds", s)
	}
}

// count is n things, as "1 call" or "2 calls".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
