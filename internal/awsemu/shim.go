package awsemu

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	smithycbor "github.com/aws/smithy-go/encoding/cbor"
)

// maxRequestBody bounds what the shim buffers: it must hold a whole request to read a
// query-protocol Action and to forward the body, and an import of a large OpenAPI file is the
// biggest thing a test sends.
const maxRequestBody = 64 << 20

// Shim is a reverse proxy in front of moto that makes it answer like AWS where it does not:
// see EMULATOR.md in the project's shared notes. NewShim makes one and serves it on loopback; it
// is also an http.Handler, for a test that wants to mount it itself. All methods are safe for concurrent use, since the scanner under
// test calls it from many goroutines while the test reconfigures it.
type Shim struct {
	// URL is the shim's base URL, http://127.0.0.1:PORT, to use as an SDK BaseEndpoint.
	URL string

	upstream   string
	client     *http.Client
	transport  *http.Transport
	srv        *http.Server
	ctx        context.Context
	cancel     context.CancelFunc
	wg         sync.WaitGroup
	apiSummary bool

	mu        sync.Mutex
	closed    bool
	log       []Request
	injected  int
	throttled int
	reqSeq    int
	rng       *rand.Rand
	faults    []*faultState
	quotas    Quotas
	buckets   map[accountRegion]*bucketPair
	maxPage   int
	snapshots map[snapshotKey][]byte
	// stageExtras holds the stage settings moto ignores (web ACL, client certificate).
	stageExtras map[stageKey]map[string]string
	// metricData is the PutMetricData side log, see MetricDataRequests.
	metricData []MetricDataRequest
	// API Gateway v2 state moto lacks (apigwv2.go), and the API mappings it cannot hold
	// (domains.go).
	v2deployments map[apiKey][]*v2Deployment
	v2stages      map[stageKey]*v2Stage
	v2status      map[statusKey]string
	mappings      map[domainKey][]apiMapping
	idSeq         int
	// keyAccounts maps an assumed role's access key to the role's account.
	keyAccounts map[string]string
}

// Request is one request the shim answered, as the log keeps it.
type Request struct {
	Service string // signing name from the SigV4 scope: apigateway, sns, monitoring, ...
	Region  string
	Account string // the account the request is about (see Fault.Account)
	// RoleArn is the role an sts:AssumeRole asks for.
	RoleArn   string
	Operation string // AWS operation name, or "METHOD /path" when unknown
	// V2 marks an API Gateway v2 operation (a /v2/ path); v1 and v2 share the service name and
	// several operation names, such as GetDomainNames and CreateDeployment.
	V2       bool
	APIID    string // the v1 {restapi_id} or v2 {apiId} path segment, when the path has one
	Method   string
	Path     string // as sent, still escaped
	RawQuery string // as sent, before the shim strips paging parameters
	// Status is what the client was sent; 0 when it was sent nothing (a reset, a hang, or a
	// client that left first).
	Status int
	// Injected is true when a fault or the throttle decided this answer rather than moto.
	Injected bool
	Duration time.Duration
}

// Option configures a Shim at creation.
type Option func(*Shim)

// WithoutAPISummary makes the shim pass GetDeployment through untouched, as plain moto (and an
// emulator that lacks the feature) answers it, so the scanner's handling of a deployment with no
// apiSummary can be tested.
func WithoutAPISummary() Option { return func(s *Shim) { s.apiSummary = false } }

// WithSeed seeds the source of a Fault's Probability. The default seed is fixed, so a test run
// injects the same faults every time.
func WithSeed(seed int64) Option {
	return func(s *Shim) { s.rng = rand.New(rand.NewPCG(uint64(seed), 0)) }
}

// NewShim starts a shim on a free loopback port in front of upstream (moto's URL). Like
// httptest.NewServer it panics if it cannot listen, which in a test is a broken machine.
func NewShim(upstream string, opts ...Option) *Shim {
	transport := &http.Transport{
		Proxy:               nil,
		DisableCompression:  true, // bodies are rewritten, so they must arrive as plain JSON
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Shim{
		upstream:    strings.TrimRight(upstream, "/"),
		transport:   transport,
		client:      &http.Client{Transport: transport, CheckRedirect: noRedirects},
		ctx:         ctx,
		cancel:      cancel,
		apiSummary:  true,
		rng:         rand.New(rand.NewPCG(1, 0)),
		buckets:     make(map[accountRegion]*bucketPair),
		snapshots:   make(map[snapshotKey][]byte),
		stageExtras: make(map[stageKey]map[string]string),

		v2deployments: make(map[apiKey][]*v2Deployment),
		v2stages:      make(map[stageKey]*v2Stage),
		v2status:      make(map[statusKey]string),
		mappings:      make(map[domainKey][]apiMapping),
		keyAccounts:   make(map[string]string),
	}
	for _, o := range opts {
		o(s)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("awsemu: shim cannot listen on loopback: %v", err))
	}
	s.URL = "http://" + l.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s
}

// noRedirects hands moto's redirects (it answers 308 to some malformed paths) to the SDK as they
// are, as a proxy must.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Close stops the shim. Requests held by a hang or a delay are let go first, so Close never waits
// on a fault.
func (s *Shim) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	if s.srv != nil {
		_ = s.srv.Close()
	}
	s.cancel()
	s.wg.Wait()
	s.transport.CloseIdleConnections()
}

// Counts returns how many requests were seen for each operation name, across services.
func (s *Shim) Counts() map[string]int { return s.countsWhere(func(Request) bool { return true }) }

// CountsFor is Counts restricted to one service's signing name (apigateway, sns, ...).
func (s *Shim) CountsFor(service string) map[string]int {
	return s.countsWhere(func(r Request) bool { return r.Service == service })
}

func (s *Shim) countsWhere(keep func(Request) bool) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := make(map[string]int)
	for _, r := range s.log {
		if keep(r) {
			counts[r.Operation]++
		}
	}
	return counts
}

// Requests returns a copy of the log, oldest first.
func (s *Shim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetLog forgets the requests seen so far (MetricDataRequests too) and zeroes Injected and
// Throttled, so a test can count only what its own phase caused. Faults, quotas and snapshots
// stay.
func (s *Shim) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
	s.metricData = nil
	s.injected = 0
	s.throttled = 0
}

// Injected counts the faults that fired, of every kind.
func (s *Shim) Injected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.injected
}

// Throttled counts the throttling answers sent (API Gateway's 429 TooManyRequestsException,
// CloudWatch's 400 Throttling), whether the quotas or a FaultThrottle caused them.
func (s *Shim) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// SetMaxPageSize caps the page size of the paged list operations below AWS's own limit, so that a
// test needs only a handful of items to cross pages. n <= 0 removes the cap.
func (s *Shim) SetMaxPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxPage = max(n, 0)
}

// inbound is one request, read in full and identified.
type inbound struct {
	r    *http.Request
	call call
	body []byte

	// The decoded body of an rpcv2Cbor request, see cborInput.
	cborOnce sync.Once
	cborMap  smithycbor.Map
	cborLen  int // decompressed size
	cborErr  error
}

// reply is a complete answer. Everything is buffered so that bodies can be rewritten, a fault can
// truncate them, and the log entry is written before the client can see the answer: a test that
// reads Counts right after a call returns sees that call.
type reply struct {
	status int
	header http.Header
	body   []byte
}

type handler func(ctx context.Context, in *inbound) (*reply, error)

// handlerFor is the one place that picks what answers an identified request. Each gap between
// moto and AWS that needs more than forwarding (a protocol moto does not speak, say) is one case
// here; faults, throttling and the log apply to every case alike.
func (s *Shim) handlerFor(c *call) handler {
	switch {
	case c.Service == "apigateway" && c.Protocol == protoREST:
		return s.serveAPIGateway
	case isCloudWatchCBOR(c):
		return s.serveCloudWatch
	default:
		return s.forward
	}
}

// ServeHTTP answers one request: faults first, then the throttle, then the handler.
func (s *Shim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "shim closed", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(s.ctx, cancel)()

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	in := &inbound{r: r, call: identify(r, body), body: body}
	in.call.Account = s.accountOf(&in.call, body)
	entry := Request{
		RoleArn:   assumedRole(&in.call, body),
		Service:   in.call.Service,
		Region:    in.call.Region,
		Account:   in.call.Account,
		Operation: in.call.Operation,
		V2:        in.call.V2,
		APIID:     in.call.apiID(),
		Method:    r.Method,
		Path:      r.URL.EscapedPath(),
		RawQuery:  r.URL.RawQuery,
	}
	var metric *MetricDataRequest
	if err == nil && isCloudWatchCBOR(&in.call) && in.call.Operation == "PutMetricData" {
		metric = metricDataRequest(in)
	}
	finish := func(status int, injected bool) {
		entry.Status, entry.Injected, entry.Duration = status, injected, time.Since(start)
		s.mu.Lock()
		s.log = append(s.log, entry)
		if metric != nil {
			metric.Status, metric.Injected = status, injected
			s.metricData = append(s.metricData, *metric)
		}
		s.mu.Unlock()
	}
	if err != nil {
		rep := s.errorReply(&in.call, http.StatusBadRequest, "BadRequestException", "reading the request body: "+err.Error())
		finish(rep.status, false)
		writeReply(w, r, rep)
		return
	}

	var rep *reply
	injected := false
	malformed := false
	if f, ok := s.pickFault(&in.call); ok {
		injected = true
		if f.OnFire != nil {
			f.OnFire()
		}
		switch f.Kind {
		case FaultReset:
			finish(0, true)
			resetConnection(w)
			return
		case FaultHang:
			finish(0, true)
			<-ctx.Done()
			abort()
		case FaultDelay:
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				finish(0, true)
				abort()
			}
		case FaultMalformed:
			malformed = true
		case FaultThrottle:
			rep = s.throttleReply(&in.call, f.ErrorType, f.Message)
		default:
			rep = s.faultStatusReply(&in.call, f)
		}
	}
	if rep == nil && !s.allow(&in.call) {
		injected = true
		rep = s.throttleReply(&in.call, "", "")
	}
	if rep == nil {
		rep, err = s.handlerFor(&in.call)(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				finish(0, injected)
				abort()
			}
			rep = s.errorReply(&in.call, http.StatusBadGateway, "InternalFailure", "awsemu shim: upstream: "+err.Error())
		}
	}
	if !injected {
		s.learnAssumedKey(&in.call, rep)
	}
	if malformed {
		rep.body = rep.body[:len(rep.body)/2]
	}
	finish(rep.status, injected)
	writeReply(w, r, rep)
}

// abort ends a request with no answer at all. Returning from the handler instead would send an
// empty 200, which a client still connected (the shim being closed under it) would take for
// success.
func abort() { panic(http.ErrAbortHandler) }

func writeReply(w http.ResponseWriter, r *http.Request, rep *reply) {
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(rep.body)
	}
}

// resetConnection drops the connection with a TCP RST, which is what a client sees when a load
// balancer or NAT loses it mid-request.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		abort()
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		abort()
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// forward passes a request to moto as it came and buffers the answer.
func (s *Shim) forward(ctx context.Context, in *inbound) (*reply, error) {
	return s.upstreamDo(ctx, in.r.Method, in.r.URL.EscapedPath(), in.r.URL.RawQuery, in.r.Header, in.body)
}

// hopHeaders are not forwarded in either direction, as RFC 9110 says of a proxy; the length and
// encoding are left for the transport to set, since bodies are rewritten.
var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length", "Accept-Encoding", "Expect",
}

func (s *Shim) upstreamDo(ctx context.Context, method, escapedPath, rawQuery string, header http.Header, body []byte) (*reply, error) {
	target := s.upstream + escapedPath
	if rawQuery != "" {
		target += "?" + rawQuery
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header.Clone()
	for _, h := range hopHeaders {
		req.Header.Del(h)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	h := resp.Header.Clone()
	for _, k := range hopHeaders {
		h.Del(k)
	}
	return &reply{status: resp.StatusCode, header: h, body: respBody}, nil
}

func (s *Shim) nextRequestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqSeq++
	return fmt.Sprintf("awsemu-%08d", s.reqSeq)
}

// errorReply builds an error in the shape the request's protocol uses, since the SDK decodes
// errors per protocol and would otherwise see an UnknownError instead of the intended type.
func (s *Shim) errorReply(c *call, status int, errType, message string) *reply {
	h := http.Header{}
	h.Set("X-Amzn-Requestid", s.nextRequestID())
	var body []byte
	switch c.Protocol {
	case protoQuery:
		kind := "Sender"
		if status >= 500 {
			kind = "Receiver"
		}
		var b bytes.Buffer
		b.WriteString("<ErrorResponse><Error><Type>" + kind + "</Type><Code>")
		_ = xml.EscapeText(&b, []byte(errType))
		b.WriteString("</Code><Message>")
		_ = xml.EscapeText(&b, []byte(message))
		b.WriteString("</Message></Error><RequestId>" + h.Get("X-Amzn-Requestid") + "</RequestId></ErrorResponse>")
		body = b.Bytes()
		h.Set("Content-Type", "text/xml")
	case protoCBOR:
		// rpcv2Cbor; CloudWatch, being awsQueryCompatible, also gets its query error code.
		typ, qerr := errType, ""
		if isCloudWatchCBOR(c) {
			var qcode string
			typ, qcode = cloudWatchErrorType(errType)
			qerr = qcode + ";" + faultOf(status)
		}
		return cborErrorReply(status, typ, qerr, message, h.Get("X-Amzn-Requestid"))
	case protoJSON:
		h.Set("X-Amzn-ErrorType", errType)
		h.Set("Content-Type", "application/x-amz-json-1.0")
		body, _ = json.Marshal(map[string]string{"__type": errType, "message": message})
	default:
		// API Gateway's own shape: the type in a header, only the message in the body.
		h.Set("X-Amzn-ErrorType", errType)
		h.Set("Content-Type", "application/json")
		body, _ = json.Marshal(map[string]string{"message": message})
	}
	return &reply{status: status, header: h, body: body}
}
