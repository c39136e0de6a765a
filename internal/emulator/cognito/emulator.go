package cognito

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options configures an Emulator.
type Options struct {
	// Region of the pools: their ids, ARNs and the tokens' issuer. Required.
	Region string
	// StateDir keeps the state across restarts (created if missing); empty keeps it in memory only.
	StateDir string
	// Mailbox is the file every message is appended to (the stack's <STATE_DIR>/mail.jsonl); empty
	// keeps no file.
	Mailbox string
	// MailOutput receives a readable line per message (the stack's output). Default: none.
	MailOutput io.Writer
	// MailQuota is the daily number of messages the COGNITO_DEFAULT sender sends; 0 means Cognito's 50.
	MailQuota int
	// PublicURL is the base of confirmation links. Default: http:// plus the Host of the request.
	PublicURL string
	// Now is the clock of sessions, codes, lockouts and tokens. Default: time.Now.
	Now func() time.Time
	// Logger receives the emulator's log lines; none carries a code, link, password or token.
	Logger *slog.Logger
	// HashIterations is PBKDF2's iteration count for new password hashes; 0 means hashIterations.
	HashIterations int
	// Fatal, when set, is called (once per failure) when the emulator fails in a way that may leave its
	// state inconsistent (a panic in an operation, a journal it cannot write): the local stack stops
	// then, naming the emulator, rather than serving half-alive.
	Fatal func(error)
}

// Emulator serves Cognito's user pool API; it is an http.Handler, safe for concurrent use.
type Emulator struct {
	opts Options
	log  *slog.Logger
	now  func() time.Time
	keys *keyring
	mail *Mailbox
	ops  map[string]opFunc

	mu           sync.Mutex // guards everything below and the journal's order
	st           *state
	jr           *journal
	usedSessions map[string]int64 // ids of challenge sessions answered -> their expiry (unix)
}

// DefaultMailQuota is the COGNITO_DEFAULT sender's daily limit: "Email messages sent daily per AWS
// account: 50" (https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html).
const DefaultMailQuota = 50

// New loads the state in opts.StateDir (or starts empty) and returns an Emulator.
func New(opts Options) (*Emulator, error) {
	if opts.Region == "" {
		return nil, errors.New("cognito: Options.Region is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MailQuota <= 0 {
		opts.MailQuota = DefaultMailQuota
	}
	if opts.HashIterations <= 0 {
		opts.HashIterations = hashIterations
	}
	e := &Emulator{opts: opts, log: opts.Logger, now: opts.Now, st: newState(), usedSessions: map[string]int64{}}
	if opts.StateDir != "" {
		if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
			return nil, fmt.Errorf("cognito: create state dir: %w", err)
		}
	}
	keys, err := loadKeyring(opts.StateDir)
	if err != nil {
		return nil, err
	}
	e.keys = keys
	if opts.StateDir != "" {
		jr, recs, err := openJournal(filepath.Join(opts.StateDir, "journal.jsonl"))
		if err != nil {
			return nil, err
		}
		e.jr = jr
		if err := e.st.load(recs); err != nil {
			jr.close()
			return nil, err
		}
		// A start compacts: the journal then holds one record per live object.
		if err := jr.compact(e.st.records()); err != nil {
			jr.close()
			return nil, err
		}
	}
	if opts.Mailbox != "" {
		mail, err := OpenMailbox(opts.Mailbox, opts.MailOutput)
		if err != nil {
			e.Close()
			return nil, err
		}
		e.mail = mail
	}
	e.ops = e.operations()
	return e, nil
}

// Close releases the journal and the mailbox.
func (e *Emulator) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	if e.jr != nil {
		errs = append(errs, e.jr.close())
		e.jr = nil
	}
	if e.mail != nil {
		errs = append(errs, e.mail.Close())
		e.mail = nil
	}
	return errors.Join(errs...)
}

const (
	targetPrefix = "AWSCognitoIdentityProviderService."
	maxBody      = 1 << 20
	jsonType     = "application/x-amz-json-1.1"
)

// request is one API call.
type request struct {
	op   string
	body []byte
	host string
	ctx  context.Context
}

type opFunc func(r *request) (any, error)

func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			e.log.Error("cognito emulator: operation panicked", "panic", fmt.Sprint(v))
			writeInternal(w)
			e.fatal(fmt.Errorf("cognito emulator: operation panicked: %v", v))
		}
	}()
	target := r.Header.Get("X-Amz-Target")
	switch {
	case r.Method == http.MethodOptions:
		preflight(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/":
		e.serveAPI(w, r, strings.TrimPrefix(target, targetPrefix), strings.HasPrefix(target, targetPrefix))
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, jwksSuffix):
		e.serveJWKS(w, r)
	case r.Method == http.MethodGet && r.URL.Path == confirmPath:
		e.serveConfirmLink(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request, op string, ok bool) {
	public := publicOps[op]
	if public {
		// Browsers call the public operations directly (Amplify does), from any origin: Cognito offers
		// no way to restrict them to a domain (https://github.com/aws-amplify/amplify-js/issues/2982).
		// The admin ones get no CORS header, so no web page can read their answers.
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	if !ok {
		writeAPIError(w, errorf("UnknownOperationException", "X-Amz-Target must name an operation of AWSCognitoIdentityProviderService."))
		return
	}
	if !public {
		if err := checkSigV4(r); err != nil {
			writeAPIError(w, err)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeAPIError(w, errorf("SerializationException", "The request body could not be read."))
		return
	}
	h, known := e.ops[op]
	if !known {
		writeAPIError(w, errorf("UnsupportedOperationException", op+" is not implemented by the local Cognito emulator (internal/emulator/cognito)."))
		return
	}
	out, err := h(&request{op: op, body: body, host: r.Host, ctx: r.Context()})
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		writeAPIError(w, ae)
	case err != nil:
		e.log.ErrorContext(r.Context(), "cognito emulator: operation failed", "op", op, "error", err)
		writeInternal(w)
		e.fatal(fmt.Errorf("cognito emulator: %s: %w", op, err))
	default:
		raw, err := json.Marshal(out)
		if err != nil {
			e.log.ErrorContext(r.Context(), "cognito emulator: encode answer", "op", op, "error", err)
			writeInternal(w)
			return
		}
		w.Header().Set("Content-Type", jsonType)
		_, _ = w.Write(raw)
	}
}

// preflight answers CORS preflights as Cognito's endpoint does for browsers calling its public
// operations: any origin, POST, the headers the SDKs send. Admin operations need a SigV4
// Authorization header, which the preflight does not allow.
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "POST")
	h.Set("Access-Control-Allow-Headers", "content-type,x-amz-target,x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request,cache-control")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusOK)
}

// fatal reports a failure that may have left the state inconsistent to Options.Fatal.
func (e *Emulator) fatal(err error) {
	if e.opts.Fatal != nil {
		e.opts.Fatal(err)
	}
}

// decode reads the call's input; a body that is not JSON gets Cognito's SerializationException.
func decode(r *request, v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		return errorf("SerializationException", "The request body is not valid JSON for "+r.op+".")
	}
	return nil
}

// Server is an Emulator served on a TCP address.
type Server struct {
	URL  string // http://<host>:<port>
	srv  *http.Server
	done chan struct{}
	err  error
}

// Listen serves h (an Emulator, or a handler wrapping one) on addr until Close. It fails with a clear
// message when the address is taken.
func Listen(h http.Handler, addr string, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cognito: address %s is taken (%v)", addr, err)
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Server{URL: "http://" + ln.Addr().String(), done: make(chan struct{}),
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s, nil
}

// Done is closed when the server stops serving; Err then says why (nil after Close).
func (s *Server) Done() <-chan struct{} { return s.done }

// Err is why the server stopped, once Done is closed.
func (s *Server) Err() error { <-s.done; return s.err }

// Close stops serving, waiting up to 5 s for calls in flight.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
	<-s.done
}
