package cognito

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Options configures Start.
type Options struct {
	// MotoServer is the moto_server command. Default: "moto_server".
	MotoServer string
	// Host is the address the Front listens on: 127.0.0.1 unless set (moto_server itself always
	// listens on 127.0.0.1 only).
	Host string
	// Port is the public port (the contract's COGNITO_PORT); 0 picks a free one.
	Port int
	// MotoOutput receives moto_server's own output. Default: discarded.
	MotoOutput io.Writer
	// Mailbox is the file every message is appended to (the stack's <STATE_DIR>/mail.jsonl). Required.
	Mailbox string
	// MailOutput receives a readable line per message (the stack's output). Default: none.
	MailOutput io.Writer
	// Region of the pools. Required.
	Region string
	// Logger receives the emulator's log lines. Default: slog.Default().
	Logger *slog.Logger
	// SigningKeyFile: see Config.SigningKeyFile.
	SigningKeyFile string
}

// Emulator is a running local Cognito: moto_server on a private loopback port behind a Front
// served on the public one.
type Emulator struct {
	// URL is where clients call Cognito (the stack's CognitoUrl): http://127.0.0.1:<port>. Pools'
	// keys are at URL/<poolId>/.well-known/jwks.json, confirmation links at URL/confirmUser.
	URL   string
	Front *Front

	moto *Moto
	srv  *http.Server
	mail *Mailbox
	done chan struct{}
}

// Start listens on 127.0.0.1:opts.Port, starts moto_server on a free loopback port and serves the
// Front until Stop. It fails with ErrMotoMissing when moto_server is not installed, and with a clear
// message when the port is taken.
func Start(ctx context.Context, opts Options) (*Emulator, error) {
	if opts.Mailbox == "" {
		return nil, errors.New("cognito: Options.Mailbox is required")
	}
	if opts.MotoServer == "" {
		opts.MotoServer = "moto_server"
	}
	if opts.MotoOutput == nil {
		opts.MotoOutput = io.Discard
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	addr := net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cognito: port %s is taken (%v)", addr, err)
	}
	motoPort, err := freePort()
	if err != nil {
		ln.Close()
		return nil, err
	}
	moto, err := StartMoto(ctx, opts.MotoServer, motoPort, opts.MotoOutput)
	if err != nil {
		ln.Close()
		return nil, err
	}
	warmUp(ctx, moto.URL)
	mail, err := OpenMailbox(opts.Mailbox, opts.MailOutput)
	if err != nil {
		ln.Close()
		moto.Stop()
		return nil, err
	}
	url := "http://" + ln.Addr().String()
	front, err := NewFront(Config{MotoURL: moto.URL, Region: opts.Region, PublicURL: url, Mail: mail, Logger: opts.Logger,
		SigningKeyFile: opts.SigningKeyFile})
	if err != nil {
		ln.Close()
		moto.Stop()
		mail.Close()
		return nil, err
	}
	log := front.log
	e := &Emulator{URL: url, Front: front, moto: moto, mail: mail, done: make(chan struct{}),
		srv: &http.Server{Handler: front, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}}
	go func() {
		defer close(e.done)
		if err := e.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("cognito emulator stopped serving", "error", err)
		}
	}()
	return e, nil
}

// Stop stops serving, then stops moto_server and closes the mailbox.
func (e *Emulator) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		_ = e.srv.Close()
	}
	<-e.done
	e.moto.Stop()
	_ = e.mail.Close()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("cognito: find a free port for moto_server: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// warmUp makes moto load its Cognito backend, which it does on the first Cognito call and which takes
// a second or more, so that the stack's first real call does not pay for it. A failure is left for
// that call to report.
func warmUp(ctx context.Context, motoURL string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, motoURL+"/", strings.NewReader(`{"MaxResults":1}`))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools")
	// moto reads the service from the credential scope of the Authorization header.
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
