package helper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/azcred/azcred/store"
)

// ARMSubscription is a subscription as Resource Manager lists it.
type ARMSubscription struct {
	ID       string `json:"subscriptionId"`
	Name     string `json:"displayName"`
	State    string `json:"state"`
	TenantID string `json:"tenantId"`
}

// ARMTenant is a tenant as Resource Manager lists it.
type ARMTenant struct {
	ID          string `json:"tenantId"`
	DisplayName string `json:"displayName"`
}

// Registry is a container registry in a subscription.
type Registry struct {
	Name        string
	LoginServer string
}

// ARMError is a Resource Manager error answer: the HTTP status and ARM's
// {"error":{"code","message"}} (message redacted, first line only).
type ARMError struct {
	Host    string
	Status  int
	Code    string
	Message string
}

func (e *ARMError) Error() string {
	return fmt.Sprintf("%s: HTTP %d: %s", e.Host, e.Status, e.Message)
}

// armGet GETs a Resource Manager path and decodes the answer into out.
func (e *Engine) armGet(ctx context.Context, env *store.Environment, token, path string, out any) error {
	return e.armDo(ctx, env, token, http.MethodGet, path, out)
}

// armDo sends method to a Resource Manager path (or to an absolute URL on
// the same host, such as a nextLink) and decodes a 200 answer into out;
// other answers are an *ARMError.
func (e *Engine) armDo(ctx context.Context, env *store.Environment, token, method, path string, out any) error {
	base := strings.TrimRight(env.ResourceManager, "/")
	if base == "" {
		return WithHint(fmt.Errorf("environment %q has no Resource Manager URL", env.Name), "run: %s", Cmd("environment", "add", env.Name, "--authority", "URL", "--resource-manager", "URL"))
	}
	host := HostOfURL(base)
	target := base + path
	if strings.HasPrefix(path, "https://") {
		if HostOfURL(path) != host {
			return fmt.Errorf("%s: a next page on another host (%s)", host, HostOfURL(path))
		}
		target = path
	}
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := e.HTTP.Do(req)
	if err != nil {
		return armNetError(err, host, env.Name, e.Timeout)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		// A body that trickles past the deadline ends here.
		return armNetError(err, host, env.Name, e.Timeout)
	}
	if resp.StatusCode != http.StatusOK {
		var ae struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		json.Unmarshal(body, &ae)
		msg := FirstLine(ae.Error.Message)
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return &ARMError{Host: host, Status: resp.StatusCode, Code: ae.Error.Code, Message: Redact(msg)}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: unexpected answer from Resource Manager", host)
	}
	return nil
}

// ListSubscriptions lists the subscriptions an ARM token can see, sorted by name.
func (e *Engine) ListSubscriptions(ctx context.Context, env *store.Environment, token string) ([]ARMSubscription, error) {
	var page struct {
		Value []ARMSubscription `json:"value"`
	}
	if err := e.armGet(ctx, env, token, "/subscriptions?api-version=2022-12-01", &page); err != nil {
		return nil, err
	}
	sort.SliceStable(page.Value, func(i, j int) bool { return strings.ToLower(page.Value[i].Name) < strings.ToLower(page.Value[j].Name) })
	return page.Value, nil
}

// ListTenants lists the tenants an ARM token's principal belongs to.
func (e *Engine) ListTenants(ctx context.Context, env *store.Environment, token string) ([]ARMTenant, error) {
	var page struct {
		Value []ARMTenant `json:"value"`
	}
	if err := e.armGet(ctx, env, token, "/tenants?api-version=2022-12-01", &page); err != nil {
		return nil, err
	}
	return page.Value, nil
}

// ListRegistries lists the container registries of a subscription.
func (e *Engine) ListRegistries(ctx context.Context, env *store.Environment, token, subscription string) ([]Registry, error) {
	var page struct {
		Value []struct {
			Name       string `json:"name"`
			Properties struct {
				LoginServer string `json:"loginServer"`
			} `json:"properties"`
		} `json:"value"`
	}
	path := "/subscriptions/" + subscription + "/providers/Microsoft.ContainerRegistry/registries?api-version=2023-07-01"
	if err := e.armGet(ctx, env, token, path, &page); err != nil {
		return nil, err
	}
	var out []Registry
	for _, r := range page.Value {
		out = append(out, Registry{Name: r.Name, LoginServer: r.Properties.LoginServer})
	}
	return out, nil
}

// PickSubscription finds want (an id or a name, case-insensitive) or,
// when want is empty, the first enabled subscription by name, as
// Connect-AzAccount does. Returns nil when there is none.
func PickSubscription(subs []ARMSubscription, want string) *ARMSubscription {
	for i := range subs {
		s := &subs[i]
		if want == "" && strings.EqualFold(s.State, "Enabled") {
			return s
		}
		if want != "" && (strings.EqualFold(s.ID, want) || strings.EqualFold(s.Name, want)) {
			return s
		}
	}
	return nil
}

// ErrUnreachable marks a Resource Manager that could not be reached, did
// not answer in time or redirected elsewhere (as opposed to one that
// answered with an error).
var ErrUnreachable = errors.New("resource manager unreachable")

func armNetError(err error, host, envName string, timeout time.Duration) error {
	unreachable := func(format string, args ...any) error {
		return &wrapped{fmt.Errorf(format, args...), ErrUnreachable}
	}
	var re *RedirectError
	switch {
	case errors.As(err, &re):
		return WithHint(unreachable("%s", re), "check the Resource Manager URL of environment %q ('azcred environment list')", envName)
	case isTimeout(err):
		return timedOut(host, timeout, ErrUnreachable)
	}
	return WithHint(unreachable("cannot reach %s: %s", host, shortNetErr(err)), "check the network and proxy settings")
}
