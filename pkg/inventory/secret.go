package inventory

import (
	"regexp"
	"strings"
)

// secretValue matches the shapes of credentials that show up in stage variables: AWS access
// keys, PEM blocks, JWTs, and the prefixed tokens of common SaaS providers.
var secretValue = regexp.MustCompile(`(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}` +
	`|-----BEGIN [A-Z ]*PRIVATE KEY-----` +
	`|^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.` +
	`|^(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}` +
	`|^xox[abposr]-[A-Za-z0-9-]{10,}` +
	`|^(?:sk|rk)_live_[A-Za-z0-9]{16,}` +
	`|^AIza[0-9A-Za-z_-]{35}$`)

// awsSecretKey is the shape of an AWS secret access key: 40 characters of base64.
var awsSecretKey = regexp.MustCompile(`^[A-Za-z0-9/+]{40}$`)

// LooksLikeSecret reports whether a stage variable's value has the shape of a credential. It is
// called once, while the value is read, so that only the verdict is ever kept.
func LooksLikeSecret(value string) bool {
	v := strings.TrimSpace(value)
	if secretValue.MatchString(v) {
		return true
	}
	// A 40-character base64 string with mixed case and digits is an AWS secret key more often
	// than anything else; a word or a hex digest lacks one of those.
	return awsSecretKey.MatchString(v) && strings.ContainsAny(v, "0123456789") &&
		strings.IndexFunc(v, isUpper) >= 0 && strings.IndexFunc(v, isLower) >= 0
}

func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }
func isLower(r rune) bool { return r >= 'a' && r <= 'z' }
