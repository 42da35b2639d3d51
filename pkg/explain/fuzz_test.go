package explain

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseRequest: any URL, method and header either parse, into a request whose parts hold
// together, or give a one-line error that prints no query string or header value; a parsed
// request is decided without a panic against the fixture region.
func FuzzParseRequest(f *testing.F) {
	for _, seed := range []struct{ url, method, header string }{
		{shopHost + "/prod/users/42", "GET", "Authorization: Bearer x"},
		{"https://api.example.com/v1/shop/users/?a=b", "post", "x-api-key: k"},
		{"https://api.example.com/bare/prod/users%2F7", "HEAD", "X-User:"},
		{cartsHost + "/live/carts/a/b", "DELETE", signature},
		{"https://a.wild.example.com", "OPTIONS", "Content-Type: application/json"},
		{"http://x", "TRACE", "no colon"},
		{"https://[::1]:443/%zz", "", ": empty"},
	} {
		f.Add(seed.url, seed.method, seed.header)
	}
	reg := fixture()
	f.Fuzz(func(t *testing.T, rawURL, method, header string) {
		req, err := NewRequest(rawURL, method, []string{header}, "https://app.example.com")
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error %q is not one line", msg)
			}
			value := ""
			if _, v, ok := strings.Cut(header, ":"); ok {
				value = strings.TrimSpace(v)
			}
			// The URL and method are printed quoted, and a quoted escape (\x80) can run into
			// digits that look like the value: only a value found in neither is a leak.
			inURL := strings.Contains(rawURL, value) || strings.Contains(strconv.Quote(rawURL), value)
			inMethod := strings.Contains(method, value) || strings.Contains(strconv.Quote(method), value)
			if len(value) > 12 && strings.Contains(msg, value) && !inURL && !inMethod {
				t.Fatalf("error %q prints the header's value", msg)
			}
			return
		}
		if !slices.Contains(Methods, req.Method) || !strings.HasPrefix(req.URL, "https://") || strings.ContainsAny(req.URL, "?#") {
			t.Fatalf("parsed %q into %s %q", rawURL, req.Method, req.URL)
		}
		if (req.Kind == DefaultEndpoint) != (req.APIID != "") || req.Host != strings.ToLower(req.Host) {
			t.Fatalf("parsed %q into kind %d, API %q, host %q", rawURL, req.Kind, req.APIID, req.Host)
		}
		again, err := ParseURL(req.URL)
		if err != nil || !slices.Equal(again.Segments, req.Segments) || again.Host != req.Host {
			t.Fatalf("%q parses into %q, which parses into %q, %v", rawURL, req.URL, again.Segments, err)
		}
		d := Decide(reg, req)
		if d.Outcome != Served && d.Outcome != Rejected && d.Outcome != Undecided || d.Explanation == "" {
			t.Fatalf("decision %+v", d)
		}
	})
}
