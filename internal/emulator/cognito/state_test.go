package cognito_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

const statePassword = "Persisted-Pass-1"

func signIn(t *testing.T, s *cognitotest.Stack, user, pw string) (*cip.InitiateAuthOutput, error) {
	t.Helper()
	return s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &s.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": pw}})
}

func jwks(t *testing.T, s *cognitotest.Stack) string {
	t.Helper()
	resp, err := http.Get(s.URL + "/" + s.PoolID + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return string(raw)
}

// Restarting on the same state keeps ids, users, keys, revocations and pending codes.
func TestStateSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	first := cognitotest.Start(t, cognitotest.WithStateDir(dir))
	first.ConfirmedUser(t, "kept@example.com", statePassword)
	first.ConfirmedUser(t, "revoked@example.com", statePassword)
	kept, err := signIn(t, first, "kept@example.com", statePassword)
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := signIn(t, first, "revoked@example.com", statePassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Client.RevokeToken(context.Background(), &cip.RevokeTokenInput{ClientId: &first.ClientID, Token: revoked.AuthenticationResult.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Client.ForgotPassword(context.Background(), &cip.ForgotPasswordInput{ClientId: &first.ClientID, Username: aws.String("kept@example.com")}); err != nil {
		t.Fatal(err)
	}
	keys := jwks(t, first)
	first.Emulator.Close()

	second := cognitotest.Start(t, cognitotest.WithStateDir(dir))
	if second.PoolID != first.PoolID || second.ClientID != first.ClientID {
		t.Fatalf("ids changed: %s %s, then %s %s", first.PoolID, first.ClientID, second.PoolID, second.ClientID)
	}
	if got := jwks(t, second); got != keys {
		t.Fatalf("JWKS changed across the restart:\n%s\n%s", keys, got)
	}
	refresh := func(token *string) error {
		_, err := second.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &second.ClientID,
			AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": *token}})
		return err
	}
	if err := refresh(kept.AuthenticationResult.RefreshToken); err != nil {
		t.Errorf("refresh token issued before the restart: %v", err)
	}
	wantAPIError(t, refresh(revoked.AuthenticationResult.RefreshToken), "NotAuthorizedException", "Refresh Token has been revoked")
	if _, err := second.Client.GetUser(context.Background(), &cip.GetUserInput{AccessToken: kept.AuthenticationResult.AccessToken}); err != nil {
		t.Errorf("access token issued before the restart: %v", err)
	}
	code := second.Mail(t)[0].Code
	if _, err := second.Client.ConfirmForgotPassword(context.Background(), &cip.ConfirmForgotPasswordInput{ClientId: &second.ClientID,
		Username: aws.String("kept@example.com"), ConfirmationCode: &code, Password: aws.String("After-Restart-22")}); err != nil {
		t.Fatalf("reset code mailed before the restart: %v", err)
	}
	if _, err := signIn(t, second, "kept@example.com", "After-Restart-22"); err != nil {
		t.Fatalf("sign in after the restart: %v", err)
	}
}

// The state on disk holds password hashes and no password, refresh token or code in clear; the keys'
// file is readable by its owner only.
func TestStateOnDiskHoldsNoSecretInClear(t *testing.T) {
	dir := t.TempDir()
	s := cognitotest.Start(t, cognitotest.WithStateDir(dir))
	s.ConfirmedUser(t, "secret@example.com", statePassword)
	out, err := signIn(t, s, "secret@example.com", statePassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client.ForgotPassword(context.Background(), &cip.ForgotPasswordInput{ClientId: &s.ClientID, Username: aws.String("secret@example.com")}); err != nil {
		t.Fatal(err)
	}
	code := s.Mail(t)[0].Code
	secrets := map[string]string{"password": statePassword, "refresh token": *out.AuthenticationResult.RefreshToken,
		"access token": *out.AuthenticationResult.AccessToken, "reset code": `"` + code + `"`}
	journal, err := os.ReadFile(filepath.Join(dir, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(journal, []byte("pbkdf2-sha256$")) {
		t.Errorf("the journal holds no password hash:\n%s", journal)
	}
	for what, secret := range secrets {
		if bytes.Contains(journal, []byte(secret)) {
			t.Errorf("the journal holds the %s in clear", what)
		}
	}
	st, err := os.Stat(filepath.Join(dir, "keys.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("keys.pem mode %v, want 0600", st.Mode().Perm())
	}
	if strings.Contains(s.Log(), statePassword) || strings.Contains(s.Log(), code) {
		t.Error("the log holds the password or the code")
	}
}

// A line cut short by a crash mid-write was never answered: it is dropped, and what came before stays.
func TestJournalDropsALastLineCutShort(t *testing.T) {
	dir := t.TempDir()
	first := cognitotest.Start(t, cognitotest.WithStateDir(dir))
	first.ConfirmedUser(t, "whole@example.com", statePassword)
	first.Emulator.Close()
	f, err := os.OpenFile(filepath.Join(dir, "journal.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"k":"user/half`)
	f.Close()
	second := cognitotest.Start(t, cognitotest.WithStateDir(dir))
	if _, err := signIn(t, second, "whole@example.com", statePassword); err != nil {
		t.Fatalf("sign in after a torn last line: %v", err)
	}
}

// Journal growth is bounded: rewriting the same user many times compacts the file to about one line
// per object, and the state it holds is unchanged.
func TestJournalIsCompacted(t *testing.T) {
	dir := t.TempDir()
	s := cognitotest.Start(t, cognitotest.WithStateDir(dir))
	s.ConfirmedUser(t, "busy@example.com", statePassword)
	for i := range 1100 {
		if _, err := s.Client.AdminUpdateUserAttributes(context.Background(), &cip.AdminUpdateUserAttributesInput{UserPoolId: &s.PoolID,
			Username: aws.String("busy@example.com"), UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String(fmt.Sprint(i))}}}); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(raw, []byte("\n")); lines >= 1000 {
		t.Errorf("journal has %d lines after 1,100 changes to one user: not compacted", lines)
	}
	s.Emulator.Close()
	again := cognitotest.Start(t, cognitotest.WithStateDir(dir))
	if _, err := signIn(t, again, "busy@example.com", statePassword); err != nil {
		t.Fatalf("sign in after compaction and restart: %v", err)
	}
}

// Revocations are kept only while the revoked refresh token could still be used: past its expiry
// (30 days for the API stack's client) they are forgotten, so memory does not grow with sign-outs.
func TestRevocationsForgottenAfterTheirTokensExpire(t *testing.T) {
	c := cognitotest.NewClock()
	s := cognitotest.Start(t, cognitotest.WithClock(c.Now))
	s.ConfirmedUser(t, "out@example.com", statePassword)
	out, err := signIn(t, s, "out@example.com", statePassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client.RevokeToken(context.Background(), &cip.RevokeTokenInput{ClientId: &s.ClientID, Token: out.AuthenticationResult.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	s.Emulator.PruneRevocations()
	if n := s.Emulator.Revocations(); n != 1 {
		t.Fatalf("%d revocations kept before expiry, want 1", n)
	}
	c.Advance(31 * 24 * time.Hour)
	s.Emulator.PruneRevocations()
	if n := s.Emulator.Revocations(); n != 0 {
		t.Fatalf("%d revocations kept after the token expired, want 0", n)
	}
}
