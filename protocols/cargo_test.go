package protocols

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestCargoSession(t *testing.T) {
	in := strings.Join([]string{
		// Fields as cargo 1.95 sends them, plus unknown ones it may add.
		`{"v":1,"registry":{"index-url":"sparse+https://pkgs.dev.azure.com/contoso/_packaging/f/Cargo/index/","name":"az","headers":["WWW-Authenticate: Bearer"]},"kind":"get","operation":"read","args":["cargo"],"extra-1":true}`,
		``,
		`{"v":2,"registry":{"index-url":"x"},"kind":"get"}`,
		`not json`,
		`{"v":1,"registry":{"index-url":"x"},"kind":"logout"}`,
	}, "\n")
	r := NewCargoReader(strings.NewReader(in))
	req, err := r.Next()
	if err != nil || req.Kind != CargoGet || req.Operation != "read" || req.Registry.Name != "az" || len(req.Args) != 1 || len(req.Registry.Headers) != 1 {
		t.Fatalf("first request: %+v, %v", req, err)
	}
	for _, want := range []string{"unsupported protocol version 2", "not valid JSON"} {
		if _, err := r.Next(); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
	}
	if req, err := r.Next(); err != nil || req.Kind != CargoLogout {
		t.Fatalf("logout without a final newline: %+v, %v", req, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

func TestCargoLongLine(t *testing.T) {
	in := strings.Repeat("x", MaxCargoLine+10) + "\n" + `{"v":1,"registry":{"index-url":"x"},"kind":"get"}` + "\n"
	r := NewCargoReader(strings.NewReader(in))
	if _, err := r.Next(); !errors.Is(err, ErrMalformed) {
		t.Fatalf("long line: %v", err)
	}
	if req, err := r.Next(); err != nil || req.Kind != CargoGet {
		t.Fatalf("the next line is still read: %+v %v", req, err)
	}
	endless := io.MultiReader(strings.NewReader(strings.Repeat("y", MaxCargoSession+1)))
	r = NewCargoReader(endless)
	if _, err := r.Next(); err == nil || errors.Is(err, ErrMalformed) {
		t.Fatalf("oversized session must stop the reader: %v", err)
	}
}

func TestCargoReplies(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCargoHello(&b); err != nil {
		t.Fatal(err)
	}
	// The shapes of cargo-credential's own serializer tests.
	if err := WriteCargoToken(&b, "Bearer fake", time.Unix(1693928537, 0)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{CargoLogin, CargoLogout} {
		if err := WriteCargoOK(&b, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteCargoError(&b, CargoURLNotSupported, ""); err != nil {
		t.Fatal(err)
	}
	if err := WriteCargoError(&b, CargoOther, "line one\nline two"); err != nil {
		t.Fatal(err)
	}
	want := `{"v":[1]}
{"Ok":{"kind":"get","token":"Bearer fake","cache":"expires","expiration":1693928537,"operation_independent":true}}
{"Ok":{"kind":"login"}}
{"Ok":{"kind":"logout"}}
{"Err":{"kind":"url-not-supported"}}
{"Err":{"kind":"other","message":"line one line two"}}
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	if err := WriteCargoToken(io.Discard, "a\nb", time.Now()); err == nil {
		t.Fatal("a token with a newline was written")
	}
}

func FuzzCargoRequest(f *testing.F) {
	f.Add([]byte(`{"v":1,"registry":{"index-url":"sparse+https://h/i/"},"kind":"get","operation":"read"}` + "\n"))
	f.Add([]byte(`{"v":1,"registry":{"index-url":"u"},"kind":"login","token":"fake-secret-token"}` + "\n\n{}\n"))
	f.Add([]byte("\x00\xff\n{\"v\":1"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewCargoReader(bytes.NewReader(in))
		for i := 0; i < 1000; i++ {
			req, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				checkError(t, err)
				if strings.Contains(err.Error(), "fake-secret-token") {
					t.Fatalf("error %q quotes the token", err)
				}
				if !errors.Is(err, ErrMalformed) {
					return
				}
				var b bytes.Buffer
				if err := WriteCargoError(&b, CargoOther, err.Error()); err != nil || bytes.Count(b.Bytes(), []byte("\n")) != 1 || !json.Valid(b.Bytes()) {
					t.Fatalf("error reply %q: %v", b.String(), err)
				}
				continue
			}
			if req.V != 1 || req.Kind == "" || req.Registry.IndexURL == "" {
				t.Fatalf("invalid request accepted: %+v", req)
			}
		}
		t.Fatal("more than 1000 requests from one input")
	})
}
