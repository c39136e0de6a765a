package apigateway_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

type binaryFixture struct {
	recording
	PNG   string `json:"png"`
	Cases []struct {
		BinaryMediaTypes []string `json:"binaryMediaTypes"`
		Accept           *string  `json:"accept"`
		ContentType      *string  `json:"contentType"`
		IsBase64Encoded  bool     `json:"isBase64Encoded"`
		WantBinary       bool     `json:"wantBinary"`
		Note             string   `json:"note"`
	} `json:"cases"`
	BadBase64 struct {
		BinaryMediaTypes []string `json:"binaryMediaTypes"`
		Accept           string   `json:"accept"`
		Body             string   `json:"body"`
		WantStatus       int      `json:"wantStatus"`
	} `json:"badBase64"`
}

// TestBinaryAnswerAsRecorded: which Accept (the first media type only) against which
// binaryMediaTypes turns a base64 answer into bytes, the function's Content-Type playing no
// part, and a base64 body that does not decode being API Gateway's 500.
func TestBinaryAnswerAsRecorded(t *testing.T) {
	var fx binaryFixture
	readRecorded(t, "proxy-binary.json", &fx)
	png, err := base64.StdEncoding.DecodeString(fx.PNG)
	if err != nil {
		t.Fatal(err)
	}
	stacks := map[string]*stack{}
	stackFor := func(types []string) *stack {
		key := strings.Join(types, ",")
		if stacks[key] == nil {
			stacks[key] = startRecorded(t, resultFromBody, append([]string{}, types...))
		}
		return stacks[key]
	}
	for i, tc := range fx.Cases {
		name := strconv.Itoa(i) + " " + strings.Join(tc.BinaryMediaTypes, ",") + " Accept " + deref(tc.Accept) + " " + tc.Note
		t.Run(name, func(t *testing.T) {
			headers := map[string]string{"Cache-Control": "no-cache"}
			if tc.ContentType != nil {
				headers["Content-Type"] = *tc.ContentType
			}
			result, _ := json.Marshal(map[string]any{"statusCode": 200, "body": fx.PNG, "isBase64Encoded": tc.IsBase64Encoded, "headers": headers})
			var extra []string
			if tc.Accept != nil {
				extra = []string{"Accept", *tc.Accept}
			}
			a := stackFor(tc.BinaryMediaTypes).send(t, postJSON("/test", string(result), extra...))
			want := []byte(fx.PNG)
			if tc.WantBinary {
				want = png
			}
			if a.status != 200 || !bytes.Equal(a.body, want) {
				t.Fatalf("answer %d %q, recorded binary=%v (%s, %s)", a.status, a.body, tc.WantBinary, fx.Test, fx.Validated)
			}
		})
	}
	t.Run("invalid base64 body", func(t *testing.T) {
		bad := fx.BadBase64
		result, _ := json.Marshal(map[string]any{"statusCode": 200, "body": bad.Body, "isBase64Encoded": true})
		a := stackFor(bad.BinaryMediaTypes).send(t, postJSON("/test", string(result), "Accept", bad.Accept))
		if a.status != bad.WantStatus {
			t.Fatalf("status %d %q, recorded %d", a.status, a.body, bad.WantStatus)
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "none"
	}
	return *s
}
