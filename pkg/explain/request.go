package explain

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Endpoint is how a URL reaches API Gateway.
type Endpoint int

const (
	// DefaultEndpoint is https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/{path}.
	DefaultEndpoint Endpoint = iota
	// CustomDomain is https://{domain}/{base-path}/{path}.
	CustomDomain
)

// Request is one HTTP request as a client sends it, parsed for the gateway's decision. Header
// and query values are kept to look for identity sources and never printed: an x-api-key, an
// Authorization header or a presigned signature is a credential.
type Request struct {
	// URL is the URL without its query string and fragment, as it is printed.
	URL    string
	Method string
	Kind   Endpoint
	// Host is the lowercased host name: the custom domain of a CustomDomain request.
	Host string
	// APIID and Region are read from a DefaultEndpoint host.
	APIID, Region string
	// Segments are the path's segments, unescaped, with one trailing slash dropped ("/orders/"
	// and "/orders" are the same request to API Gateway). For a DefaultEndpoint request the
	// first is the stage; for a CustomDomain request the base path comes first.
	Segments []string
	Header   http.Header
	Query    url.Values
	// Origin, when set, is the page's origin: a browser sends the request cross-origin, with a
	// CORS preflight first when the request is not a simple one.
	Origin string
}

// Methods are the HTTP methods an API Gateway method can be defined for (PutMethod's
// httpMethod, ANY aside). HEAD is one of them in its own right: a GET method does not serve it.
var Methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// defaultHost is the host of an API's default endpoint; China regions end in .amazonaws.com.cn.
var defaultHost = regexp.MustCompile(`^([a-z0-9]+)\.execute-api\.([a-z]{2}(?:-[a-z0-9]+){2,})\.amazonaws\.com(?:\.cn)?$`)

// dnsLabel is one label of a domain name; a custom domain may be a wildcard ("*.example.com")
// but a request's host never is.
var dnsLabel = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// NewRequest parses a request: its URL, method (GET when empty), headers ("Name: value") and the
// page's origin, if any. Every error is one line, fit for a usage error.
func NewRequest(rawURL, method string, headers []string, origin string) (Request, error) {
	req, err := ParseURL(rawURL)
	if err != nil {
		return Request{}, err
	}
	if method == "" {
		method = "GET"
	}
	req.Method = strings.ToUpper(method)
	if !slices.Contains(Methods, req.Method) {
		return Request{}, fmt.Errorf("method %q is not one API Gateway serves (want one of %s)", method, strings.Join(Methods, ", "))
	}
	req.Header = http.Header{}
	for _, h := range headers {
		name, value, err := ParseHeader(h)
		if err != nil {
			return Request{}, err
		}
		req.Header.Add(name, value)
	}
	if origin != "" {
		if req.Origin, err = parseOrigin(origin); err != nil {
			return Request{}, err
		}
	}
	return req, nil
}

// ParseURL parses an API Gateway URL: a default endpoint or a custom domain, HTTPS only (API
// Gateway serves nothing else), without user information or a port other than 443. The query
// string is kept apart; it takes no part in routing.
func ParseURL(raw string) (Request, error) {
	shown := withoutQuery(raw)
	if strings.ContainsAny(raw, " \t\r\n\x00") {
		return Request{}, fmt.Errorf("URL %q contains a space or a control character", shown)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Request{}, fmt.Errorf("URL %q does not parse: %s", shown, errors.Unwrap(err))
	}
	switch {
	case u.Scheme == "http":
		return Request{}, fmt.Errorf("URL %q is http: API Gateway serves HTTPS only", shown)
	case u.Scheme != "https" || u.Host == "" || u.Opaque != "":
		return Request{}, fmt.Errorf("URL %q is not an https URL (want https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/{path} or https://{domain}/{path})", shown)
	case u.User != nil:
		return Request{}, fmt.Errorf("URL %q carries user information, which API Gateway does not take", shown)
	case u.Port() != "" && u.Port() != "443":
		return Request{}, fmt.Errorf("URL %q names port %s: API Gateway listens on 443 only", shown, u.Port())
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	req := Request{Host: host, Query: u.Query()}
	if m := defaultHost.FindStringSubmatch(host); m != nil {
		req.Kind, req.APIID, req.Region = DefaultEndpoint, m[1], m[2]
	} else {
		if err := checkDomain(host); err != nil {
			return Request{}, fmt.Errorf("URL %q: %w", shown, err)
		}
		req.Kind = CustomDomain
	}
	if req.Segments, err = segments(u.EscapedPath()); err != nil {
		return Request{}, fmt.Errorf("URL %q: %w", shown, err)
	}
	clean := *u
	clean.RawQuery, clean.Fragment, clean.RawFragment, clean.ForceQuery = "", "", "", false
	clean.Host = host
	req.URL = clean.String()
	return req, nil
}

// withoutQuery cuts a URL at its query string or fragment, so that an error never prints a
// presigned signature or a key passed in the query.
func withoutQuery(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i]
	}
	return raw
}

// checkDomain accepts a host that can be a custom domain name.
func checkDomain(host string) error {
	switch {
	case net.ParseIP(host) != nil || strings.HasPrefix(host, "["):
		return errors.New("an IP address is neither an API Gateway endpoint nor a custom domain name")
	case strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn"):
		return errors.New("not an API Gateway invoke URL (want https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/{path})")
	case len(host) > 253 || !strings.Contains(host, "."):
		return fmt.Errorf("%q is not a domain name", host)
	}
	for _, label := range strings.Split(host, ".") {
		if !dnsLabel.MatchString(label) {
			return fmt.Errorf("%q is not a domain name", host)
		}
	}
	return nil
}

// segments splits an escaped path into unescaped segments. One trailing slash is dropped: API
// Gateway routes /hello/ as /hello, for REST and HTTP APIs alike (seen and reported in
// aws-powertools/powertools-lambda-python#1552). An empty inner segment ("//") is kept: no
// resource has an empty path part, so it matches none.
func segments(escaped string) ([]string, error) {
	p := strings.TrimPrefix(escaped, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil, nil
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		v, err := url.PathUnescape(s)
		if err != nil {
			return nil, fmt.Errorf("path segment %q is not validly escaped", s)
		}
		segs[i] = v
	}
	return segs, nil
}

// ParseHeader parses "Name: value", as curl's -H takes it. The name must be an HTTP token; the
// value may be empty but must not hold a line break or NUL.
func ParseHeader(line string) (name, value string, err error) {
	name, value, ok := strings.Cut(line, ":")
	if !ok {
		return "", "", fmt.Errorf("header %q is not 'Name: value'", redactHeader(line))
	}
	name = strings.TrimSpace(name)
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
		return "", "", fmt.Errorf("header name %q is not an HTTP token", name)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return "", "", fmt.Errorf("the value of header %s holds a line break or NUL", name)
	}
	return http.CanonicalHeaderKey(name), strings.TrimSpace(value), nil
}

// redactHeader keeps a malformed header's first characters only, so that an error never prints
// a credential that was passed without its colon.
func redactHeader(line string) string {
	if len(line) > 12 {
		return line[:12] + "…"
	}
	return line
}

func isTokenChar(r rune) bool {
	return r < 127 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r))
}

// parseOrigin accepts a serialized origin: scheme://host[:port], or "null".
func parseOrigin(origin string) (string, error) {
	if origin == "null" {
		return origin, nil
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil || u.Fragment != "" {
		return "", fmt.Errorf("origin %q is not scheme://host[:port] (e.g. https://shop.example.com)", origin)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// Path is the request's path, as segments joined: "/" for none.
func (r Request) Path() string { return "/" + strings.Join(r.Segments, "/") }

// signed reports whether the request carries a SigV4 (or SigV4a) signature, in the Authorization
// header or in a presigned URL's query string. Whether the signature is valid is not knowable
// here.
func (r Request) signed() bool {
	auth := r.Header.Get("Authorization")
	if strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || strings.HasPrefix(auth, "AWS4-ECDSA-P256-SHA256 ") {
		return true
	}
	return r.Query.Get("X-Amz-Signature") != "" && r.Query.Get("X-Amz-Credential") != ""
}

// needsPreflight reports whether a browser sends a CORS preflight before the request: unless the
// method is GET, HEAD or POST and every header is CORS-safelisted (the Fetch standard's "simple
// request"). Headers a browser sets itself (Host, Origin, User-Agent...) are not passed here.
func (r Request) needsPreflight() (bool, string) {
	if r.Method != "GET" && r.Method != "HEAD" && r.Method != "POST" {
		return true, "the method is " + r.Method
	}
	for name, values := range r.Header {
		switch name {
		case "Accept", "Accept-Language", "Content-Language":
			continue
		case "Content-Type":
			mt := strings.ToLower(strings.TrimSpace(strings.Split(strings.Join(values, ","), ";")[0]))
			if mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data" || mt == "text/plain" {
				continue
			}
			return true, "Content-Type " + mt + " is not a simple one"
		}
		return true, "header " + name + " is not CORS-safelisted"
	}
	return false, ""
}
