package authorizer_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer"
	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
	"github.com/golang-jwt/jwt/v5"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// TestClaimsGolden signs the payload in testdata and checks that Authorize
// hands over exactly the claims API Gateway would put in
// requestContext.authorizer.claims.
func TestClaimsGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "claims.payload.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // sign the numbers exactly as written
	var payload jwt.MapClaims
	if err := dec.Decode(&payload); err != nil {
		t.Fatal(err)
	}

	ks := authtest.NewKeySet(t)
	a := newAuthorizer(t, ks, nil) // the payload's iat is the test clock
	got, err := a.Authorize("Bearer " + authtest.Sign(t, ks.Key(), payload))
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}

	golden := filepath.Join("testdata", "claims.golden.json")
	if *update {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[k]; !ok || g != want[k] {
			t.Errorf("claim %q = %q (present %v), want %q", k, g, ok, want[k])
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected claim %q = %q", k, got[k])
		}
	}
}

func TestFormatClaims(t *testing.T) {
	tests := []struct {
		name  string
		claim string
		in    any
		want  string
	}{
		{"string as is", "email", "user@example.com", "user@example.com"},
		{"empty string", "name", "", ""},
		{"true", "email_verified", true, "true"},
		{"false", "phone_number_verified", false, "false"},
		{"null", "middle_name", nil, ""},
		{"exp as Java date in UTC", "exp", 1680633579.0, "Tue Apr 04 18:39:39 UTC 2023"},
		{"iat as Java date, day zero-padded", "iat", 1680629979.0, "Tue Apr 04 17:39:39 UTC 2023"},
		{"exp from json.Number", "exp", json.Number("1680633579"), "Tue Apr 04 18:39:39 UTC 2023"},
		{"exp fraction dropped", "exp", 1680633579.9, "Tue Apr 04 18:39:39 UTC 2023"},
		{"exp as int64", "exp", int64(0), "Thu Jan 01 00:00:00 UTC 1970"},
		{"exp that is not a number stays as is", "exp", "soon", "soon"},
		{"exp beyond year 9999 is a plain number", "exp", 1e15, "1000000000000000"},
		{"auth_time is a plain integer, not an exponent", "auth_time", 1680629979.0, "1680629979"},
		{"auth_time from json.Number", "auth_time", json.Number("1680629979"), "1680629979"},
		{"nbf is a plain integer (only exp and iat are dates)", "nbf", 1680629979.0, "1680629979"},
		{"integer in exponent form", "n", json.Number("1.680629979e+09"), "1680629979"},
		{"integer beyond float64 precision kept exact", "n", json.Number("12345678901234567890"), "12345678901234567890"},
		{"negative integer", "n", json.Number("-42"), "-42"},
		{"fraction shortest", "n", 12.5, "12.5"},
		{"fraction from json.Number", "n", json.Number("0.1"), "0.1"},
		{"small fraction without exponent", "n", 1e-7, "0.0000001"},
		{"negative zero", "n", math.Copysign(0, -1), "0"},
		{"int", "n", 7, "7"},
		{"groups joined with commas", "cognito:groups", []any{"group-a", "group-b"}, "group-a,group-b"},
		{"single group", "cognito:groups", []any{"admins"}, "admins"},
		{"empty array", "cognito:groups", []any{}, ""},
		{"[]string joined", "cognito:groups", []string{"a", "b"}, "a,b"},
		{"mixed array elements", "a", []any{"x", 1.0, true, nil}, "x,1,true,"},
		{"object as compact JSON, keys sorted, no HTML escaping", "address", map[string]any{"street": "1 <Main> & Co", "zip": json.Number("12345")}, `{"street":"1 <Main> & Co","zip":12345}`},
		{"nested object in an array", "a", []any{map[string]any{"k": "v"}}, `{"k":"v"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := authorizer.FormatClaims(map[string]any{tc.claim: tc.in})
			if len(got) != 1 || got[tc.claim] != tc.want {
				t.Errorf("FormatClaims(%s: %#v) = %q, want %q", tc.claim, tc.in, got, tc.want)
			}
		})
	}
}

// Claims decoded by encoding/json (float64 numbers) and by Authorize
// (json.Number) must format alike.
func TestFormatClaimsFloatAndNumberAgree(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "claims.payload.json"))
	if err != nil {
		t.Fatal(err)
	}
	var floats map[string]any
	if err := json.Unmarshal(raw, &floats); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var numbers map[string]any
	if err := dec.Decode(&numbers); err != nil {
		t.Fatal(err)
	}
	f, n := authorizer.FormatClaims(floats), authorizer.FormatClaims(numbers)
	for k := range n {
		if k == "custom:big" { // beyond float64 precision: only json.Number keeps it exact
			continue
		}
		if f[k] != n[k] {
			t.Errorf("claim %q: float64 gives %q, json.Number gives %q", k, f[k], n[k])
		}
	}
}
