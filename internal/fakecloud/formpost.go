package fakecloud

import (
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// formPostPage is the response_mode=form_post answer (OAuth 2.0 Form Post Response Mode,
// https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html): a form that a browser
// submits on load. Browse reads it back, so keep one input per line.
var formPostPage = template.Must(template.New("form").Parse(`<html><head><title>Working...</title></head>
<body onload="document.forms[0].submit()">
<form method="POST" name="hiddenform" action="{{.Action}}">
{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}" />
{{end}}<noscript><input type="submit" value="Continue" /></noscript>
</form></body></html>
`))

func writeFormPost(w http.ResponseWriter, action string, fields url.Values) {
	flat := map[string]string{}
	for k := range fields {
		flat[k] = fields.Get(k)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	formPostPage.Execute(w, struct { //nolint:errcheck // the client went away
		Action string
		Fields map[string]string
	}{action, flat})
}

var (
	formAction = regexp.MustCompile(`<form method="POST" name="hiddenform" action="([^"]*)">`)
	formInput  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)" />`)
)

// Browse plays the user's browser for an authorize URL: it opens it with hc (which must trust
// the cloud's CA) and delivers the answer to the redirect URI, by following the 302 or by
// submitting the form_post page. Use it as MSAL's OpenURL (in a goroutine) or, through the
// standalone binary's "browse" command, as $BROWSER.
func Browse(ctx context.Context, hc *http.Client, authorizeURL string) error {
	noFollow := *hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return fmt.Errorf("fakecloud: browse: %w", err)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		return fmt.Errorf("fakecloud: browse: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("fakecloud: browse: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusFound:
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, resp.Header.Get("Location"), nil)
	case resp.StatusCode == http.StatusOK && formAction.Match(body):
		action := html.UnescapeString(string(formAction.FindSubmatch(body)[1]))
		fields := url.Values{}
		for _, m := range formInput.FindAllSubmatch(body, -1) {
			fields.Set(html.UnescapeString(string(m[1])), html.UnescapeString(string(m[2])))
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, action, strings.NewReader(fields.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	default:
		return fmt.Errorf("fakecloud: browse: authorize answered %s", resp.Status)
	}
	if err != nil {
		return fmt.Errorf("fakecloud: browse: %w", err)
	}
	back, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("fakecloud: browse: deliver to redirect uri: %w", err)
	}
	back.Body.Close()
	if back.StatusCode >= 400 {
		return errors.New("fakecloud: browse: redirect uri answered " + back.Status)
	}
	return nil
}
