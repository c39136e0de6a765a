package cognito_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/example/cognito-sam-go/internal/emulator/cognito"
)

func TestMailboxGetsEveryMessageCognitoWouldEmail(t *testing.T) {
	e := newEnv(t)
	pool := e.createPool(t, false)
	client := e.createClient(t, pool, preventExistence)
	e.signUp(t, client, "mail@example.com")
	if _, err := e.api.ResendConfirmationCode(ctx(t), &cip.ResendConfirmationCodeInput{ClientId: aws.String(client), Username: aws.String("mail@example.com")}); err != nil {
		t.Fatal(err)
	}
	e.confirmedUser(t, pool, "forgot@example.com")
	if _, err := e.api.ForgotPassword(ctx(t), &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("forgot@example.com")}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		kind, to string
		link     bool
	}{
		{kind: "signup", to: "mail@example.com", link: true},
		{kind: "resend", to: "mail@example.com", link: true},
		{kind: "forgot", to: "forgot@example.com"},
	}
	var secrets []string
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			m := e.lastMail(t, tc.kind, tc.to)
			if m.Time.IsZero() || m.UserPoolID != pool || m.ClientID != client {
				t.Errorf("message %+v", m)
			}
			secret := m.Code
			if tc.link {
				secret = m.Link
				if m.Code != "" || !strings.Contains(m.Link, "/confirmUser?") {
					t.Errorf("a %s message carries the link only: %+v", tc.kind, m)
				}
			} else if len(m.Code) != 6 || m.Link != "" {
				t.Errorf("a %s message carries a six-digit code only: %+v", tc.kind, m)
			}
			if line := fmt.Sprintf("mail to %s (%s):", tc.to, tc.kind); !strings.Contains(e.mailOut.String(), line) || !strings.Contains(e.mailOut.String(), secret) {
				t.Errorf("output %q lacks %q and its link or code", e.mailOut.String(), line)
			}
			secrets = append(secrets, secret)
			if tc.link {
				secrets = append(secrets, linkCode(secret))
			}
		})
	}
	for _, s := range append(secrets, goodPassword) {
		if strings.Contains(e.logs.String(), s) {
			t.Errorf("a log line carries a secret %q: %s", s, e.logs.String())
		}
	}
}

func TestMailboxAppendsWholeLinesConcurrentlyAndNeverTruncates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.jsonl")
	earlier := `{"to":"earlier@example.com","kind":"signup","link":"http://x"}` + "\n"
	if err := os.WriteFile(path, []byte(earlier), 0o600); err != nil {
		t.Fatal(err)
	}
	// Two mailboxes on one file, as two writers would share it.
	var boxes []*cognito.Mailbox
	for range 2 {
		b, err := cognito.OpenMailbox(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		boxes = append(boxes, b)
	}
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			msg := cognito.Message{To: fmt.Sprintf("u%d@example.com", i), Kind: cognito.KindForgot, Code: strings.Repeat("1", 6), Subject: strings.Repeat("s", 2000)}
			if err := boxes[i%2].Send(msg); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	msgs, err := cognito.ReadMailbox(path)
	if err != nil {
		t.Fatal(err) // a torn line would not decode
	}
	if len(msgs) != n+1 || msgs[0].To != "earlier@example.com" {
		t.Fatalf("%d messages, first %+v", len(msgs), msgs[0])
	}
}

// An invitation carries its temporary password, as Cognito's e-mail does: in the mailbox file only
// (mode 0600), never in the readable line on the stack's output.
func TestMailboxInvitationPasswordStaysOutOfTheOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.jsonl")
	var out strings.Builder
	b, err := cognito.OpenMailbox(path, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	const temporary = "Tmp-Password-4821!"
	if err := b.Send(cognito.Message{To: "new@example.com", Kind: cognito.KindInvite, Code: temporary, Subject: "Your temporary password"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), temporary) || !strings.Contains(out.String(), "mail to new@example.com (invite)") {
		t.Errorf("output %q: want the invitation announced without its temporary password", out.String())
	}
	msgs, err := cognito.ReadMailbox(path)
	if err != nil || len(msgs) != 1 || msgs[0].Code != temporary {
		t.Fatalf("mailbox %+v, %v: want the invitation with its temporary password", msgs, err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("mailbox mode %v, %v: want 0600", info.Mode().Perm(), err)
	}
}
