// Package testusers is the logic of cmd/testuser: throwaway Cognito users for API tests.
//
//   - create makes a confirmed user <prefix><random>@<domain> with a random password that satisfies
//     the pool's policy, and prints USERNAME= and PASSWORD= lines;
//   - delete removes that user again, and succeeds when it is already gone (cleanup steps);
//   - sweep removes every user of the prefix older than a given age (users a crashed job left behind);
//   - list prints the pool's users, so that a person can see what the other commands made.
//
// The pool comes from USER_POOL_ID, credentials and endpoint from the AWS SDK's default configuration
// (so AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER points it at a local emulator).
package testusers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/example/cognito-sam-go/internal/ghactions"
	"github.com/example/cognito-sam-go/internal/passwordpolicy"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// DefaultPrefix starts the email address of every user that create makes and sweep removes.
const DefaultPrefix = "e2e-"

// API is the part of the Cognito client the commands use.
type API interface {
	DescribeUserPool(context.Context, *cip.DescribeUserPoolInput, ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
	AdminCreateUser(context.Context, *cip.AdminCreateUserInput, ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error)
	AdminSetUserPassword(context.Context, *cip.AdminSetUserPasswordInput, ...func(*cip.Options)) (*cip.AdminSetUserPasswordOutput, error)
	AdminDeleteUser(context.Context, *cip.AdminDeleteUserInput, ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
	ListUsers(context.Context, *cip.ListUsersInput, ...func(*cip.Options)) (*cip.ListUsersOutput, error)
}

// App runs the commands. Its zero values are filled in by Main.
type App struct {
	Getenv    func(string) string
	Stdout    io.Writer
	Stderr    io.Writer
	Now       func() time.Time
	NewClient func(ctx context.Context) (API, error) // default: the SDK's default configuration
}

const usageText = `usage: testuser <command> [flags]

Throwaway Cognito users for API tests. The pool is USER_POOL_ID (or -user-pool-id); AWS credentials,
region and endpoint come from the AWS SDK's default configuration (environment, shared config, OIDC
role in CI); AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER points it at a local Cognito.

Commands:
  create   create a confirmed user <prefix><random>@<domain> with a random password that meets the
           pool's policy; prints USERNAME=... and PASSWORD=... (inside GitHub Actions, an
           ::add-mask:: line for the password first; -github-env also appends both to $GITHUB_ENV)
  delete   delete the user USERNAME (or -username); a user that is already gone is not an error
  sweep    delete the prefix's users created more than -older-than ago (default 2h); -dry-run lists them
  list     print the pool's users (email, status, enabled, created), oldest first; -prefix narrows it

Run testuser <command> -h for a command's flags.
Exit status: 0 on success, 1 when Cognito fails or refuses, 2 for a missing or wrong setting.
`

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// Main runs testuser with args (without the program name) and returns its exit status.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return (&App{Getenv: getenv, Stdout: stdout, Stderr: stderr}).Run(ctx, args)
}

// Run runs one command and returns its exit status.
func (a *App) Run(ctx context.Context, args []string) int {
	if a.Now == nil {
		a.Now = time.Now
	}
	if a.NewClient == nil {
		a.NewClient = defaultClient
	}
	if len(args) == 0 {
		fmt.Fprint(a.Stderr, usageText)
		return ExitUsage
	}
	var err error
	switch args[0] {
	case "create":
		err = a.create(ctx, args[1:])
	case "delete":
		err = a.delete(ctx, args[1:])
	case "sweep":
		err = a.sweep(ctx, args[1:])
	case "list":
		err = a.list(ctx, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(a.Stdout, usageText)
		return ExitOK
	default:
		err = usagef("unknown command %q: want create, delete, sweep or list", args[0])
	}
	var usage *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &usage):
		fmt.Fprintf(a.Stderr, "testuser: %v (see testuser -h)\n", err)
		return ExitUsage
	default:
		fmt.Fprintf(a.Stderr, "testuser: %v\n", err)
		return ExitFailure
	}
}

func defaultClient(ctx context.Context) (API, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %v", oneLine(err.Error()))
	}
	if cfg.Region == "" {
		return nil, usagef("no AWS region: set AWS_REGION")
	}
	return cip.NewFromConfig(cfg), nil
}

// common are the flags every command has.
type common struct {
	poolID  string
	timeout time.Duration
}

func (a *App) flags(name, synopsis string, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet("testuser "+name, flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.Stderr, "usage: testuser %s [flags]\n\n%s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.poolID, "user-pool-id", "", "user pool `id` (default $USER_POOL_ID)")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "deadline of each Cognito call")
	return fs
}

func (a *App) parse(fs *flag.FlagSet, args []string, c *common) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if c.poolID == "" {
		c.poolID = strings.TrimSpace(a.Getenv("USER_POOL_ID"))
	}
	if c.poolID == "" {
		return usagef("missing USER_POOL_ID (-user-pool-id)")
	}
	if c.timeout <= 0 {
		return usagef("-timeout must be positive")
	}
	return nil
}

var (
	prefixPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._+-]*$`)
	domainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
)

func checkPrefix(prefix string) error {
	if !prefixPattern.MatchString(prefix) {
		return usagef("-prefix %q: want lowercase letters, digits and . _ + - (never empty: sweep deletes by it)", prefix)
	}
	return nil
}

// ---- create

func (a *App) create(ctx context.Context, args []string) error {
	var c common
	var prefix, domain string
	var githubEnv bool
	fs := a.flags("create", "Creates a confirmed user <prefix><random>@<domain> with a random password that meets the pool's policy\n"+
		"and prints USERNAME=... and PASSWORD=... lines.", &c)
	fs.StringVar(&prefix, "prefix", DefaultPrefix, "start of the email address (sweep finds users by it)")
	fs.StringVar(&domain, "domain", "example.com", "domain of the email address (no mail is sent)")
	fs.BoolVar(&githubEnv, "github-env", false, "also append USERNAME and PASSWORD to $GITHUB_ENV (GitHub Actions)")
	if err := a.parse(fs, args, &c); err != nil {
		return err
	}
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	if !domainPattern.MatchString(domain) {
		return usagef("-domain %q is not a lowercase domain name", domain)
	}
	envFile := ""
	if githubEnv {
		if envFile = a.Getenv("GITHUB_ENV"); envFile == "" {
			return usagef("-github-env: GITHUB_ENV is not set (it is set inside GitHub Actions steps)")
		}
	}
	client, err := a.NewClient(ctx)
	if err != nil {
		return err
	}

	policy, err := a.passwordPolicy(ctx, client, c)
	if err != nil {
		return err
	}
	random, err := randomHex(8)
	if err != nil {
		return err
	}
	username := prefix + random + "@" + domain
	password, err := NewPassword(policy)
	if err != nil {
		return err
	}

	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	_, err = client.AdminCreateUser(callCtx, &cip.AdminCreateUserInput{
		UserPoolId:    aws.String(c.poolID),
		Username:      aws.String(username),
		MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(username)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	})
	cancel()
	if err != nil {
		return fmt.Errorf("AdminCreateUser %s: %w", username, describe(err))
	}
	callCtx, cancel = context.WithTimeout(ctx, c.timeout)
	_, err = client.AdminSetUserPassword(callCtx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(c.poolID),
		Username:   aws.String(username),
		Password:   aws.String(password),
		Permanent:  true,
	})
	cancel()
	if err != nil {
		// A user stuck with a temporary password is of no use to a test: take it away again.
		setErr := fmt.Errorf("AdminSetUserPassword %s: %w", username, describe(err))
		if delErr := a.deleteUser(ctx, client, c, username); delErr != nil {
			return fmt.Errorf("%v; and removing the user again failed: %v", setErr, delErr)
		}
		return setErr
	}

	if githubEnv || ghactions.Enabled(a.Getenv) {
		if err := ghactions.Mask(a.Stdout, password); err != nil {
			return err
		}
	}
	if envFile != "" {
		if err := ghactions.AppendEnv(envFile, "USERNAME", username, "PASSWORD", password); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.Stdout, "USERNAME=%s\nPASSWORD=%s\n", username, password)
	fmt.Fprintf(a.Stderr, "testuser: created %s in %s\n", username, c.poolID)
	return nil
}

// passwordPolicy is the pool's policy as DescribeUserPool reports it; a pool without one has
// Cognito's default minimum length, 8.
func (a *App) passwordPolicy(ctx context.Context, client API, c common) (passwordpolicy.Policy, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	out, err := client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(c.poolID)})
	if err != nil {
		return passwordpolicy.Policy{}, fmt.Errorf("DescribeUserPool %s: %w", c.poolID, describe(err))
	}
	p := passwordpolicy.Policy{MinimumLength: 8}
	if out.UserPool != nil && out.UserPool.Policies != nil && out.UserPool.Policies.PasswordPolicy != nil {
		pp := out.UserPool.Policies.PasswordPolicy
		if pp.MinimumLength != nil {
			p.MinimumLength = int(*pp.MinimumLength)
		}
		p.RequireUppercase = pp.RequireUppercase
		p.RequireLowercase = pp.RequireLowercase
		p.RequireNumbers = pp.RequireNumbers
		p.RequireSymbols = pp.RequireSymbols
	}
	return p, nil
}

// Character classes of generated passwords. Symbols are among those Cognito counts as symbols
// (passwordpolicy.Symbols), and are chosen to need no quoting in a shell, a dotenv or $GITHUB_ENV
// line, and no escaping in a GitHub Actions workflow command (so no %).
const (
	upper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower   = "abcdefghijklmnopqrstuvwxyz"
	digits  = "0123456789"
	symbols = "-_.,:+=@^"
)

// PasswordLength is the length of generated passwords unless the policy asks for more.
const PasswordLength = 24

// NewPassword returns a random password (crypto/rand) that meets p: at least PasswordLength or
// p.MinimumLength characters, with at least one upper-case letter, lower-case letter, digit and symbol
// whatever the policy requires, so that it also meets a stricter policy set later.
func NewPassword(p passwordpolicy.Policy) (string, error) {
	n := max(PasswordLength, p.MinimumLength)
	classes := []string{upper, lower, digits, symbols}
	all := strings.Join(classes, "")
	buf := make([]byte, 0, n)
	for _, class := range classes {
		c, err := pick(class)
		if err != nil {
			return "", err
		}
		buf = append(buf, c)
	}
	for len(buf) < n {
		c, err := pick(all)
		if err != nil {
			return "", err
		}
		buf = append(buf, c)
	}
	// Fisher-Yates, so the guaranteed characters are not always in front.
	for i := len(buf) - 1; i > 0; i-- {
		j, err := randInt(i + 1)
		if err != nil {
			return "", err
		}
		buf[i], buf[j] = buf[j], buf[i]
	}
	return string(buf), nil
}

func pick(set string) (byte, error) {
	i, err := randInt(len(set))
	if err != nil {
		return 0, err
	}
	return set[i], nil
}

func randInt(n int) (int, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("random numbers: %w", err)
	}
	return int(v.Int64()), nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random numbers: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ---- delete

func (a *App) delete(ctx context.Context, args []string) error {
	var c common
	var username, prefix string
	fs := a.flags("delete", "Deletes the user USERNAME (or -username). A user that is already gone is not an error, so a\n"+
		"cleanup step (if: always()) can run it whatever happened before. Only users whose name starts with\n"+
		"-prefix are deleted: a mistyped USERNAME cannot remove a real account.", &c)
	fs.StringVar(&username, "username", "", "the user's `email` (default $USERNAME)")
	fs.StringVar(&prefix, "prefix", DefaultPrefix, "refuse users whose name does not start with this")
	if err := a.parse(fs, args, &c); err != nil {
		return err
	}
	if username == "" {
		username = strings.TrimSpace(a.Getenv("USERNAME"))
	}
	if username == "" {
		return usagef("missing USERNAME (-username)")
	}
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	if !strings.HasPrefix(strings.ToLower(username), prefix) {
		return usagef("refusing to delete %s: the name does not start with %q (see -prefix)", username, prefix)
	}
	client, err := a.NewClient(ctx)
	if err != nil {
		return err
	}
	gone, err := a.deleteUserIfExists(ctx, client, c, username)
	if err != nil {
		return err
	}
	if gone {
		fmt.Fprintf(a.Stderr, "testuser: %s was already gone from %s\n", username, c.poolID)
	} else {
		fmt.Fprintf(a.Stderr, "testuser: deleted %s from %s\n", username, c.poolID)
	}
	return nil
}

func (a *App) deleteUser(ctx context.Context, client API, c common, username string) error {
	_, err := a.deleteUserIfExists(ctx, client, c, username)
	return err
}

// deleteUserIfExists deletes username; alreadyGone is true when there was no such user.
func (a *App) deleteUserIfExists(ctx context.Context, client API, c common, username string) (alreadyGone bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	_, err = client.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{
		UserPoolId: aws.String(c.poolID),
		Username:   aws.String(username),
	})
	var notFound *types.UserNotFoundException
	if errors.As(err, &notFound) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("AdminDeleteUser %s: %w", username, describe(err))
	}
	return false, nil
}

// ---- sweep

func (a *App) sweep(ctx context.Context, args []string) error {
	var c common
	var prefix string
	var olderThan time.Duration
	var dryRun bool
	fs := a.flags("sweep", "Deletes the users whose email starts with -prefix and that were created more than -older-than ago:\n"+
		"what test jobs that died before their cleanup left behind. Prints one line per user.", &c)
	fs.StringVar(&prefix, "prefix", DefaultPrefix, "email prefix of the users to delete")
	fs.DurationVar(&olderThan, "older-than", 2*time.Hour, "delete users created longer ago than this")
	fs.BoolVar(&dryRun, "dry-run", false, "list the users, delete none")
	if err := a.parse(fs, args, &c); err != nil {
		return err
	}
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	if olderThan < 0 {
		return usagef("-older-than must not be negative")
	}
	client, err := a.NewClient(ctx)
	if err != nil {
		return err
	}
	cutoff := a.Now().Add(-olderThan)
	users, err := a.listUsers(ctx, client, c, prefix)
	if err != nil {
		return err
	}
	// All pages are read before anything is deleted, oldest first.
	var stale []User
	for _, u := range users {
		if !u.Created.IsZero() && !u.Created.After(cutoff) {
			stale = append(stale, u)
		}
	}
	var failed int
	for _, u := range stale {
		created := u.Created.UTC().Format(time.RFC3339)
		if dryRun {
			fmt.Fprintf(a.Stdout, "would delete %s (%s, created %s)\n", u.Email, u.Username, created)
			continue
		}
		if err := a.deleteUser(ctx, client, c, u.Username); err != nil {
			fmt.Fprintf(a.Stderr, "testuser: %v\n", err)
			failed++
			continue
		}
		fmt.Fprintf(a.Stdout, "deleted %s (%s, created %s)\n", u.Email, u.Username, created)
	}
	verb := "deleted"
	if dryRun {
		verb = "would delete"
	}
	fmt.Fprintf(a.Stderr, "testuser: %s %d user(s) of %s with prefix %q created before %s\n",
		verb, len(stale)-failed, c.poolID, prefix, cutoff.UTC().Format(time.RFC3339))
	if failed > 0 {
		return fmt.Errorf("%d user(s) could not be deleted", failed)
	}
	return nil
}

func attribute(attrs []types.AttributeType, name string) string {
	for _, at := range attrs {
		if aws.ToString(at.Name) == name {
			return aws.ToString(at.Value)
		}
	}
	return ""
}

// describe shortens an SDK error to Cognito's code and message, or to one line.
func describe(err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		msg := strings.TrimSpace(apiErr.ErrorMessage())
		if msg == "" {
			return errors.New(apiErr.ErrorCode())
		}
		return fmt.Errorf("%s (%s)", msg, apiErr.ErrorCode())
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("no answer from Cognito in time (see -timeout)")
	}
	return errors.New(oneLine(err.Error()))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
