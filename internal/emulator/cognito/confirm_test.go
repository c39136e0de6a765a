package cognito_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func (e *env) signUp(t *testing.T, client, email string) {
	t.Helper()
	out, err := e.api.SignUp(ctx(t), &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String(email), Password: aws.String(goodPassword)})
	if err != nil || out.UserConfirmed {
		t.Fatalf("SignUp: %+v %v", out, err)
	}
}

// open GETs a link and returns the status and page.
func open(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page)
}

func TestConfirmationLinkConfirmsTheAccountOnceWithTheRightCode(t *testing.T) {
	e := newEnv(t)
	pool := e.createPool(t, false)
	client := e.createClient(t, pool, preventExistence)
	cases := []struct {
		name string
		// link changes the mailed link; resend asks for a new one first; wait ages it.
		link         func(string) string
		resend       bool
		wait         time.Duration
		openTwice    bool
		wantStatus   int
		wantPage     string
		wantAccount  types.UserStatusType
		secondStatus int
	}{
		{name: "the mailed link confirms", wantStatus: 200, wantPage: "Your registration has been confirmed!", wantAccount: types.UserStatusTypeConfirmed},
		{name: "a wrong code does not confirm", link: wrongCode, wantStatus: 400, wantPage: "Invalid link", wantAccount: types.UserStatusTypeUnconfirmed},
		{name: "a reused link does not confirm again", openTwice: true, wantStatus: 200, wantAccount: types.UserStatusTypeConfirmed, secondStatus: 400},
		{name: "a link past 24 hours has expired", wait: 24*time.Hour + time.Second, wantStatus: 400, wantPage: "expired", wantAccount: types.UserStatusTypeUnconfirmed},
		{name: "the resent link confirms", resend: true, wantStatus: 200, wantAccount: types.UserStatusTypeConfirmed},
		{name: "another user's name with the code does not confirm", link: func(l string) string {
			return strings.Replace(l, "user_name=", "user_name=x", 1)
		}, wantStatus: 400, wantAccount: types.UserStatusTypeUnconfirmed},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			email := "link" + string(rune('a'+i)) + "@example.com"
			e.signUp(t, client, email)
			link := e.lastMail(t, "signup", email).Link
			if tc.resend {
				out, err := e.api.ResendConfirmationCode(ctx(t), &cip.ResendConfirmationCodeInput{ClientId: aws.String(client), Username: aws.String(email)})
				if err != nil || out.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
					t.Fatalf("ResendConfirmationCode: %+v %v", out, err)
				}
				resent := e.lastMail(t, "resend", email).Link
				if code, _ := open(t, link); code != 400 {
					t.Errorf("the superseded link answered %d", code)
				}
				link = resent
			}
			if tc.link != nil {
				link = tc.link(link)
			}
			e.clock.Advance(tc.wait)
			status, page := open(t, link)
			if status != tc.wantStatus || !strings.Contains(page, tc.wantPage) {
				t.Errorf("GET link: %d %q, want %d %q", status, page, tc.wantStatus, tc.wantPage)
			}
			if tc.openTwice {
				if again, _ := open(t, link); again != tc.secondStatus {
					t.Errorf("second GET: %d, want %d", again, tc.secondStatus)
				}
			}
			if got := e.status(t, pool, email); got != tc.wantAccount {
				t.Errorf("account is %s, want %s", got, tc.wantAccount)
			}
		})
	}
}

func wrongCode(link string) string {
	return strings.TrimSuffix(link, linkCode(link)) + wrongDigits(linkCode(link))
}

// linkCode is the confirmation code a link carries (its last parameter, as Cognito's).
func linkCode(link string) string {
	return link[strings.Index(link, "confirmation_code=")+len("confirmation_code="):]
}

// signedUpLink signs email up in a new pool and returns the client and the mailed link.
func (e *env) signedUpLink(t *testing.T, set func(*cip.CreateUserPoolClientInput), email string) (client, link string) {
	t.Helper()
	client = e.createClient(t, e.createPool(t, false), set)
	e.signUp(t, client, email)
	return client, e.lastMail(t, "signup", email).Link
}

func TestConfirmedByLinkTheAccountSignsInWithAVerifiedEmail(t *testing.T) {
	e := newEnv(t)
	client, link := e.signedUpLink(t, preventExistence, "new@example.com")
	if !strings.HasPrefix(link, e.url+"/confirmUser?client_id="+client+"&user_name=") {
		t.Fatalf("link %s does not point at the emulated pool domain %s", link, e.url)
	}
	if _, err := e.login(t, client, "new@example.com", goodPassword); err == nil {
		t.Fatal("an unconfirmed account signed in")
	}
	if status, _ := open(t, link); status != 200 {
		t.Fatalf("link answered %d", status)
	}
	if _, err := e.login(t, client, "new@example.com", goodPassword); err != nil {
		t.Fatalf("confirmed account cannot sign in: %v", err)
	}
	// Verified, so that the account can reset its password.
	_, err := e.api.ForgotPassword(ctx(t), &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("new@example.com")})
	wantAPIError(t, err, "", "")
	e.lastMail(t, "forgot", "new@example.com")
}

func TestConfirmSignUpChecksTheCode(t *testing.T) {
	e := newEnv(t)
	client, link := e.signedUpLink(t, nil, "code@example.com")
	code := linkCode(link)
	confirm := func(c string) error {
		_, err := e.api.ConfirmSignUp(ctx(t), &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("code@example.com"), ConfirmationCode: aws.String(c)})
		return err
	}
	wantAPIError(t, confirm("not-the-code"), "CodeMismatchException", "Invalid verification code provided, please try again.")
	wantAPIError(t, confirm(code), "", "")
	wantAPIError(t, confirm(code), "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
}

func TestSignUpRefusedWhereOnlyAdministratorsCreateAccounts(t *testing.T) {
	e := newEnv(t)
	pool := e.createPool(t, true)
	client := e.createClient(t, pool, preventExistence)
	_, err := e.api.SignUp(ctx(t), &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("a@example.com"), Password: aws.String(goodPassword)})
	wantAPIError(t, err, "NotAuthorizedException", "SignUp is not permitted for this user pool")
	if msgs := e.mail(t); len(msgs) != 0 {
		t.Errorf("mail sent: %v", msgs)
	}
}
