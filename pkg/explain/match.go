package explain

import (
	"slices"
	"strings"
)

// A resource path's part is a literal ("orders"), a path parameter ("{id}") or a greedy one
// ("{proxy+}"), and a request's segment matches them in that order of preference, level by
// level: a literal part beats a parameter, which beats a greedy parameter. A greedy parameter
// must come last and needs at least one segment: /{proxy+} does not serve the root, which needs
// its own method (https://repost.aws/knowledge-center/api-gateway-authentication-token-errors,
// "for APIs with proxy resource integration ... verify a method is configured under the root
// resource"). Paths are case-sensitive.
type partKind int

const (
	literal partKind = iota
	param
	greedy
)

func kindOf(part string) partKind {
	switch {
	case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "+}"):
		return greedy
	case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}"):
		return param
	}
	return literal
}

// splitPath splits a resource path or a route's path into its parts; the root has none.
func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// score matches a resource path's parts against a request's segments: the kind of part each
// level matched with, or false when the path does not match.
func score(parts, segs []string) ([]partKind, bool) {
	sc := make([]partKind, 0, len(parts))
	for i, part := range parts {
		k := kindOf(part)
		switch {
		case k == greedy:
			if i != len(parts)-1 || i >= len(segs) || strings.Join(segs[i:], "") == "" {
				return nil, false
			}
			return append(sc, greedy), true
		case i >= len(segs):
			return nil, false
		case k == param && segs[i] == "":
			return nil, false
		case k == literal && segs[i] != part:
			return nil, false
		}
		sc = append(sc, k)
	}
	return sc, len(parts) == len(segs)
}

// better reports whether score a beats score b: at the first level they differ, the more
// specific kind wins.
func better(a, b []partKind) bool {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) > len(b)
}

// bestPath returns the path among paths that serves segs, by the order above, and false when
// none does. Ties (sibling parameters, which API Gateway refuses to create) go to the first path
// in sorted order, so that the answer is stable.
func bestPath(paths []string, segs []string) (string, bool) {
	var best string
	var bestScore []partKind
	found := false
	for _, p := range slices.Sorted(slices.Values(paths)) {
		sc, ok := score(splitPath(p), segs)
		if ok && (!found || better(sc, bestScore)) {
			best, bestScore, found = p, sc, true
		}
	}
	return best, found
}

// withAncestors adds every ancestor of each path: a deployment's snapshot lists only the
// resources that have methods, but their parents exist in the deployment too, and a request
// matching one of them is served by no method rather than by a less specific resource.
func withAncestors(paths []string) []string {
	seen := map[string]bool{"/": true}
	out := []string{"/"}
	for _, p := range paths {
		parts := splitPath(p)
		for i := 1; i <= len(parts); i++ {
			a := "/" + strings.Join(parts[:i], "/")
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// nearPath reports whether a resource path is one edit away from the request: as many parts as
// segments, every part matching but one literal that differs only by case, one character or a
// plural ending (/user for /users).
func nearPath(parts, segs []string) bool {
	if len(parts) != len(segs) || len(parts) == 0 {
		return false
	}
	differs := 0
	for i, part := range parts {
		switch kindOf(part) {
		case greedy:
			return false
		case param:
			if segs[i] == "" {
				return false
			}
		default:
			if segs[i] == part {
				continue
			}
			if !nearWord(segs[i], part) {
				return false
			}
			differs++
		}
	}
	return differs == 1
}

// nearWord reports whether two path parts differ only by case, one character or a plural.
func nearWord(a, b string) bool {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	return la == lb || la+"es" == lb || lb+"es" == la || distance(la, lb) <= 1
}

// nearName reports whether a stage or base path name looks like another: by case, as a prefix
// of it (prod for production), or within two edits.
func nearName(a, b string) bool {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	if la == lb {
		return true
	}
	if len(la) >= 3 && len(lb) >= 3 && (strings.HasPrefix(la, lb) || strings.HasPrefix(lb, la)) {
		return true
	}
	return distance(la, lb) <= 2 && min(len(la), len(lb)) > 2
}

// distance is the Levenshtein distance of two short strings, in bytes; strings of very
// different lengths, or long ones, are only told apart from equal ones.
func distance(a, b string) int {
	if a == b {
		return 0
	}
	if len(a)-len(b) > 2 || len(b)-len(a) > 2 || len(a) > 128 || len(b) > 128 {
		return 3
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
