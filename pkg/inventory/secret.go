package inventory

import (
	"regexp"
	"strings"
)

// secretValue matches the shapes of credentials that show up in stage variables: AWS access
// key ids, PEM private keys, JWTs, URLs that carry a password, and the prefixed tokens of
// common SaaS providers. Each shape is specific enough that an ordinary value (a word, a
// number, a UUID, a hex digest, a URL, an ARN) does not match it.
var secretValue = regexp.MustCompile(`(?:^|[^A-Za-z0-9])(?:AKIA|ASIA|A3T[A-Z0-9])[A-Z0-9]{16}(?:[^A-Za-z0-9]|$)` +
	`|-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----` +
	`|(?:^|[^A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.` +
	`|^[A-Za-z][A-Za-z0-9+.-]*://[^/?#@:\s]+:[^/?#@\s]+@` +
	`|(?:^|[^A-Za-z0-9])(?:ghp|gho|ghs|ghu|ghr|github_pat)_[A-Za-z0-9_]{20,}` +
	`|(?:^|[^A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}` +
	`|hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}` +
	`|(?:^|[^A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}` +
	`|(?:^|[^A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?:[^0-9A-Za-z_-]|$)`)

// awsSecretKey is the shape of an AWS secret access key: 40 characters of base64.
var awsSecretKey = regexp.MustCompile(`^[A-Za-z0-9/+]{40}$`)

// wordLike finds the runs of a string that read as words ("Orders", "service").
var wordLike = regexp.MustCompile(`[A-Z]?[a-z]{3,}`)

// LooksLikeSecret reports whether a stage variable's value has the shape of a credential. It is
// called once, while the value is read, so that only the verdict is ever kept.
func LooksLikeSecret(value string) bool {
	v := strings.TrimSpace(value)
	if secretValue.MatchString(v) {
		return true
	}
	// A 40-character base64 string with upper case, lower case and digits is an AWS secret key
	// more often than anything else. A hex digest lacks one of the three; an identifier or a
	// path of that length ("services/OrdersApi/v2/Handlers/Checkout1") is mostly words, which a
	// random key almost never is.
	if !awsSecretKey.MatchString(v) || !strings.ContainsAny(v, "0123456789") ||
		strings.IndexFunc(v, isUpper) < 0 || strings.IndexFunc(v, isLower) < 0 {
		return false
	}
	inWords := 0
	for _, w := range wordLike.FindAllString(v, -1) {
		inWords += len(w)
	}
	return inWords*2 < len(v)
}

func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }
func isLower(r rune) bool { return r >= 'a' && r <= 'z' }
