package awsemu

import (
	"net/http"
	"time"
)

// FaultKind is what a Fault does to the requests it matches.
type FaultKind int

const (
	// FaultStatus answers Status with an AWS error of ErrorType and Message, without asking moto.
	FaultStatus FaultKind = iota
	// FaultReset drops the connection with no answer.
	FaultReset
	// FaultDelay waits Delay, or until the client gives up, then serves the request normally.
	FaultDelay
	// FaultHang never answers; the request ends when the client gives up.
	FaultHang
	// FaultMalformed serves the request, then sends only the first half of the body, with a
	// Content-Length that matches, so the client reads a complete but undecodable answer.
	FaultMalformed
	// FaultThrottle answers as the throttle does: 429 TooManyRequestsException, or for
	// CloudWatch 400 Throttling.
	FaultThrottle
)

// Fault describes failures to inject. Empty match fields match anything.
type Fault struct {
	Service   string // SigV4 signing name, e.g. apigateway
	Operation string // matches v1 and v2 operations of that name alike (GetDomainNames, ...)
	Region    string
	APIID     string // the {restapi_id} of /restapis/{restapi_id}/..., or the {apiId} of /v2/apis/{apiId}/...
	// Account matches the account a request is about: for sts:AssumeRole the role's account (so
	// a denied member role is a Fault), else the account its credentials land in.
	Account string
	Kind    FaultKind
	// Status, ErrorType and Message shape a FaultStatus answer (ErrorType and Message a
	// FaultThrottle one too). Status 0 means 500; an empty ErrorType is the one AWS uses for the
	// status; an empty Message is the status text.
	Status    int
	ErrorType string
	Message   string
	Delay     time.Duration
	// Probability is the chance that a matching request is hit; 0 means every one.
	Probability float64
	// Count, when above 0, is how many times the fault fires before it stops.
	Count int
	// After lets the first After matching requests through untouched; the fault fires from the
	// next one on. With FaultHang and OnFire it cuts a scan after exactly After calls.
	After int
	// OnFire, when set, is called each time the fault fires, before the answer is decided.
	OnFire func()
}

type faultState struct {
	Fault
	seen, fired int
}

// AddFault adds a fault. Faults are tried in the order they were added; the first that matches
// and fires decides the answer.
func (s *Shim) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f})
}

// ClearFaults removes every fault.
func (s *Shim) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (f *Fault) matches(c *call) bool {
	return (f.Service == "" || f.Service == c.Service) &&
		(f.Operation == "" || f.Operation == c.Operation) &&
		(f.Region == "" || f.Region == c.Region) &&
		(f.APIID == "" || f.APIID == c.apiID()) &&
		(f.Account == "" || f.Account == c.Account)
}

func (s *Shim) pickFault(c *call) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Every matching fault counts the request, whichever fires, so that After counts requests.
	var pick *faultState
	for _, f := range s.faults {
		if !f.matches(c) {
			continue
		}
		f.seen++
		if pick != nil || f.seen <= f.After || (f.Count > 0 && f.fired >= f.Count) {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && s.rng.Float64() >= f.Probability {
			continue
		}
		pick = f
	}
	if pick == nil {
		return Fault{}, false
	}
	pick.fired++
	s.injected++
	return pick.Fault, true
}

// defaultErrorTypes are the error codes AWS sends with each status, so that a fault that names
// only a status still reaches the SDK as the modelled exception.
var defaultErrorTypes = map[int]string{
	http.StatusBadRequest:         "BadRequestException",
	http.StatusUnauthorized:       "UnauthorizedException",
	http.StatusForbidden:          "AccessDeniedException",
	http.StatusNotFound:           "NotFoundException",
	http.StatusConflict:           "ConflictException",
	http.StatusTooManyRequests:    "TooManyRequestsException",
	http.StatusServiceUnavailable: "ServiceUnavailableException",
}

func (s *Shim) faultStatusReply(c *call, f Fault) *reply {
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	errType := f.ErrorType
	if errType == "" {
		errType = defaultErrorTypes[status]
	}
	if errType == "" {
		errType = "InternalFailure"
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(status)
	}
	return s.errorReply(c, status, errType, msg)
}
