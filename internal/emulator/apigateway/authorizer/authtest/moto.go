package authtest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
)

const installHint = "pip install 'moto[server]'"

// LoadMotoKey returns the private key moto's emulated Cognito signs every
// token with (published in moto's package as cognitoidp/resources/jwks-private.json.gz)
// and its kid ("dummy"). Tokens signed with it and carrying a pool's issuer
// pass the local stack's authorizer, which is how end-to-end tests mint
// tokens with chosen claims (expired, other groups, ...).
//
// moto is located with python3, or else the interpreter that runs moto_server.
// The result is cached for the life of the process.
func LoadMotoKey() (*rsa.PrivateKey, string, error) {
	k, err := loadMotoKey()
	if err != nil {
		return nil, "", err
	}
	return k.Private, k.ID, nil
}

var loadMotoKey = sync.OnceValues(readMotoKey)

func readMotoKey() (Key, error) {
	dir, err := motoDir()
	if err != nil {
		return Key{}, err
	}
	res := filepath.Join(dir, "cognitoidp", "resources")
	priv, err := readGzipJWK(filepath.Join(res, "jwks-private.json.gz"))
	if err != nil {
		return Key{}, err
	}
	key, err := rsaPrivateKey(priv)
	if err != nil {
		return Key{}, fmt.Errorf("authtest: moto's private JWK: %w", err)
	}
	// The key must be the one moto_server publishes, or the tokens we mint
	// would be refused for reasons that have nothing to do with the test.
	pub, err := readGzipJWK(filepath.Join(res, "jwks-public.json.gz"))
	if err != nil {
		return Key{}, err
	}
	if n, err := b64Int(pub.N); err != nil || n.Cmp(key.N) != 0 || pub.KID != priv.KID {
		return Key{}, fmt.Errorf("authtest: moto's public and private JWKs in %s do not match", res)
	}
	return Key{ID: priv.KID, Private: key}, nil
}

// motoDir finds moto's package directory.
func motoDir() (string, error) {
	var errs []error
	pythons := []string{"python3"}
	if py, err := motoServerPython(); err == nil {
		pythons = append(pythons, py)
	} else {
		errs = append(errs, err)
	}
	for _, py := range pythons {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, py, "-c", "import moto, os; print(os.path.dirname(moto.__file__))").Output()
		cancel()
		if err == nil {
			if dir := strings.TrimSpace(string(out)); dir != "" {
				return dir, nil
			}
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			err = fmt.Errorf("%w: %s", err, lastLine(ee.Stderr))
		}
		errs = append(errs, fmt.Errorf("%s: %w", py, err))
	}
	return "", fmt.Errorf("authtest: cannot find moto (%s): %w", installHint, errors.Join(errs...))
}

// motoServerPython returns the interpreter named on moto_server's #! line, for
// installs (pipx, a virtualenv on PATH) whose python3 cannot import moto.
func motoServerPython() (string, error) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if !strings.HasPrefix(line, "#!") || len(fields) == 0 {
		return "", fmt.Errorf("%s has no #! line", path)
	}
	py := fields[0]
	if filepath.Base(py) == "env" && len(fields) > 1 {
		py = fields[1]
	}
	if !strings.HasPrefix(filepath.Base(py), "python") { // e.g. a pyenv shim, which is a shell script
		return "", fmt.Errorf("%s is not a Python script", path)
	}
	return py, nil
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// readGzipJWK reads a gzipped JWK, or the first key of a gzipped JWK Set.
func readGzipJWK(path string) (jwkset.JWKMarshal, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return jwkset.JWKMarshal{}, fmt.Errorf("authtest: %w (is moto too old or too new? %s)", err, installHint)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return jwkset.JWKMarshal{}, fmt.Errorf("authtest: %s: %w", path, err)
	}
	var doc struct {
		jwkset.JWKMarshal
		Keys []jwkset.JWKMarshal `json:"keys"`
	}
	if err := json.NewDecoder(zr).Decode(&doc); err != nil {
		return jwkset.JWKMarshal{}, fmt.Errorf("authtest: %s: %w", path, err)
	}
	if len(doc.Keys) > 0 {
		return doc.Keys[0], nil
	}
	return doc.JWKMarshal, nil
}

// rsaPrivateKey builds the key from the JWK. moto's JWK carries only n, e and
// d (no CRT primes), which jwkset will not load as a private key; crypto/rsa
// still signs with it, more slowly, so the key is checked by a test signature.
func rsaPrivateKey(m jwkset.JWKMarshal) (*rsa.PrivateKey, error) {
	if m.KTY != jwkset.KtyRSA || m.KID == "" {
		return nil, fmt.Errorf("want an RSA key with a kid, got kty %q kid %q", m.KTY, m.KID)
	}
	n, err := b64Int(m.N)
	if err != nil {
		return nil, fmt.Errorf("n: %w", err)
	}
	e, err := b64Int(m.E)
	if err != nil || !e.IsInt64() || e.Int64() > 1<<31-1 {
		return nil, fmt.Errorf("bad e")
	}
	d, err := b64Int(m.D)
	if err != nil {
		return nil, fmt.Errorf("d: %w", err)
	}
	key := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())}, D: d}
	if m.P != "" && m.Q != "" {
		p, errP := b64Int(m.P)
		q, errQ := b64Int(m.Q)
		if errP != nil || errQ != nil {
			return nil, errors.New("bad p or q")
		}
		key.Primes = []*big.Int{p, q}
		if err := key.Validate(); err != nil {
			return nil, err
		}
		key.Precompute()
	}
	digest := sha256.Sum256([]byte("authtest"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return nil, err
	}
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		return nil, fmt.Errorf("d does not match n and e: %w", err)
	}
	return key, nil
}

func b64Int(s string) (*big.Int, error) {
	if s == "" {
		return nil, errors.New("missing")
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(b), nil
}
