package doctor

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/azcred/azcred/helper"
)

// ClockInfo compares the local clock with the authority's Date header.
type ClockInfo struct {
	Authority string `json:"authority"`
	Skew      string `json:"skew,omitempty"` // local minus server, rounded to the second
	Error     string `json:"error,omitempty"`
}

// maxSkew is how far the clocks may drift apart: Entra ID tolerates five
// minutes on the tokens it checks, and azcred's expiry arithmetic assumes
// the local clock is about right.
const maxSkew = 5 * time.Minute

// checkClock makes one request to the default context's authority (only
// with --online): a wrong clock makes tokens look expired or fresh when
// they are not, and federated assertions be rejected.
func (r *Report) checkClock(ctx context.Context, l *helper.Loaded, o Options) {
	envName := ""
	for _, c := range r.Contexts {
		if c.Active {
			envName = c.Environment
		}
	}
	env, err := l.Environment(envName)
	if err != nil {
		return
	}
	ci := &ClockInfo{Authority: env.Authority}
	r.Clock = ci
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, env.Authority, nil)
	if err != nil {
		ci.Error = err.Error()
		return
	}
	sent := o.Now()
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		ci.Error = helper.FirstLine(err.Error())
		r.add("clock", StatusInfo, "cannot reach "+helper.HostOfURL(env.Authority)+" to compare clocks: "+ci.Error, "check the network, or run doctor without --online")
		return
	}
	resp.Body.Close()
	server, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		ci.Error = "no Date header in the answer"
		return
	}
	// The Date header has whole seconds; take the middle of the round trip.
	local := sent.Add(o.Now().Sub(sent) / 2)
	skew := local.Sub(server).Round(time.Second)
	ci.Skew = skew.String()
	if skew > maxSkew || skew < -maxSkew {
		r.add("clock", StatusProblem, fmt.Sprintf("the local clock is %s off %s's", skew, helper.HostOfURL(env.Authority)),
			"set the clock right, e.g. sudo timedatectl set-ntp true")
	}
}
