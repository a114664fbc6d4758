package fakecloud

import (
	"net/http"
	"strconv"
	"time"
)

// Fault makes a service misbehave. Hang wins over Status.
type Fault struct {
	Status     int           // answer this status (with Retry-After for 429 when RetryAfter > 0)
	RetryAfter time.Duration // value of the Retry-After header, whole seconds
	Hang       bool          // block until the client gives up or the cloud closes
	Trickle    bool          // answer 200 and then one byte of JSON whitespace every 100ms, forever (slowloris)
	Body       string        // response body; a generic JSON error when empty
	Times      int           // 0: every request from now on; n: the next n requests
}

// Count reports how many requests the named service has received since the last ResetCounts.
func (c *Cloud) Count(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[name]
}

// Hit increments the named counter, for handlers that count sub-operations.
func (c *Cloud) Hit(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[name]++
}

// ResetCounts sets every counter to zero.
func (c *Cloud) ResetCounts() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts = map[string]int{}
}

// SetFault makes the next requests to the named service fail as f says.
func (c *Cloud) SetFault(name string, f Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults[name] = &f
}

// ClearFaults removes every fault.
func (c *Cloud) ClearFaults() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = map[string]*Fault{}
}

// takeFault counts a request and returns the fault to apply to it, if any.
func (c *Cloud) takeFault(name string) (Fault, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[name]++
	f, ok := c.faults[name]
	if !ok {
		return Fault{}, false
	}
	out := *f
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			delete(c.faults, name)
		}
	}
	return out, true
}

// service wraps h so that its requests are counted under name and subject to its faults.
func (c *Cloud) service(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := c.takeFault(name)
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		if f.Hang {
			select {
			case <-r.Context().Done():
			case <-c.done:
			}
			return
		}
		if f.Trickle {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			for {
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-c.done:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		if status == http.StatusTooManyRequests && f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter.Round(time.Second)/time.Second)))
		}
		body := f.Body
		if body == "" {
			body = `{"error":"temporarily_unavailable","error_description":"fakecloud: injected fault ` + strconv.Itoa(status) + `"}`
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body)) //nolint:errcheck
	})
}
