package explain

import (
	"slices"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url      string
		kind     Endpoint
		apiID    string
		region   string
		host     string
		segments []string
		printed  string
	}{
		{"https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod/users/42", DefaultEndpoint, "abc123defg", "eu-west-1", "abc123defg.execute-api.eu-west-1.amazonaws.com", []string{"prod", "users", "42"}, ""},
		{"https://ABC123DEFG.Execute-Api.EU-WEST-1.amazonaws.com:443/prod/", DefaultEndpoint, "abc123defg", "eu-west-1", "abc123defg.execute-api.eu-west-1.amazonaws.com", []string{"prod"}, "https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod/"},
		{"https://a1.execute-api.cn-north-1.amazonaws.com.cn/p", DefaultEndpoint, "a1", "cn-north-1", "a1.execute-api.cn-north-1.amazonaws.com.cn", []string{"p"}, ""},
		{"https://a1.execute-api.us-gov-west-1.amazonaws.com", DefaultEndpoint, "a1", "us-gov-west-1", "a1.execute-api.us-gov-west-1.amazonaws.com", nil, ""},
		{"https://api.example.com/v1/users%2F7/x?key=SECRET#top", CustomDomain, "", "", "api.example.com", []string{"v1", "users/7", "x"}, "https://api.example.com/v1/users%2F7/x"},
		{"https://api.example.com.", CustomDomain, "", "", "api.example.com", nil, "https://api.example.com"},
		{"https://api.example.com/a//b", CustomDomain, "", "", "api.example.com", []string{"a", "", "b"}, ""},
	} {
		t.Run(tc.url, func(t *testing.T) {
			req, err := ParseURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if req.Kind != tc.kind || req.APIID != tc.apiID || req.Region != tc.region || req.Host != tc.host || !slices.Equal(req.Segments, tc.segments) {
				t.Errorf("got %d %q %q %q %q", req.Kind, req.APIID, req.Region, req.Host, req.Segments)
			}
			if tc.printed != "" && req.URL != tc.printed {
				t.Errorf("printed as %q, want %q", req.URL, tc.printed)
			}
		})
	}
}

func TestRequestErrors(t *testing.T) {
	for _, tc := range []struct {
		url, method, header, origin, want string
	}{
		{url: "http://api.example.com/x", want: "API Gateway serves HTTPS only"},
		{url: "ftp://api.example.com/x", want: "is not an https URL"},
		{url: "api.example.com/x", want: "is not an https URL"},
		{url: "https://user:pw@api.example.com/x", want: "carries user information"},
		{url: "https://api.example.com:8443/x", want: "names port 8443"},
		{url: "https://10.0.0.1/x", want: "an IP address"},
		{url: "https://[::1]/x", want: "an IP address"},
		{url: "https://localhost/x", want: "is not a domain name"},
		{url: "https://bad_label.example.com/x", want: "is not a domain name"},
		{url: "https://x.execute-api.amazonaws.com/prod", want: "not an API Gateway invoke URL"},
		{url: "https://s3.amazonaws.com/b", want: "not an API Gateway invoke URL"},
		{url: "https://api.example.com/%zz", want: "does not parse"},
		{url: "https://api.example.com/a b", want: "a space or a control character"},
		{url: "https://api.example.com/x?sig=SECRET%zz b", want: "a space"},
		{url: "https://api.example.com/x", method: "TRACE", want: `method "TRACE" is not one API Gateway serves`},
		{url: "https://api.example.com/x", header: "x-api-key SECRETVALUE", want: `header "x-api-key SE…" is not 'Name: value'`},
		{url: "https://api.example.com/x", header: "bad name: v", want: `header name "bad name" is not an HTTP token`},
		{url: "https://api.example.com/x", header: ": v", want: `header name "" is not an HTTP token`},
		{url: "https://api.example.com/x", origin: "https://app.example.com/page", want: "is not scheme://host[:port]"},
		{url: "https://api.example.com/x", origin: "app.example.com", want: "is not scheme://host[:port]"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			var headers []string
			if tc.header != "" {
				headers = []string{tc.header}
			}
			_, err := NewRequest(tc.url, tc.method, headers, tc.origin)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error %q prints a credential or breaks the line", err)
			}
		})
	}
}

func TestNeedsPreflight(t *testing.T) {
	for _, tc := range []struct {
		method  string
		headers []string
		want    bool
	}{
		{"GET", nil, false},
		{"POST", []string{"Content-Type: text/plain; charset=utf-8", "Accept: */*"}, false},
		{"POST", []string{"Content-Type: application/json"}, true},
		{"GET", []string{"x-api-key: k"}, true},
		{"DELETE", nil, true},
	} {
		req, err := NewRequest("https://api.example.com/x", tc.method, tc.headers, "https://app.example.com")
		if err != nil {
			t.Fatal(err)
		}
		if got, why := req.needsPreflight(); got != tc.want {
			t.Errorf("%s %v: preflight %t (%s), want %t", tc.method, tc.headers, got, why, tc.want)
		}
	}
}
