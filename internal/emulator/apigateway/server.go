package apigateway

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"
)

const (
	// MaxRequestHead is API Gateway's REST quota "Total combined size of request line and header
	// values": 10240 bytes (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
	// Over it the gateway answers 431 {"message":"Request Header Fields Too Large"}: the status
	// API Gateway uses is not documented, so this is RFC 6585's, in the contract's JSON.
	MaxRequestHead = 10240
	// MaxBody is API Gateway's payload quota, 10 MB; over it, REQUEST_TOO_LARGE (413).
	MaxBody = 10 << 20

	// serverMaxHeaderBytes lets net/http read heads well past MaxRequestHead, so that the gateway,
	// not net/http, answers them (in JSON, through the gateway responses). Past this (plus
	// net/http's 4096 bytes of slack) net/http answers 431 itself, which rawConn turns into JSON.
	serverMaxHeaderBytes = 64 << 10

	// defaultBodyTimeout bounds reading a request's body once its head is in. API Gateway does
	// not document how long it waits for a slow body; the safe side is to stop waiting, answer 408
	// {"message":"Request Timeout"} and close the connection, before the function is invoked, so
	// a slow sender holds neither a connection nor a function's execution environment.
	defaultBodyTimeout = 10 * time.Second
	// readHeaderTimeout: a head not received in time gets no answer, the connection is closed
	// (net/http's behaviour for ReadHeaderTimeout; it writes nothing).
	readHeaderTimeout = 10 * time.Second
)

// ServerOption adjusts Server.
type ServerOption func(*http.Server, *Gateway)

// WithBodyTimeout changes how long a request's body may take to arrive (default 10 s).
func WithBodyTimeout(d time.Duration) ServerOption {
	return func(_ *http.Server, g *Gateway) { g.bodyTimeout = d }
}

// Server returns the http.Server to serve g on ln with Serve: heads up to 64 KiB reach the
// gateway (which enforces API Gateway's 10240 bytes in JSON), header names are kept as sent, and
// net/http's own error answers (malformed request, head over 64 KiB, unsupported transfer
// encoding) are rewritten to the contract's JSON. What remains plain net/http: a connection whose
// head does not arrive within 10 s is closed without an answer.
func Server(g *Gateway, opts ...ServerOption) *http.Server {
	srv := &http.Server{
		Handler:                      g,
		MaxHeaderBytes:               serverMaxHeaderBytes,
		ReadHeaderTimeout:            readHeaderTimeout,
		IdleTimeout:                  60 * time.Second,
		DisableGeneralOptionsHandler: true, // "OPTIONS *" is routed like any request
		ConnContext:                  connContext,
		ErrorLog:                     slog.NewLogLogger(g.logger.Handler(), slog.LevelWarn),
	}
	for _, o := range opts {
		o(srv, g)
	}
	return srv
}

// Listener wraps ln so that Server's connections keep header names as sent and answer
// net/http's own errors in JSON; serve with srv.Serve(apigateway.Listener(ln, g)).
func Listener(ln net.Listener, g *Gateway) net.Listener {
	return rawListener{Listener: ln, onGoError: func(status int) {
		g.logger.Info("request", "requestId", "", "method", "", "path", "", "resource", "", "status", status,
			"error", "refused by the HTTP server before routing")
	}}
}

// readBody reads the body within MaxBody and the body timeout, then lifts the read deadline so
// that it cannot cancel the request while the function runs.
func (g *Gateway) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *gatewayError) {
	if r.ContentLength > MaxBody {
		return nil, &errTooLarge
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(g.bodyTimeout)) // unsupported outside a real server
	defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return body, nil
	case errors.As(err, &tooLarge):
		return nil, &errTooLarge
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		return nil, &errBodyTimeout
	default:
		w.Header().Set("Connection", "close")
		return nil, &errBadRequest
	}
}

// headSize is what API Gateway's quota counts: the request line plus every header value.
func headSize(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + len(r.Host)
	for _, vs := range r.Header {
		for _, v := range vs {
			n += len(v)
		}
	}
	return n
}
