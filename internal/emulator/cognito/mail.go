package cognito

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Message is one email Cognito would send, as the local mailbox keeps it: one JSON object a line.
type Message struct {
	Time       time.Time `json:"time"`
	To         string    `json:"to"`
	Kind       string    `json:"kind"` // signup, resend, forgot, invite or reset
	Subject    string    `json:"subject"`
	Link       string    `json:"link,omitempty"` // signup and resend: the confirmation link
	Code       string    `json:"code,omitempty"` // forgot and reset: the reset code; invite: the temporary password
	UserPoolID string    `json:"user_pool_id"`
	ClientID   string    `json:"client_id"`
	Username   string    `json:"username"`
}

// Kinds of message.
const (
	KindSignUp = "signup"
	KindResend = "resend"
	KindForgot = "forgot"
	KindInvite = "invite" // AdminCreateUser's invitation
	KindReset  = "reset"  // AdminResetUserPassword's code
)

// Mailbox is the local stand-in for Cognito's email: each message is appended to a file and
// printed as a readable line. Codes and links appear there and nowhere else.
type Mailbox struct {
	mu   sync.Mutex
	file *os.File
	out  io.Writer
}

// OpenMailbox appends to the file at path (created if missing, never truncated: a stack never
// deletes what another wrote) and prints each message to out, when out is not nil.
func OpenMailbox(path string, out io.Writer) (*Mailbox, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open mailbox: %w", err)
	}
	return &Mailbox{file: f, out: out}, nil
}

// Send appends m. One write per line, on a file opened O_APPEND, keeps lines whole even when
// several processes share the file.
func (m *Mailbox) Send(msg Message) error {
	line, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode mail: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.file.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write mailbox: %w", err)
	}
	if m.out != nil {
		what := msg.Link
		switch {
		// An invitation's code is a temporary password: it stays in the mailbox file (0600), the
		// emulated inbox, and never reaches the stack's output, where log lines carry no password.
		case msg.Kind == KindInvite:
			what = "temporary password in the mailbox file"
		case msg.Code != "":
			what = "code " + msg.Code
		}
		_, _ = fmt.Fprintf(m.out, "mail to %s (%s): %s: %s\n", msg.To, msg.Kind, msg.Subject, what)
	}
	return nil
}

// Close closes the mailbox file.
func (m *Mailbox) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.file.Close()
}

// ReadMailbox returns every message in the mailbox file at path, oldest first.
func ReadMailbox(path string) ([]Message, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open mailbox: %w", err)
	}
	defer f.Close()
	var msgs []Message
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("mailbox %s: %w", path, err)
		}
		msgs = append(msgs, m)
	}
	return msgs, sc.Err()
}
