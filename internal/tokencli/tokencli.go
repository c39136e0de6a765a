// Package tokencli is the logic of cmd/token: it signs a user in to Cognito with USER_PASSWORD_AUTH
// on a public app client and prints the ID token, for scripts and CI jobs that call the API (the
// article's COGNITO_URL, CLIENT_ID, USERNAME and PASSWORD variables).
//
// The call is unsigned (anonymous credentials): InitiateAuth on a client without a secret needs no AWS
// credentials, so none are loaded. Every failure is one line on stderr and a non-zero exit code; the
// password is never written anywhere.
package tokencli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/example/cognito-sam-go/internal/ghactions"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1 // Cognito refused, asked for a challenge, or could not be reached
	ExitUsage   = 2 // a variable or flag is missing or wrong
)

// DefaultName is the variable the token is written to with -format portman and -github-env: the name
// Portman's environment file and this project's contract scripts read.
const DefaultName = "PORTMAN_TOKEN"

const usageText = `usage: token [flags]

Signs in to Cognito with USER_PASSWORD_AUTH on a public app client (no secret) and prints the ID
token on stdout. The call is unsigned: no AWS credentials are needed or read.

Each setting comes from a flag or, when the flag is not given, from its environment variable:
  -cognito-url   COGNITO_URL   Cognito's endpoint (stack output CognitoUrl), e.g.
                               https://cognito-idp.eu-west-1.amazonaws.com
  -client-id     CLIENT_ID     the public app client id (stack output UserPoolClientId)
  -username      USERNAME      the user's email address
  -password      PASSWORD      the user's password. Prefer the environment variable: a flag's value
                               is visible to every user of the machine (ps) and lands in shell history.
The region is read from the host of the Cognito URL (cognito-idp.<region>.amazonaws.com), otherwise
from AWS_REGION (or AWS_DEFAULT_REGION), as for a local emulator.

Output:
  (default)            the ID token alone on one line
  -format portman      NAME=<token> (NAME is -name, default PORTMAN_TOKEN), for Portman's env file
  -github-env          for GitHub Actions: prints ::add-mask::<token> on stdout, then appends
                       NAME=<token> to the file named by $GITHUB_ENV; the token itself is not printed

Exit status: 0 on success, 1 when Cognito refuses the sign-in, asks for a challenge (named in the
message) or cannot be reached in time, 2 for a missing or wrong setting.

Flags:
`

// Options are the settings of one run, after flags and environment are merged.
type Options struct {
	CognitoURL string
	ClientID   string
	Username   string
	Password   string
	Region     string
	Format     string // "token" or "portman"
	Name       string
	GitHubEnv  string // path of the $GITHUB_ENV file, empty when -github-env is not given
	Timeout    time.Duration
}

// usageError is a problem with the settings: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// ParseArgs merges args and the environment (read through getenv) into Options.
// The flag set writes its own messages (and -h) to stderr.
func ParseArgs(args []string, getenv func(string) string, stderr io.Writer) (Options, error) {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	// No flag takes its default from the environment: -h prints defaults, and must never print a password.
	var o Options
	var githubEnv bool
	fs.StringVar(&o.CognitoURL, "cognito-url", "", "Cognito endpoint `URL` (default $COGNITO_URL)")
	fs.StringVar(&o.ClientID, "client-id", "", "public app client `id` (default $CLIENT_ID)")
	fs.StringVar(&o.Username, "username", "", "user's `email` (default $USERNAME)")
	fs.StringVar(&o.Password, "password", "", "user's password (default $PASSWORD; prefer the variable)")
	fs.StringVar(&o.Format, "format", "token", "output `format`: token or portman")
	fs.StringVar(&o.Name, "name", DefaultName, "variable `name` for -format portman and -github-env")
	fs.BoolVar(&githubEnv, "github-env", false, "mask the token and append NAME=<token> to $GITHUB_ENV (GitHub Actions)")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Second, "give up on Cognito after this `duration`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return o, usagef("unexpected argument %q (settings are flags or environment variables)", fs.Arg(0))
	}
	fromEnv := func(v *string, name string) {
		if *v == "" {
			*v = strings.TrimSpace(getenv(name))
		}
	}
	fromEnv(&o.CognitoURL, "COGNITO_URL")
	fromEnv(&o.ClientID, "CLIENT_ID")
	fromEnv(&o.Username, "USERNAME")
	if o.Password == "" {
		o.Password = getenv("PASSWORD") // passwords may start or end with a space
	}

	var missing []string
	for _, s := range []struct{ value, name string }{
		{o.CognitoURL, "COGNITO_URL (-cognito-url)"},
		{o.ClientID, "CLIENT_ID (-client-id)"},
		{o.Username, "USERNAME (-username)"},
		{o.Password, "PASSWORD (-password)"},
	} {
		if s.value == "" {
			missing = append(missing, s.name)
		}
	}
	if len(missing) > 0 {
		return o, usagef("missing %s", strings.Join(missing, ", "))
	}
	u, err := url.Parse(o.CognitoURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return o, usagef("COGNITO_URL %q is not an http(s) URL such as https://cognito-idp.us-east-1.amazonaws.com", o.CognitoURL)
	}
	o.CognitoURL = strings.TrimRight(o.CognitoURL, "/")
	o.Region = RegionFromURL(u.Hostname())
	if o.Region == "" {
		o.Region = strings.TrimSpace(getenv("AWS_REGION"))
	}
	if o.Region == "" {
		o.Region = strings.TrimSpace(getenv("AWS_DEFAULT_REGION"))
	}
	if o.Region == "" {
		return o, usagef("cannot tell the region from COGNITO_URL host %q: set AWS_REGION", u.Hostname())
	}
	switch o.Format {
	case "token", "portman":
	default:
		return o, usagef("-format %q: want token or portman", o.Format)
	}
	if !ghactions.ValidName(o.Name) {
		return o, usagef("-name %q is not a variable name", o.Name)
	}
	if o.Timeout <= 0 {
		return o, usagef("-timeout must be positive")
	}
	if githubEnv {
		o.GitHubEnv = getenv("GITHUB_ENV")
		if o.GitHubEnv == "" {
			return o, usagef("-github-env: GITHUB_ENV is not set (it is set inside GitHub Actions steps)")
		}
	}
	return o, nil
}

// cognitoHost matches Cognito's public endpoints: cognito-idp.<region>.amazonaws.com, the FIPS and
// China variants, and the dual-stack cognito-idp.<region>.api.aws.
var cognitoHost = regexp.MustCompile(`^cognito-idp(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:amazonaws\.com(?:\.cn)?|api\.aws)$`)

// RegionFromURL returns the region named in a Cognito endpoint's host, or "" for any other host.
func RegionFromURL(host string) string {
	m := cognitoHost.FindStringSubmatch(strings.ToLower(host))
	if m == nil {
		return ""
	}
	return m[1]
}

// Main runs the command with args (without the program name) and returns its exit status.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	opts, err := ParseArgs(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "token: %v (see token -h)\n", err)
		return ExitUsage
	}
	tok, err := IDToken(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "token: %v\n", err)
		return ExitFailure
	}
	if err := Write(opts, tok, stdout); err != nil {
		fmt.Fprintf(stderr, "token: %v\n", err)
		return ExitFailure
	}
	if opts.GitHubEnv != "" {
		fmt.Fprintf(stderr, "token: wrote %s to $GITHUB_ENV\n", opts.Name)
	}
	return ExitOK
}

// Write prints the token as opts asks.
func Write(opts Options, token string, stdout io.Writer) error {
	if opts.GitHubEnv != "" {
		// The mask comes first, so that GitHub hides the value wherever it shows up later.
		if err := ghactions.Mask(stdout, token); err != nil {
			return err
		}
		return ghactions.AppendEnv(opts.GitHubEnv, opts.Name, token)
	}
	var err error
	if opts.Format == "portman" {
		_, err = fmt.Fprintf(stdout, "%s=%s\n", opts.Name, token)
	} else {
		_, err = fmt.Fprintln(stdout, token)
	}
	return err
}

// NewClient returns an unsigned Cognito client for opts.CognitoURL.
func NewClient(opts Options) *cip.Client {
	cfg := aws.Config{
		Region:      opts.Region,
		Credentials: aws.AnonymousCredentials{},
		// Throttling is worth a quick retry; a closed port or a wrong URL is not worth 20 seconds.
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.MaxBackoff = 2 * time.Second
			})
		},
	}
	return cip.NewFromConfig(cfg, func(o *cip.Options) {
		o.BaseEndpoint = aws.String(opts.CognitoURL)
	})
}

// IDToken signs in with opts and returns the ID token. Its errors are one readable line each and
// never hold the password.
func IDToken(ctx context.Context, opts Options) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	out, err := NewClient(opts).InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		ClientId: aws.String(opts.ClientID),
		AuthParameters: map[string]string{
			"USERNAME": opts.Username,
			"PASSWORD": opts.Password,
		},
	})
	if err != nil {
		return "", Describe(err, opts)
	}
	if out.ChallengeName != "" {
		return "", challengeError(out.ChallengeName)
	}
	if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.IdToken) == "" {
		return "", errors.New("no ID token in Cognito's answer")
	}
	return aws.ToString(out.AuthenticationResult.IdToken), nil
}

func challengeError(name types.ChallengeNameType) error {
	switch name {
	case types.ChallengeNameTypeNewPasswordRequired:
		return fmt.Errorf("challenge %s: Cognito asks for a new password because the user still has a temporary password; "+
			"set a permanent one (aws cognito-idp admin-set-user-password --permanent, or POST /login/new-password)", name)
	default:
		return fmt.Errorf("challenge %s: Cognito asks for a challenge this tool does not answer; use a test user without MFA or other challenges", name)
	}
}

// Describe turns an InitiateAuth error into one line that says what went wrong and what to do.
func Describe(err error, opts Options) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.ErrorCode()
		msg := strings.TrimSpace(apiErr.ErrorMessage())
		if msg == "" {
			msg = code
		}
		switch code {
		case "NotAuthorizedException", "UserNotFoundException":
			return fmt.Errorf("sign-in refused for %s: %s (%s)", opts.Username, msg, code)
		case "UserNotConfirmedException":
			return fmt.Errorf("sign-in refused for %s: the user is not confirmed yet; confirm the email address or use admin-confirm-sign-up (%s)", opts.Username, code)
		case "PasswordResetRequiredException":
			return fmt.Errorf("sign-in refused for %s: the password must be reset first (%s)", opts.Username, code)
		case "ResourceNotFoundException":
			return fmt.Errorf("unknown app client %s in %s: check CLIENT_ID and COGNITO_URL (%s: %s)", opts.ClientID, opts.Region, code, msg)
		case "InvalidParameterException":
			return fmt.Errorf("request rejected by Cognito: %s (%s; the app client must allow USER_PASSWORD_AUTH)", msg, code)
		case "TooManyRequestsException":
			return fmt.Errorf("sign-in throttled by Cognito; try again later (%s)", code)
		default:
			return fmt.Errorf("sign-in refused by Cognito: %s (%s)", msg, code)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer from Cognito at %s within %s", opts.CognitoURL, opts.Timeout)
	}
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted")
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return fmt.Errorf("cannot reach Cognito at %s: %v", opts.CognitoURL, opErr)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("cannot reach Cognito at %s: %v", opts.CognitoURL, dnsErr)
	}
	return fmt.Errorf("cannot sign in at %s: %s", opts.CognitoURL, oneLine(err.Error()))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
