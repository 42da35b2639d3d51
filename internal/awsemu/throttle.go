package awsemu

import (
	"net/http"
	"time"
)

// Quotas are token-bucket limits per account and region, in requests per second. A zero Rate or
// GetResourcesRate leaves that bucket out.
type Quotas struct {
	// Rate and Burst apply to every apigateway operation together.
	Rate  float64
	Burst int
	// GetResourcesRate and GetResourcesBurst apply to GetResources on top of Rate and Burst:
	// AWS gives that one operation a quota of its own.
	GetResourcesRate  float64
	GetResourcesBurst int
	// Scale multiplies both rates (not the bursts), so that a benchmark run at Scale 10 meets
	// the same pattern of throttling in a tenth of the time. Zero means 1.
	Scale float64
}

// AWSQuotas returns API Gateway's control-plane quotas: 10 requests per second with a burst of
// 40 per account and region, and for GetResources 5 requests every 2 seconds, with their rates
// multiplied by scale.
func AWSQuotas(scale float64) Quotas {
	return Quotas{Rate: 10, Burst: 40, GetResourcesRate: 2.5, GetResourcesBurst: 5, Scale: scale}
}

// SetThrottle turns throttling of apigateway requests on with fresh, full buckets; SetThrottle
// of the zero Quotas turns it off. Other services are never throttled: AWS's limits for them
// are far from anything a test reaches.
func (s *Shim) SetThrottle(q Quotas) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quotas = q
	clear(s.buckets)
}

type accountRegion struct{ account, region string }

type bucketPair struct{ all, getResources *bucket }

type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate float64, burst int, scale float64, now time.Time) *bucket {
	if rate <= 0 {
		return nil
	}
	if scale <= 0 {
		scale = 1
	}
	b := float64(max(burst, 1))
	return &bucket{rate: rate * scale, burst: b, tokens: b, last: now}
}

// has reports whether the bucket, refilled to now, holds a token; it does not spend it, so that
// a call needing two buckets spends from neither when one is empty.
func (b *bucket) has(now time.Time) bool {
	if b == nil {
		return true
	}
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	return b.tokens >= 1
}

func (b *bucket) spend() {
	if b != nil {
		b.tokens--
	}
}

// allow applies the quotas to one request and spends its tokens.
func (s *Shim) allow(c *call) bool {
	if c.Service != "apigateway" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.quotas
	if q.Rate <= 0 && q.GetResourcesRate <= 0 {
		return true
	}
	now := time.Now()
	key := accountRegion{c.Account, c.Region}
	bp, ok := s.buckets[key]
	if !ok {
		bp = &bucketPair{
			all:          newBucket(q.Rate, q.Burst, q.Scale, now),
			getResources: newBucket(q.GetResourcesRate, q.GetResourcesBurst, q.Scale, now),
		}
		s.buckets[key] = bp
	}
	grb := (*bucket)(nil)
	if c.Operation == "GetResources" {
		grb = bp.getResources
	}
	if !bp.all.has(now) || !grb.has(now) {
		return false
	}
	bp.all.spend()
	grb.spend()
	return true
}

// throttleReply is API Gateway's 429 as AWS sends it; the SDK decodes it as
// types.TooManyRequestsException and its retryers treat it as throttling. CloudWatch throttles
// differently: HTTP 400 with the query error code Throttling ("Rate exceeded"), which the SDK
// reports as the code Throttling, also one its retryers treat as throttling.
func (s *Shim) throttleReply(c *call, errType, message string) *reply {
	status := http.StatusTooManyRequests
	defType, defMessage := "TooManyRequestsException", "Too Many Requests"
	if c.Service == cloudWatchService || isCloudWatchCBOR(c) {
		status = http.StatusBadRequest
		defType, defMessage = "Throttling", "Rate exceeded"
	}
	if errType == "" {
		errType = defType
	}
	if message == "" {
		message = defMessage
	}
	s.mu.Lock()
	s.throttled++
	s.mu.Unlock()
	return s.errorReply(c, status, errType, message)
}
