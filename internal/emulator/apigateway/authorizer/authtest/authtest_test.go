package authtest_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer"
	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer/authtest"
)

// The key LoadMotoKey returns must sign tokens that the authorizer accepts
// against the JWKS moto_server publishes for every pool.
func TestMotoKeySignsTokensTheAuthorizerAccepts(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	priv, kid, err := authtest.LoadMotoKey()
	if err != nil {
		if strings.Contains(err.Error(), "cannot find moto") {
			t.Skipf("moto not installed: %v", err)
		}
		t.Fatal(err)
	}
	if kid != "dummy" {
		t.Errorf("kid = %q, want moto's \"dummy\"", kid)
	}
	published := motoPublicJWKS(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(published) }))
	t.Cleanup(srv.Close)

	const issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Moto"
	a, err := authorizer.New(t.Context(), authorizer.Config{Issuer: issuer, JWKSURL: srv.URL + "/us-east-1_Moto/.well-known/jwks.json"})
	if err != nil {
		t.Fatal(err)
	}
	key := authtest.Key{ID: kid, Private: priv}
	claims, err := a.Authorize("Bearer " + authtest.Sign(t, key, authtest.IDClaims(issuer, time.Now())))
	if err != nil {
		t.Fatalf("token signed with moto's key: %v", err)
	}
	if claims["token_use"] != "id" {
		t.Errorf("claims = %v", claims)
	}
	// And a different key under moto's kid is still refused.
	if _, err := a.Authorize(authtest.Sign(t, authtest.NewKey(t, kid), authtest.IDClaims(issuer, time.Now()))); err != authorizer.ErrUnauthorized {
		t.Errorf("foreign key with kid %q: %v, want ErrUnauthorized", kid, err)
	}
}

// motoPublicJWKS reads the JWKS moto_server serves, straight from moto's package.
func motoPublicJWKS(t *testing.T) []byte {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import moto, os; print(os.path.dirname(moto.__file__))").Output()
	if err != nil {
		t.Skipf("moto not importable by python3: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "cognitoidp", "resources", "jwks-public.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJWKSPublishesOnlyPublicKeys(t *testing.T) {
	k := authtest.NewKey(t, "key-1")
	b, err := authtest.JWKS(k)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"kid":"key-1"`, `"alg":"RS256"`, `"use":"sig"`, `"kty":"RSA"`} {
		if !strings.Contains(s, want) {
			t.Errorf("JWKS %s lacks %s", s, want)
		}
	}
	if strings.Contains(s, `"d":`) {
		t.Errorf("JWKS leaks the private exponent: %s", s)
	}
}
