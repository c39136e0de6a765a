package cognito

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
)

// Config configures a Front.
type Config struct {
	// MotoURL is moto_server's base URL, http://127.0.0.1:<port>. Required.
	MotoURL string
	// Region is the region pools live in: the issuer's region and the region of the layer's own
	// calls to moto. Required.
	Region string
	// PublicURL is where the Front is served, the base of confirmation links. Default: http://
	// plus the Host of the request that causes the email.
	PublicURL string
	// Mail receives every message Cognito would send. Default: none kept (they are still logged,
	// without codes or links).
	Mail *Mailbox
	// Logger receives the layer's own log lines; none carries a code, link, password or token.
	// Default: slog.Default().
	Logger *slog.Logger
	// Now is the clock for sessions and codes. Default: time.Now.
	Now func() time.Time
	// SigningKeyFile, when set, receives the layer's private signing key (PEM, mode 0600), as moto
	// publishes its own: tests mint tokens with chosen claims that the stack's authorizer accepts. The
	// key signs nothing that leaves this machine and is new at every start.
	SigningKeyFile string
}

// Front is an http.Handler that serves Cognito's user pool API (POST / with X-Amz-Target) and the
// pools' JWKS and confirmation links, forwarding to moto_server and changing only what must change
// for the answers to be Cognito's. It is safe for concurrent use.
type Front struct {
	cfg   Config
	moto  *url.URL
	httpc *http.Client
	admin *cip.Client // the layer's own calls to moto
	proxy *httputil.ReverseProxy
	log   *slog.Logger
	now   func() time.Time
	keys  *signer
	ops   map[string]opFunc

	mu       sync.Mutex
	clients  map[string]*clientInfo
	pools    map[string]*poolInfo
	sessions map[string]boundSession
	access   map[string]issuedAccess // re-signed access token -> moto's
	refresh  map[string]issuedRefresh
	revoked  map[string]bool // origin_jti of revoked refresh tokens
	codes    map[codeKey]pendingCode
}

const (
	targetPrefix = "AWSCognitoIdentityProviderService."
	maxBody      = 1 << 20
	callTimeout  = 30 * time.Second
)

// call is one API request: its operation, raw JSON body and headers.
type call struct {
	op   string
	body []byte
	hdr  http.Header
	host string // the Host the caller used: the default base of confirmation links
}

// reply is an answer to write back: moto's, changed or not, or the layer's own.
type reply struct {
	status int
	hdr    http.Header
	body   []byte
}

type opFunc func(ctx context.Context, c *call) (*reply, error)

// NewFront returns a Front for the moto_server at cfg.MotoURL, with a fresh signing key.
func NewFront(cfg Config) (*Front, error) {
	u, err := url.Parse(cfg.MotoURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("cognito: MotoURL %q is not a URL", cfg.MotoURL)
	}
	if cfg.Region == "" {
		return nil, errors.New("cognito: Region is required")
	}
	keys, err := newSigner(cfg.SigningKeyFile)
	if err != nil {
		return nil, err
	}
	f := &Front{
		cfg:   cfg,
		moto:  u,
		httpc: &http.Client{Timeout: callTimeout},
		admin: cip.New(cip.Options{
			Region:       cfg.Region,
			BaseEndpoint: aws.String(cfg.MotoURL),
			// moto accepts any credentials; these never leave loopback.
			Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
		}),
		proxy:    httputil.NewSingleHostReverseProxy(u),
		log:      cfg.Logger,
		now:      cfg.Now,
		keys:     keys,
		clients:  map[string]*clientInfo{},
		pools:    map[string]*poolInfo{},
		sessions: map[string]boundSession{},
		access:   map[string]issuedAccess{},
		refresh:  map[string]issuedRefresh{},
		revoked:  map[string]bool{},
		codes:    map[codeKey]pendingCode{},
	}
	if f.log == nil {
		f.log = slog.Default()
	}
	if f.now == nil {
		f.now = time.Now
	}
	f.ops = map[string]opFunc{
		"InitiateAuth":                f.initiateAuth,
		"AdminInitiateAuth":           f.initiateAuth,
		"RespondToAuthChallenge":      f.respondToChallenge,
		"AdminRespondToAuthChallenge": f.respondToChallenge,
		"RevokeToken":                 f.revokeToken,
		"SignUp":                      f.signUp,
		"ResendConfirmationCode":      f.resendConfirmationCode,
		"ConfirmSignUp":               f.confirmSignUp,
		"ForgotPassword":              f.forgotPassword,
		"ConfirmForgotPassword":       f.confirmForgotPassword,
		"UpdateUserPoolClient":        f.changeConfig,
		"DeleteUserPoolClient":        f.changeConfig,
		"UpdateUserPool":              f.changeConfig,
		"DeleteUserPool":              f.changeConfig,
	}
	return f, nil
}

func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/" && strings.HasPrefix(target, targetPrefix):
		f.serveAPI(w, r, strings.TrimPrefix(target, targetPrefix))
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, jwksSuffix):
		f.serveJWKS(w, r)
	case r.Method == http.MethodGet && r.URL.Path == confirmPath:
		f.serveConfirmLink(w, r)
	default:
		// Whatever the layer does not change is moto's to answer.
		f.proxy.ServeHTTP(w, r)
	}
}

func (f *Front) serveAPI(w http.ResponseWriter, r *http.Request, op string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeAPIError(w, errorf("SerializationException", "The request body could not be read."))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), callTimeout)
	defer cancel()
	c := &call{op: op, body: body, hdr: r.Header, host: r.Host}
	h, ok := f.ops[op]
	if !ok {
		h = f.forward
	}
	rep, err := h(ctx, c)
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		writeAPIError(w, ae)
	case err != nil:
		f.log.ErrorContext(ctx, "cognito emulator: operation failed", "op", op, "error", err)
		writeInternal(w)
	default:
		for k, v := range rep.hdr {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rep.status)
		_, _ = w.Write(rep.body)
	}
}

// forward sends the call to moto as it came, except that access tokens the layer re-signed are
// exchanged for moto's own (moto finds users by the exact token string).
func (f *Front) forward(ctx context.Context, c *call) (*reply, error) {
	body, err := f.motoAccessToken(c.body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.cfg.MotoURL+"/", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, v := range c.hdr {
		if k != "Content-Length" && k != "Host" && k != "Connection" {
			req.Header[k] = v
		}
	}
	resp, err := f.httpc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("call moto %s: %w", c.op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read moto %s: %w", c.op, err)
	}
	hdr := resp.Header.Clone()
	for k := range hdr {
		// moto's side channels (the reset code in x-moto-forgot-password-confirmation-code) are not Cognito's.
		if strings.HasPrefix(strings.ToLower(k), "x-moto-") {
			hdr.Del(k)
		}
	}
	return &reply{status: resp.StatusCode, hdr: hdr, body: raw}, nil
}

// changeConfig forwards an operation that changes a pool or client, then forgets cached settings.
func (f *Front) changeConfig(ctx context.Context, c *call) (*reply, error) {
	rep, err := f.forward(ctx, c)
	f.forgetConfig()
	return rep, err
}

// apiError is moto's error answer, or nil when the reply is a success.
func (r *reply) apiError() *apiError {
	if r.status < 300 {
		return nil
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(r.body, &e)
	if i := strings.LastIndex(e.Type, "#"); i >= 0 {
		e.Type = e.Type[i+1:]
	}
	return &apiError{Type: e.Type, Message: e.Message}
}

// sdkError turns an error of the layer's own SDK call to moto into Cognito's answer when it is one.
func sdkError(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorFault() == smithy.FaultClient {
		return errorf(ae.ErrorCode(), ae.ErrorMessage())
	}
	return err
}

// jsonReply is a success answer the layer writes itself.
func jsonReply(v any) (*reply, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode reply: %w", err)
	}
	return &reply{status: http.StatusOK, hdr: http.Header{"Content-Type": {"application/x-amz-json-1.1"}}, body: raw}, nil
}

// decode reads the call's input; a body that is not JSON gets Cognito's SerializationException.
func decode(c *call, v any) error {
	if err := json.Unmarshal(c.body, v); err != nil {
		return errorf("SerializationException", "The request body is not valid JSON for "+c.op+".")
	}
	return nil
}
