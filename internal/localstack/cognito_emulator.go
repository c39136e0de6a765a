package localstack

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"

	"github.com/example/cognito-sam-go/internal/emulator/cognito"
)

// localCognito is the Cognito emulation the stack serves in its own process: its state in
// <STATE_DIR>/cognito, its mail in <STATE_DIR>/mail.jsonl. In process, it lives and dies with the
// stack: there is no second process to watch, and a failure that may leave its state inconsistent
// (failed) stops the whole stack with a message naming it.
type localCognito struct {
	em     *cognito.Emulator
	srv    *cognito.Server
	failed chan error
}

func startCognito(opts Options) (*localCognito, error) {
	lc := &localCognito{failed: make(chan error, 1)}
	em, err := cognito.New(cognito.Options{
		Region: opts.Region, StateDir: filepath.Join(opts.StateDir, "cognito"),
		Mailbox: filepath.Join(opts.StateDir, "mail.jsonl"), MailOutput: opts.Output, MailQuota: opts.MailQuota,
		Logger: opts.Logger,
		Fatal: func(err error) {
			select {
			case lc.failed <- err:
			default:
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("start the Cognito emulator: %w (make local-reset starts from a clean state)", err)
	}
	srv, err := cognito.Listen(em, net.JoinHostPort(opts.CognitoHost, strconv.Itoa(opts.CognitoPort)), opts.Logger)
	if err != nil {
		em.Close()
		return nil, fmt.Errorf("%w: stop what uses it or choose another with make local COGNITO_PORT=<port>", err)
	}
	lc.em, lc.srv = em, srv
	return lc, nil
}

// stopped is closed-or-sent when the emulator can no longer serve; the error names it.
func (lc *localCognito) stopped() <-chan error {
	out := make(chan error, 1)
	go func() {
		select {
		case err := <-lc.failed:
			out <- fmt.Errorf("the Cognito emulator failed, so the stack stops: %w", err)
		case <-lc.srv.Done():
			if err := lc.srv.Err(); err != nil {
				out <- fmt.Errorf("the Cognito emulator stopped serving, so the stack stops: %w", err)
				return
			}
			out <- errors.New("the Cognito emulator stopped serving, so the stack stops")
		}
	}()
	return out
}

func (lc *localCognito) close() {
	lc.srv.Close()
	_ = lc.em.Close()
}
