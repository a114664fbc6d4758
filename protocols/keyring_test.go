package protocols

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseKeyringArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want *KeyringRequest
		err  string
	}{
		// pip: keyring get URL USERNAME.
		{[]string{"get", "https://h/simple/", "azcred"}, &KeyringRequest{Service: "https://h/simple/", Username: "azcred"}, ""},
		// uv without a user name: the option after the service.
		{[]string{"get", "https://h/simple/", "--mode", "creds"}, &KeyringRequest{Service: "https://h/simple/", Creds: true}, ""},
		{[]string{"--mode=creds", "--output=json", "get", "h", "u"}, &KeyringRequest{Service: "h", Username: "u", Creds: true, JSON: true}, ""},
		{[]string{"get", "h"}, nil, "get takes SERVICE and USERNAME"},
		{[]string{"set", "h", "u"}, nil, "only get"},
		{[]string{"-b", "x", "get", "h", "u"}, nil, "unknown option -b"},
		{[]string{"get", "h", "u", "--mode"}, nil, "needs a value"},
		{[]string{"get", "h", "u", "--mode", "x"}, nil, "password or creds"},
		{[]string{"get", "h\nx", "u"}, nil, "control character"},
		{nil, nil, "usage"},
	} {
		got, err := ParseKeyringArgs(tc.args)
		if tc.err != "" {
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: got %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || *got != *tc.want {
			t.Errorf("%q: got %+v, %v", tc.args, got, err)
		}
	}
}

func TestWriteKeyringAnswer(t *testing.T) {
	for _, tc := range []struct {
		req  KeyringRequest
		want string
	}{
		{KeyringRequest{}, "fake-token\n"},
		{KeyringRequest{Creds: true}, "azcred\nfake-token\n"},
		{KeyringRequest{JSON: true}, `{"password":"fake-token"}` + "\n"},
		{KeyringRequest{JSON: true, Creds: true}, `{"username":"azcred","password":"fake-token"}` + "\n"},
	} {
		var b bytes.Buffer
		if err := WriteKeyringAnswer(&b, &tc.req, "azcred", "fake-token"); err != nil || b.String() != tc.want {
			t.Errorf("%+v: got %q, %v", tc.req, b.String(), err)
		}
	}
	if err := WriteKeyringAnswer(&bytes.Buffer{}, &KeyringRequest{}, "u", "a\nb"); err == nil {
		t.Fatal("a two-line password was written")
	}
}

func FuzzKeyringArgs(f *testing.F) {
	f.Add("get\x00https://h/simple/\x00azcred")
	f.Add("get\x00h\x00--mode\x00creds")
	f.Add("--output=json\x00get\x00h\x00u\x00x")
	f.Fuzz(func(t *testing.T, in string) {
		args := strings.Split(in, "\x00")
		req, err := ParseKeyringArgs(args)
		if err != nil {
			checkError(t, err)
			return
		}
		if req.Service == "" || (!req.Creds && req.Username == "") {
			t.Fatalf("incomplete request accepted: %+v", req)
		}
		var b bytes.Buffer
		if err := WriteKeyringAnswer(&b, req, "azcred", "fake-token"); err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(b.String(), "\n")
		switch {
		case req.JSON && (lines != 1 || !json.Valid(b.Bytes())):
			t.Fatalf("json answer %q", b.String())
		case !req.JSON && req.Creds && lines != 2, !req.JSON && !req.Creds && lines != 1:
			t.Fatalf("plain answer %q", b.String())
		}
	})
}
